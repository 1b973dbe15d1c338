-- One row per financial year x activity measure x age band x sex: England's activity and population, the
-- reference rates of the indirect standardisation (ISR, expected counts, per weighted capita).
SELECT a.financial_year, a.measure, a.age_band, a.sex,
    CAST(a.activity AS DOUBLE) AS ref_count, CAST(p.population AS DOUBLE) AS ref_population
FROM marts.fct_england_activity AS a
JOIN marts.fct_england_population AS p USING (financial_year, age_band, sex)
ORDER BY ALL;
