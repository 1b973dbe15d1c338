-- One row per LSOA in England per IMD edition held (e.g. 2019 on LSOA 2011, 2025 on LSOA 2021): national score,
-- rank, decile and quintile (1 = most deprived), deciles and quintiles ranked within the system (by IMD rank,
-- equal LSOA counts), the footprint of a system LSOA (on either boundary vintage), domains, and the population
-- that weights the deprivation profile.
-- Population: the IoD's own denominators where the edition's files carry them (e.g. IoD2019: mid-2015,
-- excluding prisoners); else the latest ONS estimate held for the LSOA, and for an LSOA 2021 without one, the
-- ONS LSOA 2011 estimates apportioned through the best-fit lookup (an LSOA 2011 split into n LSOAs 2021 gives
-- each 1/n of its residents; merged LSOAs add up).
WITH ons_latest AS (
    SELECT lsoa_code, sum(population) AS population, any_value(year) AS year
    FROM staging.stg_population__lsoa_age_sex
    WHERE year = (SELECT max(year) FROM staging.stg_population__lsoa_age_sex)
    GROUP BY ALL
),
pairs AS (
    SELECT lsoa11_code, lsoa21_code, count(*) OVER (PARTITION BY lsoa11_code) AS children
    FROM staging.stg_geography__lsoa_vintages
),
apportioned AS (
    SELECT p.lsoa21_code AS lsoa_code, CAST(round(sum(o.population / p.children)) AS BIGINT) AS population,
        any_value(o.year) AS year
    FROM pairs AS p JOIN ons_latest AS o ON o.lsoa_code = p.lsoa11_code
    GROUP BY p.lsoa21_code
),
lad_2021 AS (
    SELECT DISTINCT lsoa21_code AS lsoa_code, lad_code FROM staging.stg_geography__lsoa_vintages
),
system AS (
    SELECT DISTINCT g.lsoa_vintage, g.lsoa_code, f.footprint_code
    FROM staging.stg_geography__lsoas AS g
    JOIN staging.stg_config__footprints AS f USING (sub_icb_nhs_code)
    WHERE g.icb_code = $icb_code
),
imd AS (
    SELECT
        i.*,
        s.lsoa_code IS NOT NULL AS in_system,
        s.footprint_code,
        l.lad_code AS lookup_lad_code,
        coalesce(o.population, a.population) AS ons_population,
        CASE WHEN i.population IS NOT NULL THEN i.population_basis
             WHEN o.population IS NOT NULL THEN printf('ONS mid-%d LSOA estimates', o.year)
             WHEN a.population IS NOT NULL THEN printf('ONS mid-%d LSOA 2011 estimates apportioned to LSOA 2021 '
                                                       '(splits shared equally)', a.year)
        END AS population_basis_used
    FROM staging.stg_imd__lsoa_deprivation AS i
    LEFT JOIN system AS s ON s.lsoa_vintage = i.lsoa_vintage AND s.lsoa_code = i.lsoa_code
    LEFT JOIN lad_2021 AS l ON i.lsoa_vintage = 2021 AND l.lsoa_code = i.lsoa_code
    LEFT JOIN ons_latest AS o ON o.lsoa_code = i.lsoa_code
    LEFT JOIN apportioned AS a ON i.lsoa_vintage = 2021 AND a.lsoa_code = i.lsoa_code
)
SELECT
    imd_edition,
    lsoa_code,
    lsoa_vintage,
    coalesce(lad_code, lookup_lad_code) AS lad_code,
    in_system,
    footprint_code,
    imd_score,
    imd_rank,
    imd_decile,
    ina_imd_quintile(imd_decile) AS imd_quintile,
    CASE WHEN in_system THEN ntile(10) OVER (PARTITION BY imd_edition, in_system ORDER BY imd_rank, lsoa_code) END
        AS system_imd_decile,
    CASE WHEN in_system THEN ntile(5) OVER (PARTITION BY imd_edition, in_system ORDER BY imd_rank, lsoa_code) END
        AS system_imd_quintile,
    income_score, income_decile, employment_score, employment_decile, education_score, education_decile,
    health_score, health_decile, crime_score, crime_decile, housing_services_score, housing_services_decile,
    living_environment_score, living_environment_decile,
    coalesce(population, ons_population) AS population,
    population_basis_used AS population_basis
FROM imd
ORDER BY imd_edition, lsoa_code
