-- One row per activity measure x financial year x level x area x quantile type x quantile
-- (marts.fct_deprivation_gradients): the computed rows (gradient_rows) with each area's name.
SELECT r.*, n.area_name
FROM gradient_rows AS r
LEFT JOIN area_names AS n ON n.level = r.level AND n.area_code = r.area_code
ORDER BY r.measure, r.financial_year, r.level, r.area_code, r.quantile_type, r.quantile
