-- One row per financial year x ESP2013 age band x sex: England's resident population (ONS mid-year estimates).
SELECT
    year AS financial_year,
    ina_age_band(age) AS age_band,
    sex,
    CAST(sum(population) AS BIGINT) AS population
FROM staging.stg_population__england_age_sex
WHERE year BETWEEN $first_year AND $last_year
GROUP BY 1, 2, 3
ORDER BY financial_year, ina_age_band_order(age_band), sex
