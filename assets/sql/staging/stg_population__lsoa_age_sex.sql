-- One row per LSOA x mid-year x sex x single year of age (ONS SAPE, unpivoted; 90 means 90 and over).
-- A run replaces the rows of its mid-years (pipelines/partitions.py); this SELECT gives those years' rows.
WITH wide AS (
    SELECT *
    FROM read_csv($files, columns = $columns, header = true, auto_detect = false, filename = true)
    -- Lines quarantined by the source's rules stay out (staging.quarantine_rows, docs/data-quality.md).
    WHERE "LSOA Code" NOT IN (
        SELECT value FROM staging.quarantine_rows WHERE source = $source AND column_name = 'LSOA Code'
        AND file IN (SELECT unnest($file_names))  -- this run's files: other partitions' rows may be stale
    )
),
long AS (
    UNPIVOT (
        SELECT * EXCLUDE ("LSOA Name", "LA Code (2021 boundaries)", "LA name (2021 boundaries)", "All Ages")
        FROM wide
    )
    ON COLUMNS(* EXCLUDE ("LSOA Code", filename))
    INTO NAME age_label VALUE population
)
SELECT
    "LSOA Code" AS lsoa_code,
    CAST(regexp_extract(filename, 'mid(\d{4})', 1) AS INTEGER) AS year,
    CASE regexp_extract(filename, '_(males|females)\.csv', 1) WHEN 'males' THEN 'M' ELSE 'F' END AS sex,
    CAST(replace(age_label, '+', '') AS INTEGER) AS age,
    CAST(population AS BIGINT) AS population
FROM long
ORDER BY lsoa_code, year, sex, age
