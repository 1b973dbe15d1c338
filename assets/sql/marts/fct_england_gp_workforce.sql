-- One row per period: England's GP workforce FTE by staff group and registered patients (GPW national, or the
-- sum of every English practice where only practice-level figures are held); period_kind as fct_gp_workforce.
SELECT month, period_kind, ina_financial_year(month) AS financial_year, registered_patients, gp_fte_all,
    gp_fte_qualified, gp_fte_trainees, gp_fte_locums, nurses_fte, dpc_fte, admin_fte
FROM staging.stg_gp__workforce_england
ORDER BY month
