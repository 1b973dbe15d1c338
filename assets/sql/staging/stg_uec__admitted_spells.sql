-- One row per LSOA x month x age band x sex x provider x admission method: spells and bed days.
-- Record-level SUS rows are streamed and aggregated here; no record-level row is stored.
-- A run replaces the rows of its months (pipelines/partitions.py); this SELECT gives those months' rows.
SELECT
    ina_month(ADMISSION_DATE) AS month,
    LSOA_OF_RESIDENCE AS lsoa_code,
    ina_age_band(AGE_ON_ADMISSION) AS age_band,
    ina_sex(SEX) AS sex,
    PROVIDER_CODE AS provider_code,
    upper(ADMISSION_METHOD) AS admission_method,
    ina_is_emergency_admission(ADMISSION_METHOD) AS is_emergency,
    CAST(count(*) AS BIGINT) AS spells,
    CAST(sum(LENGTH_OF_STAY) AS BIGINT) AS bed_days
FROM read_csv($files, columns = $columns, header = true, auto_detect = false)
-- Lines quarantined by the source's rules stay out (staging.quarantine_rows, docs/data-quality.md).
WHERE LSOA_OF_RESIDENCE NOT IN (
    SELECT value FROM staging.quarantine_rows WHERE source = $source AND column_name = 'LSOA_OF_RESIDENCE'
        AND file IN (SELECT unnest($file_names))  -- this run's files: other partitions' rows may be stale
)
GROUP BY ALL
ORDER BY ALL
