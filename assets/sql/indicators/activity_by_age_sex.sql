-- One row per level x area x financial year x activity measure x age band x sex with its population: the
-- input of the crude rate, DSR and ISR (pipelines.indicators.compute). Every population stratum appears for
-- every measure (activity 0 where none); activity of unknown sex (U) appears with population 0. An area's
-- year without a population estimate held is left out (a rate needs its denominator).
WITH measures AS (
    SELECT DISTINCT measure FROM area_activity
),
held AS (
    SELECT level, area_code, financial_year FROM area_population GROUP BY ALL HAVING sum(population) > 0
),
grid AS (
    SELECT p.level, p.area_code, p.financial_year, m.measure, p.age_band, p.sex, p.population
    FROM area_population AS p CROSS JOIN measures AS m
)
SELECT
    coalesce(g.level, a.level) AS level,
    coalesce(g.area_code, a.area_code) AS area_code,
    coalesce(g.financial_year, a.financial_year) AS financial_year,
    ina_financial_year_label(coalesce(g.financial_year, a.financial_year)) AS period,
    coalesce(g.measure, a.measure) AS measure,
    coalesce(g.age_band, a.age_band) AS age_band,
    coalesce(g.sex, a.sex) AS sex,
    coalesce(a.activity, 0.0) AS activity,
    coalesce(g.population, 0.0) AS population
FROM grid AS g
FULL OUTER JOIN area_activity AS a
    ON a.level = g.level AND a.area_code = g.area_code AND a.financial_year = g.financial_year
   AND a.measure = g.measure AND a.age_band = g.age_band AND a.sex = g.sex
WHERE coalesce(g.level, a.level) IN (SELECT unnest($levels))
  AND EXISTS (
      SELECT 1 FROM held AS h
      WHERE h.level = coalesce(g.level, a.level) AND h.area_code = coalesce(g.area_code, a.area_code)
        AND h.financial_year = coalesce(g.financial_year, a.financial_year))
ORDER BY ALL;
