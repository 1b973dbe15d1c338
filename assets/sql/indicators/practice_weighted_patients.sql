-- One row per system practice x extract month: registered patients weighted by need, each age band x sex
-- counted at England's rate of $weighting_measure for that age and sex relative to England's overall rate
-- (same financial year; patients of unknown sex at the age band's persons rate). England's population
-- weighted this way equals England's population, so a weighted list is on England's scale.
-- Fractional values are summed as DECIMAL(38, 12), exactly: the same result whatever DuckDB's thread count.
CREATE OR REPLACE TEMP TABLE practice_weighted_patients AS
WITH england AS (
    SELECT a.financial_year, a.age_band, a.sex, CAST(a.activity AS DOUBLE) AS activity,
        CAST(p.population AS DOUBLE) AS population
    FROM marts.fct_england_activity AS a
    JOIN marts.fct_england_population AS p USING (financial_year, age_band, sex)
    WHERE a.measure = $weighting_measure
),
overall AS (
    SELECT financial_year, sum(activity) / sum(population) AS rate FROM england GROUP BY 1
),
weights AS (
    SELECT e.financial_year, e.age_band, e.sex, (e.activity / e.population) / o.rate AS weight
    FROM england AS e JOIN overall AS o USING (financial_year)
    WHERE e.population > 0
    UNION ALL
    SELECT e.financial_year, e.age_band, 'U', (sum(e.activity) / sum(e.population)) / any_value(o.rate)
    FROM england AS e JOIN overall AS o USING (financial_year)
    GROUP BY e.financial_year, e.age_band
)
SELECT r.practice_code, r.month, CAST(sum(CAST(r.patients * w.weight AS DECIMAL(38, 12))) AS DOUBLE) AS weighted_patients
FROM marts.fct_registered_patients AS r
JOIN weights AS w USING (financial_year, age_band, sex)
GROUP BY ALL;
