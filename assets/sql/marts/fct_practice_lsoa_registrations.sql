-- One row per system practice x LSOA of residence x extract month: patients registered, with the share of
-- the LSOA's registered patients that the practice holds (the weights that carry LSOA measures to PCNs).
SELECT
    r.practice_code,
    r.lsoa_code,
    r.month,
    p.neighbourhood_code,
    r.patients,
    r.patients / sum(r.patients) OVER (PARTITION BY r.lsoa_code, r.month) AS lsoa_share
FROM staging.stg_gp__registered_patients_lsoa AS r
JOIN marts.dim_practices AS p USING (practice_code)
ORDER BY r.practice_code, r.lsoa_code, r.month
