-- One row per LSOA of the system in the profile's boundary vintage: its local authority, sub-ICB location,
-- footprint, neighbourhood and system. Footprints come from the profile (staging.stg_config__footprints).
-- The neighbourhood is the best-fit PCN: among PCNs of the LSOA's own footprint, the one with most of the
-- LSOA's registered patients in the latest practice x LSOA extract (ties: lowest PCN code); neighbourhood_share
-- is that PCN's share of the LSOA's registered patients. An LSOA gets a neighbourhood only where the extract's
-- patients reach half its residents (latest ONS estimate held): a partial extract (e.g. one footprint's
-- practices only) would otherwise give LSOAs elsewhere a "best fit" on a few patients of neighbouring practices.
-- Fractional attribution by registration shares lives in fct_practice_lsoa_registrations.
WITH system_lsoas AS (
    SELECT g.*, f.footprint_code, f.footprint_name
    FROM staging.stg_geography__lsoas AS g
    JOIN staging.stg_config__footprints AS f USING (sub_icb_nhs_code)
    WHERE g.icb_code = $icb_code AND g.lsoa_vintage = $lsoa_vintage
),
pcn_footprints AS (
    SELECT DISTINCT p.pcn_code, p.pcn_name, f.footprint_code
    FROM staging.stg_gp__practices AS p
    JOIN staging.stg_config__footprints AS f USING (sub_icb_nhs_code)
),
latest_registrations AS (
    SELECT r.lsoa_code, p.pcn_code, sum(r.patients) AS patients
    FROM staging.stg_gp__registered_patients_lsoa AS r
    JOIN staging.stg_gp__practices AS p USING (practice_code)
    WHERE r.month = (SELECT max(month) FROM staging.stg_gp__registered_patients_lsoa)
    GROUP BY ALL
),
residents AS (
    SELECT lsoa_code, sum(population) AS population
    FROM staging.stg_population__lsoa_age_sex
    WHERE year = (SELECT max(year) FROM staging.stg_population__lsoa_age_sex)
    GROUP BY ALL
),
registration_shares AS (
    SELECT lsoa_code, pcn_code, patients, patients / sum(patients) OVER (PARTITION BY lsoa_code) AS share,
        sum(patients) OVER (PARTITION BY lsoa_code) AS lsoa_patients
    FROM latest_registrations
),
best_fit AS (
    SELECT s.lsoa_code, s.pcn_code, c.pcn_name, s.share
    FROM registration_shares AS s
    JOIN pcn_footprints AS c USING (pcn_code)
    JOIN system_lsoas AS l ON l.lsoa_code = s.lsoa_code AND l.footprint_code = c.footprint_code
    LEFT JOIN residents AS r ON r.lsoa_code = s.lsoa_code
    WHERE r.population IS NULL OR s.lsoa_patients >= 0.5 * r.population
    QUALIFY row_number() OVER (PARTITION BY s.lsoa_code ORDER BY s.patients DESC, s.pcn_code) = 1
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
    b.pcn_code AS neighbourhood_code,
    b.pcn_name AS neighbourhood_name,
    b.share AS neighbourhood_share,
    l.icb_code AS system_code,
    l.icb_name AS system_name,
    CAST($geography_version AS VARCHAR) AS geography_version
FROM system_lsoas AS l
LEFT JOIN best_fit AS b USING (lsoa_code)
ORDER BY l.lsoa_code
