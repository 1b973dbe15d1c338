-- One row per financial year of the profile: the rows fct_population has, and the rows a complete grid has
-- (every system LSOA x 19 ESP2013 age bands x 2 sexes).
WITH years AS (
    SELECT CAST(unnest(range($first_year, $last_year + 1)) AS INTEGER) AS financial_year
),
lsoas AS (
    SELECT count(*) AS n FROM marts.dim_geography
),
actual AS (
    SELECT financial_year, count(*) AS n_rows, count(DISTINCT lsoa_code) AS n_lsoas
    FROM marts.fct_population
    GROUP BY 1
)
SELECT
    y.financial_year,
    coalesce(a.n_rows, 0) AS rows_in_mart,
    l.n * 19 * 2 AS rows_expected,
    coalesce(a.n_lsoas, 0) AS lsoas_in_mart,
    l.n AS lsoas_expected
FROM years AS y
CROSS JOIN lsoas AS l
LEFT JOIN actual AS a USING (financial_year)
ORDER BY 1
