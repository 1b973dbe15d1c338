-- Quarantine rule: lines of one file whose LSOA code ($column) is not an LSOA of the LSOA 2011 lookup
-- (staging.stg_geography__lsoas, every LSOA in England). ONS numbers new LSOAs after the existing ones: the
-- 2011 LSOAs end at E01033768 and the LSOAs new in 2021 use the 1,994 numbers after it (E01033769 to
-- E01035762). So a code within 2,000 numbers after the lookup's last code is an LSOA 2021 code in a 2011
-- source; any other code is unknown.
-- Row n of the file is on line n + 1: the reader keeps the file's order, and the validator has rejected
-- blank lines and values spanning lines.
WITH numbered AS (
    SELECT row_number() OVER () + 1 AS line, COLUMNS(c -> c = $column) AS value
    FROM read_csv($file, columns = $columns, header = true, auto_detect = false)
),
lookup AS (
    SELECT max(lsoa_code) AS last_code, max(CAST(substr(lsoa_code, 4) AS INTEGER)) AS last_number
    FROM staging.stg_geography__lsoas
    WHERE lsoa_code LIKE 'E01%'
)
SELECT
    $source AS source,
    $file_name AS file,
    n.line,
    $column AS column_name,
    n.value,
    CASE WHEN n.value LIKE 'E01%'
            AND TRY_CAST(substr(n.value, 4) AS INTEGER) BETWEEN l.last_number + 1 AND l.last_number + 2000
        THEN 'LSOA 2021 code in a 2011 source (numbered after ' || l.last_code || ', the last LSOA 2011 code)'
        ELSE 'unknown LSOA code (not in the LSOA 2011 lookup)'
    END AS reason
FROM numbered AS n, lookup AS l
WHERE n.value NOT IN (SELECT lsoa_code FROM staging.stg_geography__lsoas)
ORDER BY n.line
