-- One row per indicator x area x sex x age x category x period (Fingertips export, renamed).
SELECT
    CAST("Indicator ID" AS BIGINT) AS indicator_id,
    "Indicator Name" AS indicator_name,
    "Area Code" AS area_code,
    "Area Name" AS area_name,
    "Area Type" AS area_type,
    "Sex" AS sex,
    "Age" AS age,
    coalesce("Category Type", '') AS category_type,
    coalesce("Category", '') AS category,
    "Time period" AS period,
    "Time period Sortable" AS period_sortable,
    "Value" AS value,
    "Lower CI 95.0 limit" AS lower_ci_95,
    "Upper CI 95.0 limit" AS upper_ci_95,
    "Lower CI 99.8 limit" AS lower_ci_99_8,
    "Upper CI 99.8 limit" AS upper_ci_99_8,
    "Count" AS count,
    "Denominator" AS denominator,
    "Value note" AS value_note,
    "Compared to England value or percentiles" AS compared_to_england
FROM read_csv($files, columns = $columns, header = true, auto_detect = false)
ORDER BY indicator_id, area_code, period_sortable, sex, age
