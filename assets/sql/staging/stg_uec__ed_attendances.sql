-- One row per LSOA x month x age band x sex x provider x department type: ED attendances.
-- Record-level ECDS rows are streamed and aggregated here; no record-level row is stored.
-- A run replaces the rows of its months (pipelines/partitions.py); this SELECT gives those months' rows.
SELECT
    ina_month(ARRIVAL_DATE) AS month,
    LSOA_OF_RESIDENCE AS lsoa_code,
    ina_age_band(AGE_AT_ARRIVAL) AS age_band,
    ina_sex(STATED_GENDER) AS sex,
    PROVIDER_CODE AS provider_code,
    CAST(EC_DEPARTMENT_TYPE AS INTEGER) AS department_type,
    CAST(count(*) AS BIGINT) AS attendances
FROM read_csv($files, columns = $columns, header = true, auto_detect = false)
-- Lines quarantined by the source's rules stay out (staging.quarantine_rows, docs/data-quality.md).
WHERE LSOA_OF_RESIDENCE NOT IN (
    SELECT value FROM staging.quarantine_rows WHERE source = $source AND column_name = 'LSOA_OF_RESIDENCE'
        AND file IN (SELECT unnest($file_names))  -- this run's files: other partitions' rows may be stale
)
GROUP BY ALL
ORDER BY ALL
