-- One row per activity measure x financial year x level x area x quantile type (marts.fct_inequality_summary):
-- the computed rows (inequality_rows) with each area's name.
SELECT r.*, n.area_name
FROM inequality_rows AS r
LEFT JOIN area_names AS n ON n.level = r.level AND n.area_code = r.area_code
ORDER BY r.measure, r.financial_year, r.level, r.area_code, r.quantile_type
