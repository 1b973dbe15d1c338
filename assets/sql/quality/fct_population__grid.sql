-- One row per financial year of the profile whose estimates are held, and per year the mart holds outside the
-- profile's: the rows fct_population has, and the rows a complete grid has (every system LSOA x 19 ESP2013 age
-- bands x the sexes of that year's estimates: M and F, or P where the estimates held are for persons).
WITH years AS (
    SELECT DISTINCT CAST(year AS INTEGER) AS financial_year,
        count(DISTINCT sex) OVER (PARTITION BY year) AS sexes
    FROM staging.stg_population__lsoa_age_sex
    WHERE year BETWEEN $first_year AND $last_year
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
    l.n * 19 * y.sexes AS rows_expected,
    coalesce(a.n_lsoas, 0) AS lsoas_in_mart,
    l.n AS lsoas_expected
FROM years AS y
CROSS JOIN lsoas AS l
LEFT JOIN actual AS a USING (financial_year)
UNION ALL
SELECT a.financial_year, a.n_rows, 0, a.n_lsoas, 0  -- a year outside the profile's: no rows expected
FROM actual AS a
WHERE a.financial_year NOT IN (SELECT financial_year FROM years)
ORDER BY 1
