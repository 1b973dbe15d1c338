-- One row per system practice x month x ESP2013 age band x sex: patients registered.
SELECT r.practice_code, r.month, ina_financial_year(r.month) AS financial_year, r.age_band, r.sex, r.patients
FROM staging.stg_gp__registered_patients_age_sex AS r
JOIN marts.dim_practices AS p USING (practice_code)
ORDER BY r.practice_code, r.month, ina_age_band_order(r.age_band), r.sex
