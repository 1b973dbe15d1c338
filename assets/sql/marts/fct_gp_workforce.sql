-- One row per system practice x period: FTE by staff group and registered patients (NHS England GPW).
-- A practice is the system's when the practice map places it there (dim_practices) or, failing that (a practice
-- opened or re-coded after the map's extract), when the workforce file's own ICB code or name is the profile's;
-- its footprint is then its sub-ICB location's (if the file gives one) and its neighbourhood the file's PCN.
-- period_kind says whether the row is a monthly census or the mean of a calendar year's extracts.
WITH rows AS (
    SELECT w.*, p.practice_code IS NOT NULL AS mapped,
        coalesce(p.neighbourhood_code, w.pcn_code) AS neighbourhood_code,
        coalesce(p.footprint_code, f.footprint_code) AS footprint_code,
        coalesce(p.system_code, CAST($icb_code AS VARCHAR)) AS system_code
    FROM staging.stg_gp__workforce_practice AS w
    LEFT JOIN marts.dim_practices AS p USING (practice_code)
    LEFT JOIN staging.stg_config__footprints AS f ON f.sub_icb_nhs_code = w.sub_icb_nhs_code
    WHERE p.practice_code IS NOT NULL
       OR w.icb_nhs_code = $icb_nhs_code
       OR (w.icb_name IS NOT NULL AND contains(lower($icb_name), lower(trim(w.icb_name))))
)
SELECT
    practice_code,
    month,
    period_kind,
    ina_financial_year(month) AS financial_year,
    neighbourhood_code,
    footprint_code,
    system_code,
    registered_patients,
    gp_fte_all,
    gp_fte_qualified,
    gp_fte_trainees,
    gp_fte_locums,
    nurses_fte,
    dpc_fte,
    admin_fte
FROM rows
ORDER BY practice_code, month
