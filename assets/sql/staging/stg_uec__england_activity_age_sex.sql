-- One row per financial year x measure x age band x sex: England's activity (HES annual summaries).
SELECT
    CAST(left(FINANCIAL_YEAR, 4) AS INTEGER) AS financial_year,
    MEASURE AS measure,
    AGE_BAND AS age_band,
    ina_sex(SEX) AS sex,
    CAST(ACTIVITY AS BIGINT) AS activity
FROM read_csv($files, columns = $columns, header = true, auto_detect = false)
ORDER BY ALL
