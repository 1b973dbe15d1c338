-- One row per JSNA indicator x area (England or a local authority of the system) x sex x age x category x period,
-- as published by OHID Fingertips, with the area's level.
SELECT
    j.indicator_id,
    j.indicator_name,
    CASE WHEN j.area_code = $england_code THEN 'england' ELSE 'local_authority' END AS level,
    j.area_code,
    j.area_name,
    j.sex,
    j.age,
    j.category_type,
    j.category,
    j.period,
    j.period_sortable,
    j.value,
    j.lower_ci_95,
    j.upper_ci_95,
    j.lower_ci_99_8,
    j.upper_ci_99_8,
    j.count,
    j.denominator,
    j.value_note,
    j.compared_to_england
FROM staging.stg_jsna__indicator_values AS j
WHERE j.area_code = $england_code
   OR j.area_code IN (SELECT DISTINCT lad_code FROM marts.dim_geography)
ORDER BY j.indicator_id, level, j.area_code, j.period_sortable, j.sex, j.age
