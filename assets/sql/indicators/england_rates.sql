-- One row per financial year x activity measure x age band x sex (M, F, P): England's activity and population,
-- the reference rates of the indirect standardisation (ISR, expected counts, per weighted capita).
-- Reads the temp table england_reference (england_reference.sql).
SELECT financial_year, measure, age_band, sex, activity AS ref_count, population AS ref_population
FROM england_reference
ORDER BY ALL;
