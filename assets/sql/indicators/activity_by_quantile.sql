-- One row per level x area x financial year x activity measure x quantile type x quantile x age band with
-- activity: residents' activity in each deprivation quantile of the profile's IMD edition (zero rows omitted;
-- population_by_quantile.sql gives the residents). Quantiles, level / quantile-type pairs and weights
-- (fractional for neighbourhoods) come from the temp table of lsoa_quantile_areas.sql.
-- Only financial years with a population estimate held: a rate needs its denominator.
-- Fractional values are summed as DECIMAL(38, 12), exactly: the same result whatever DuckDB's thread count.
WITH activity AS (
    SELECT lsoa_code, financial_year, measure, age_band, sum(activity) AS activity
    FROM marts.fct_activity
    WHERE financial_year IN (SELECT DISTINCT financial_year FROM marts.fct_population)
    GROUP BY ALL
)
SELECT l.level, l.area_code, a.financial_year, a.measure, l.quantile_type, CAST(l.quantile AS INTEGER) AS quantile,
    a.age_band, CAST(sum(CAST(a.activity * l.weight AS DECIMAL(38, 12))) AS DOUBLE) AS activity
FROM activity AS a
JOIN lsoa_quantile_areas AS l USING (lsoa_code, financial_year)
GROUP BY ALL
ORDER BY ALL;
