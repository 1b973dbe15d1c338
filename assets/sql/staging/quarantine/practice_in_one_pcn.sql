-- Quarantine rule: every line of a practice the practice map lists more than once, whether in two PCNs (the
-- practice's neighbourhood is ambiguous) or twice in one. Row n of the file is on line n + 1 (see
-- lsoa_in_lookup.sql).
WITH numbered AS (
    SELECT row_number() OVER () + 1 AS line, PRACTICE_CODE, PCN_CODE
    FROM read_csv($file, columns = $columns, header = true, auto_detect = false)
),
repeated AS (
    SELECT PRACTICE_CODE, count(*) AS n_rows, count(DISTINCT PCN_CODE) AS n_pcns,
        string_agg(DISTINCT PCN_CODE, ', ' ORDER BY PCN_CODE) AS pcns
    FROM numbered
    GROUP BY 1
    HAVING count(*) > 1
)
SELECT
    $source AS source,
    $file_name AS file,
    n.line,
    'PRACTICE_CODE' AS column_name,
    n.PRACTICE_CODE AS value,
    CASE WHEN r.n_pcns > 1 THEN 'practice in ' || r.n_pcns || ' PCNs (' || r.pcns || ')'
        ELSE 'practice listed ' || r.n_rows || ' times in one PCN'
    END AS reason
FROM numbered AS n
JOIN repeated AS r USING (PRACTICE_CODE)
ORDER BY n.line
