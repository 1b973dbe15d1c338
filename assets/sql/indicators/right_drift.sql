-- One row per activity measure x level (england, system, footprint) x area x financial year from the base
-- year: growth of residents' activity since the base year, England's growth over the same years, and the
-- demographic growth (England's base-year age-sex rates applied to each year's population: the growth that
-- population size and age alone would give). Drift = local growth - England's, and local - demographic,
-- in percentage points. Reads the temp tables area_activity, area_population, area_names and england_reference.
-- Fractional values are summed as DECIMAL(38, 12), exactly: the same result whatever DuckDB's thread count.
WITH base_rates AS (
    SELECT measure, age_band, sex, activity / population AS rate
    FROM england_reference
    WHERE financial_year = $base_year AND population > 0
),
observed AS (
    SELECT level, area_code, financial_year, measure, sum(activity) AS activity
    FROM area_activity
    WHERE level IN ('england', 'system', 'footprint')
    GROUP BY ALL
),
population AS (
    SELECT level, area_code, financial_year, sum(population) AS population
    FROM area_population
    WHERE level IN ('england', 'system', 'footprint')
    GROUP BY ALL
),
demographic AS (
    SELECT p.level, p.area_code, p.financial_year, r.measure, CAST(sum(CAST(p.population * r.rate AS DECIMAL(38, 12))) AS DOUBLE) AS expected
    FROM area_population AS p
    JOIN base_rates AS r USING (age_band, sex)
    WHERE p.level IN ('england', 'system', 'footprint')
    GROUP BY ALL
),
yearly AS (
    SELECT d.level, d.area_code, d.financial_year, d.measure, coalesce(o.activity, 0) AS activity, d.expected,
        p.population
    FROM demographic AS d
    JOIN population AS p USING (level, area_code, financial_year)
    LEFT JOIN observed AS o USING (level, area_code, financial_year, measure)
),
growth AS (
    SELECT y.*,
        b.activity AS base_activity,
        b.population AS base_population,
        b.expected AS base_expected,
        (y.activity / b.activity - 1) * 100 AS growth_pct,
        (y.population / b.population - 1) * 100 AS population_growth_pct,
        (y.expected / b.expected - 1) * 100 AS demographic_growth_pct,
        b.activity * y.expected / b.expected AS demographic_expected_activity
    FROM yearly AS y
    JOIN yearly AS b
        ON b.level = y.level AND b.area_code = y.area_code AND b.measure = y.measure
       AND b.financial_year = $base_year
    WHERE y.financial_year >= $base_year AND b.activity > 0
)
SELECT
    g.measure,
    g.level,
    g.area_code,
    n.area_name,
    CAST($base_year AS INTEGER) AS base_financial_year,
    g.financial_year,
    ina_financial_year_label(g.financial_year) AS period,
    g.base_activity,
    g.activity,
    g.growth_pct,
    g.base_population,
    g.population,
    g.population_growth_pct,
    g.demographic_expected_activity,
    g.demographic_growth_pct,
    g.activity - g.demographic_expected_activity AS excess_over_demographic,
    e.growth_pct AS england_growth_pct,
    e.demographic_growth_pct AS england_demographic_growth_pct,
    g.growth_pct - e.growth_pct AS drift_vs_england_pp,
    g.growth_pct - g.demographic_growth_pct AS drift_vs_demographic_pp
FROM growth AS g
JOIN growth AS e
    ON e.level = 'england' AND e.measure = g.measure AND e.financial_year = g.financial_year
LEFT JOIN area_names AS n ON n.level = g.level AND n.area_code = g.area_code
ORDER BY g.measure, CASE g.level WHEN 'england' THEN 0 WHEN 'system' THEN 1 ELSE 2 END, g.area_code, g.financial_year;
