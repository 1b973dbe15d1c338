-- The inputs of each financial year of marts.fct_activity (pipelines/increments.py): one row per year, its
-- fingerprint the count and order-free hash of every staged ED and admitted-spell row of its months. A year whose
-- fingerprint is unchanged since the last build keeps its rows; the others are rebuilt.
WITH inputs AS (
    SELECT ina_financial_year(month) AS part, 'ed' AS source, count(*) AS n, sum(hash(e)) AS h
    FROM staging.stg_uec__ed_attendances AS e
    WHERE month BETWEEN CAST($first_month AS DATE) AND CAST($last_month AS DATE)
    GROUP BY ALL
    UNION ALL
    SELECT ina_financial_year(month), 'apc', count(*), sum(hash(s))
    FROM staging.stg_uec__admitted_spells AS s
    WHERE month BETWEEN CAST($first_month AS DATE) AND CAST($last_month AS DATE)
    GROUP BY ALL
)
SELECT CAST(part AS VARCHAR) AS part, string_agg(printf('%s:%d:%d', source, n, h), ' ' ORDER BY source) AS fingerprint
FROM inputs
GROUP BY part
ORDER BY part
