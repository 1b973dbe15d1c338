-- One row per practice x LSOA of residence x month (patients registered, all sexes).
SELECT
    CAST(strptime(regexp_extract(filename, '_(\d{4}-\d{2})\.csv', 1), '%Y-%m') AS DATE) AS month,
    PRACTICE_CODE AS practice_code,
    LSOA_CODE AS lsoa_code,
    CAST(NUMBER_OF_PATIENTS AS BIGINT) AS patients
FROM read_csv($files, columns = $columns, header = true, auto_detect = false, filename = true)
WHERE SEX = 'ALL'
    -- Lines quarantined by the source's rules stay out (staging.quarantine_rows, docs/data-quality.md).
    AND LSOA_CODE NOT IN (
        SELECT value FROM staging.quarantine_rows WHERE source = $source AND column_name = 'LSOA_CODE'
        AND file IN (SELECT unnest($file_names))  -- this run's files: other partitions' rows may be stale
    )
ORDER BY month, practice_code, lsoa_code
