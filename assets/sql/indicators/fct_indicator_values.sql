-- One row per indicator x level x area x period (marts.fct_indicator_values): the computed rows
-- (indicator_rows, from pipelines.indicators.compute) with each area's name.
SELECT r.* EXCLUDE (area_name), coalesce(n.area_name, r.area_name) AS area_name
FROM (SELECT *, CAST(NULL AS VARCHAR) AS area_name FROM indicator_rows) AS r
LEFT JOIN area_names AS n ON n.level = r.level AND n.area_code = r.area_code
ORDER BY r.indicator_id, CASE r.level WHEN 'england' THEN 0 WHEN 'system' THEN 1 WHEN 'footprint' THEN 2
    WHEN 'neighbourhood' THEN 3 WHEN 'local_authority' THEN 4 ELSE 5 END, r.area_code, r.period
