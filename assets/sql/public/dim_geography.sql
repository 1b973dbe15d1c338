-- One row per LSOA of the system in the profile's boundary vintage (public_lsoa_geography), with its best-fit
-- neighbourhood where practice x LSOA registrations are published: the PCN of the LSOA's own footprint holding
-- most of its registered patients (ties: lowest PCN code). Only Pennine Lancashire's registrations (April 2020,
-- LSOA 2011: Pennine LSOAs, plus Pennine practices' patients elsewhere) are held, so an LSOA gets a neighbourhood
-- only where the file's patients reach half its ONS residents; elsewhere the neighbourhood is empty (a best fit
-- on a few patients of neighbouring practices would mislead; see marts.public_unavailable).
WITH system_lsoas AS (
    SELECT * FROM marts.public_lsoa_geography WHERE lsoa_vintage = $lsoa_vintage
),
registrations AS (
    SELECT r.lsoa_code, p.neighbourhood_code, p.neighbourhood_name, p.footprint_code, sum(r.patients) AS patients
    FROM staging.stg_public__practice_lsoa AS r
    JOIN marts.dim_practices AS p USING (practice_code)
    WHERE r.lsoa_code IS NOT NULL AND r.lsoa_vintage = $lsoa_vintage AND r.sex = 'P' AND r.age_band = 'all'
      AND r.month = (SELECT max(month) FROM staging.stg_public__practice_lsoa)
    GROUP BY ALL
),
shares AS (
    SELECT *, patients / sum(patients) OVER (PARTITION BY lsoa_code) AS share,
           sum(patients) OVER (PARTITION BY lsoa_code) AS lsoa_patients
    FROM registrations
),
covered AS (
    SELECT s.* FROM shares AS s
    JOIN staging.stg_public__lsoa_population AS p ON p.lsoa_code = s.lsoa_code AND p.lsoa_vintage = $lsoa_vintage
    WHERE s.lsoa_patients >= 0.5 * p.population
),
best_fit AS (
    SELECT s.lsoa_code, s.neighbourhood_code, s.neighbourhood_name, s.share
    FROM covered AS s
    JOIN system_lsoas AS l ON l.lsoa_code = s.lsoa_code AND l.footprint_code = s.footprint_code
    QUALIFY row_number() OVER (PARTITION BY s.lsoa_code ORDER BY s.patients DESC, s.neighbourhood_code) = 1
)
SELECT
    l.lsoa_code,
    l.lsoa_name,
    l.lsoa_vintage,
    l.lad_code,
    l.lad_name,
    l.sub_icb_code,
    l.sub_icb_nhs_code,
    l.sub_icb_name,
    l.footprint_code,
    l.footprint_name,
    b.neighbourhood_code,
    b.neighbourhood_name,
    b.share AS neighbourhood_share,
    l.system_code,
    l.system_name,
    CAST($geography_version AS VARCHAR) AS geography_version
FROM system_lsoas AS l
LEFT JOIN best_fit AS b USING (lsoa_code)
ORDER BY l.lsoa_code
