-- One row per system LSOA x financial year x ESP2013 age band x sex: resident population (ONS mid-year
-- estimate for mid-year Y is the denominator of FY Y/Y+1).
SELECT
    p.lsoa_code,
    p.year AS financial_year,
    ina_age_band(p.age) AS age_band,
    p.sex,
    CAST(sum(p.population) AS BIGINT) AS population
FROM staging.stg_population__lsoa_age_sex AS p
JOIN marts.dim_geography AS g USING (lsoa_code)
WHERE p.year BETWEEN $first_year AND $last_year
GROUP BY 1, 2, 3, 4
ORDER BY p.lsoa_code, financial_year, ina_age_band_order(age_band), p.sex
