-- One row per month: England's GP workforce FTE by staff group and registered patients (GPW national).
SELECT month, ina_financial_year(month) AS financial_year, registered_patients, gp_fte_all, gp_fte_qualified,
    gp_fte_trainees, gp_fte_locums, nurses_fte, dpc_fte, admin_fte
FROM staging.stg_gp__workforce_england
ORDER BY month
