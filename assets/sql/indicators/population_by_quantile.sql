-- One row per level x area x financial year x quantile type x quantile x age band with the residents of the
-- area in each deprivation quantile (ONS mid-year estimates); quantiles and weights as activity_by_quantile.sql.
-- Fractional values are summed as DECIMAL(38, 12), exactly: the same result whatever DuckDB's thread count.
WITH population AS (
    SELECT lsoa_code, financial_year, age_band, sum(population) AS population
    FROM marts.fct_population
    GROUP BY ALL
)
SELECT l.level, l.area_code, p.financial_year, ina_financial_year_label(p.financial_year) AS period,
    CAST($imd_edition AS INTEGER) AS imd_edition, l.quantile_type, CAST(l.quantile AS INTEGER) AS quantile,
    p.age_band, CAST(sum(CAST(p.population * l.weight AS DECIMAL(38, 12))) AS DOUBLE) AS population
FROM population AS p
JOIN lsoa_quantile_areas AS l USING (lsoa_code, financial_year)
GROUP BY ALL
ORDER BY ALL;
