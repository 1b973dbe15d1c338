-- One row per area (England or a system local authority) x Fingertips indicator x sex x age x period: the
-- published value, limits, count and denominator of the catalogued indicators (categories excluded).
SELECT level, area_code, indicator_id, sex, age, period, period_sortable, value, lower_ci_95, upper_ci_95,
    lower_ci_99_8, upper_ci_99_8, count, denominator, value_note
FROM marts.fct_jsna_indicator_values
WHERE coalesce(category_type, '') = '' AND indicator_id IN (SELECT unnest($fingertips_ids))
ORDER BY ALL;
