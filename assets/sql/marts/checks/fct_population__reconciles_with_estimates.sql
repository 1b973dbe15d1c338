-- The mart's population equals the ONS estimates summed over the system's LSOAs, year by year.
WITH source AS (
    SELECT p.year AS financial_year, sum(p.population) AS population
    FROM staging.stg_population__lsoa_age_sex AS p
    JOIN marts.dim_geography AS g USING (lsoa_code)
    WHERE p.year BETWEEN $first_year AND $last_year
    GROUP BY 1
), mart AS (
    SELECT financial_year, sum(population) AS population FROM marts.fct_population GROUP BY 1
), compared AS (
    SELECT financial_year, source.population AS expected, mart.population AS actual
    FROM source FULL JOIN mart USING (financial_year)
)
SELECT
    bool_and(expected IS NOT DISTINCT FROM actual) AND count(*) > 0,
    printf('%d years compared; %d differ', count(*), count(*) FILTER (WHERE expected IS DISTINCT FROM actual))
FROM compared
