-- One row per financial year x activity measure x age band x sex: England's activity and population, the
-- reference of indirect standardisation (ISR, expected counts, per weighted capita, demographic growth).
-- Sexes M and F where England's activity and population are both held by sex, and P (persons) for every year
-- whose activity and population are held at all: persons rates serve areas whose population is held for persons
-- only (the public LSOA estimates), and England's population for persons is its M + F where held by sex, else its
-- persons rows (e.g. the sum of England's LSOAs).
CREATE OR REPLACE TEMP TABLE england_reference AS
WITH persons_population AS (
    SELECT financial_year, age_band,
        CASE WHEN count(*) FILTER (WHERE sex IN ('M', 'F')) > 0
             THEN sum(population) FILTER (WHERE sex IN ('M', 'F'))
             ELSE sum(population) FILTER (WHERE sex = 'P') END AS population
    FROM marts.fct_england_population
    GROUP BY ALL
),
persons_activity AS (
    SELECT financial_year, measure, age_band, sum(activity) AS activity
    FROM marts.fct_england_activity
    GROUP BY ALL
)
SELECT a.financial_year, a.measure, a.age_band, a.sex, CAST(a.activity AS DOUBLE) AS activity,
    CAST(p.population AS DOUBLE) AS population
FROM marts.fct_england_activity AS a
JOIN marts.fct_england_population AS p USING (financial_year, age_band, sex)
UNION ALL
SELECT a.financial_year, a.measure, a.age_band, 'P', CAST(a.activity AS DOUBLE), CAST(p.population AS DOUBLE)
FROM persons_activity AS a
JOIN persons_population AS p USING (financial_year, age_band);
