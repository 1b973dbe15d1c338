-- One row per practice x month x sex x ESP2013 age band (patients registered; 90-94 and 95+ folded into 90+).
-- A run replaces the rows of its months (pipelines/partitions.py); this SELECT gives those months' rows.
SELECT
    CAST(strptime(regexp_extract(filename, '_(\d{4}-\d{2})\.csv', 1), '%Y-%m') AS DATE) AS month,
    ORG_CODE AS practice_code,
    ina_sex(SEX) AS sex,
    CASE WHEN AGE_GROUP_5 IN ('90_94', '95+') THEN '90+' ELSE replace(AGE_GROUP_5, '_', '-') END AS age_band,
    CAST(sum(NUMBER_OF_PATIENTS) AS BIGINT) AS patients
FROM read_csv($files, columns = $columns, header = true, auto_detect = false, filename = true)
GROUP BY ALL
ORDER BY month, practice_code, sex, age_band
