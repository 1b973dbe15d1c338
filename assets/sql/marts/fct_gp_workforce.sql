-- One row per system practice x month: FTE by staff group and registered patients (NHS England GPW).
SELECT
    w.practice_code,
    w.month,
    ina_financial_year(w.month) AS financial_year,
    p.neighbourhood_code,
    p.footprint_code,
    p.system_code,
    w.registered_patients,
    w.gp_fte_all,
    w.gp_fte_qualified,
    w.gp_fte_trainees,
    w.gp_fte_locums,
    w.nurses_fte,
    w.dpc_fte,
    w.admin_fte
FROM staging.stg_gp__workforce_practice AS w
JOIN marts.dim_practices AS p USING (practice_code)
ORDER BY w.practice_code, w.month
