-- One row per calendar year x area x staff group: FTE per 100,000 registered patients against England.
-- Staff groups are the publisher's columns (TOTAL_ prefix dropped by the reader):
--   gp_qualified  GP_EXTGL_FTE: fully qualified GPs, excluding GPs in training grades and locums
--   gp_all        GP_EXTGL_FTE + LOCUUM_TRN_FTE (the compilation's locums-and-trainees column)
--   nurses        NURSES_FTE;  dpc  DPC_FTE (direct patient care);  admin  ADMIN_FTE
-- A practice without a figure for a group is left out of that group's numerator and denominator (and
-- counted in practices_without_fte). Registered patients are annual means (TOTAL_PATIENTS).
WITH staff_groups(staff_group, source_columns) AS (
    VALUES ('gp_qualified', 'TOTAL_GP_EXTGL_FTE'),
           ('gp_all', 'TOTAL_GP_EXTGL_FTE + TOTAL_LOCUUM_TRN_FTE'),
           ('nurses', 'TOTAL_NURSES_FTE'),
           ('dpc', 'TOTAL_DPC_FTE'),
           ('admin', 'TOTAL_ADMIN_FTE')
),
england AS (
    SELECT year, practice_code, patients AS registered_patients, gp_extgl_fte AS gp_fte_qualified,
           gp_extgl_fte + locuum_trn_fte AS gp_fte_all, nurses_fte, dpc_fte, admin_fte,
           'england' AS level, CAST($england_code AS VARCHAR) AS area_code, 'England' AS area_name
    FROM staging.stg_public__gp_workforce
),
system AS (
    SELECT w.*, f.footprint_name, s.sub_icb_name
    FROM marts.public_gp_workforce AS w
    LEFT JOIN (SELECT DISTINCT footprint_code, footprint_name FROM staging.stg_config__footprints) AS f
        USING (footprint_code)
    LEFT JOIN (SELECT DISTINCT sub_icb_nhs_code, sub_icb_name FROM marts.dim_practices) AS s USING (sub_icb_nhs_code)
),
areas AS (
    SELECT year, practice_code, registered_patients, gp_fte_qualified, gp_fte_all, nurses_fte, dpc_fte, admin_fte,
           level, area_code, area_name
    FROM england
    UNION ALL
    SELECT year, practice_code, registered_patients, gp_fte_qualified, gp_fte_all, nurses_fte, dpc_fte, admin_fte,
           'system', CAST($icb_code AS VARCHAR), CAST($icb_name AS VARCHAR)
    FROM system
    UNION ALL
    SELECT year, practice_code, registered_patients, gp_fte_qualified, gp_fte_all, nurses_fte, dpc_fte, admin_fte,
           'footprint', footprint_code, footprint_name
    FROM system WHERE footprint_code IS NOT NULL
    UNION ALL
    SELECT year, practice_code, registered_patients, gp_fte_qualified, gp_fte_all, nurses_fte, dpc_fte, admin_fte,
           'sub_icb', sub_icb_nhs_code, sub_icb_name
    FROM system WHERE sub_icb_nhs_code IS NOT NULL
),
long AS (
    SELECT a.year, a.level, a.area_code, a.area_name, g.staff_group, g.source_columns, a.registered_patients,
           CASE g.staff_group WHEN 'gp_qualified' THEN a.gp_fte_qualified WHEN 'gp_all' THEN a.gp_fte_all
                              WHEN 'nurses' THEN a.nurses_fte WHEN 'dpc' THEN a.dpc_fte ELSE a.admin_fte END AS fte
    FROM areas AS a CROSS JOIN staff_groups AS g
),
rates AS (
    SELECT
        year, level, area_code, any_value(area_name) AS area_name, staff_group, any_value(source_columns) AS source_columns,
        count(fte) AS practices,
        count(*) - count(fte) AS practices_without_fte,
        coalesce(sum(registered_patients) FILTER (WHERE fte IS NOT NULL), 0) AS registered_patients,
        coalesce(sum(fte), 0) AS fte
    FROM long
    GROUP BY year, level, area_code, staff_group
)
SELECT
    r.year, r.level, r.area_code, r.area_name, r.staff_group, r.source_columns, r.practices, r.practices_without_fte,
    r.registered_patients, r.fte,
    1e5 * r.fte / nullif(r.registered_patients, 0) AS fte_per_100k,
    1e5 * e.fte / nullif(e.registered_patients, 0) AS england_fte_per_100k,
    100.0 * ((r.fte / nullif(r.registered_patients, 0)) / nullif(e.fte / nullif(e.registered_patients, 0), 0) - 1)
        AS pct_vs_england
FROM rates AS r
JOIN rates AS e ON e.level = 'england' AND e.year = r.year AND e.staff_group = r.staff_group
ORDER BY r.year, CASE r.level WHEN 'england' THEN 0 WHEN 'system' THEN 1 WHEN 'footprint' THEN 2 ELSE 3 END,
         r.area_code, r.staff_group
