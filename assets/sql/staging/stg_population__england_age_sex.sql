-- One row per mid-year x sex x single year of age for England (ONS MYE; 90 means 90 and over).
-- A run replaces the rows of its mid-years (pipelines/partitions.py); this SELECT gives those years' rows.
SELECT
    CAST(regexp_extract(filename, 'mid(\d{4})', 1) AS INTEGER) AS year,
    ina_sex(sex) AS sex,
    CAST(age AS INTEGER) AS age,
    CAST(count AS BIGINT) AS population
FROM read_csv($files, columns = $columns, header = true, auto_detect = false, filename = true)
WHERE Code = $england_code
ORDER BY year, sex, age
