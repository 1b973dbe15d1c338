-- One row per system GP practice x calendar year (annual means of the monthly GP Workforce extracts).
-- A practice belongs to the system by the workforce file's own ICB name (its short form, "Lancashire and South
-- Cumbria", is contained in the profile's ICB name); its PCN, sub-ICB location and footprint come from the
-- practice map (dim_practices), empty for practices that opened or changed code after the map's extract.
SELECT
    w.practice_code,
    w.year,
    w.icb_name AS workforce_icb_name,
    p.neighbourhood_code,
    p.sub_icb_nhs_code,
    p.footprint_code,
    w.patients AS registered_patients,
    w.gp_extgl_fte AS gp_fte_qualified,
    w.locuum_trn_fte AS gp_fte_locums_trainees,
    w.gp_extgl_fte + w.locuum_trn_fte AS gp_fte_all,
    w.nurses_fte,
    w.dpc_fte,
    w.admin_fte
FROM staging.stg_public__gp_workforce AS w
LEFT JOIN marts.dim_practices AS p USING (practice_code)
WHERE w.icb_name IS NOT NULL AND contains(lower($icb_name), lower(trim(w.icb_name)))
ORDER BY w.practice_code, w.year
