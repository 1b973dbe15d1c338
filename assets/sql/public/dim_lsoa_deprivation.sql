-- One row per LSOA in England per IMD edition held (2019 on LSOA 2011, 2025 on LSOA 2021): national score,
-- rank, decile and quintile (1 = most deprived), deciles and quintiles ranked within the system (by IMD rank,
-- equal LSOA counts), domains, and the population that weights the deprivation profile.
-- Population: the IoD's own denominators where the edition's files carry them (IoD2019 File 6: mid-2015,
-- excluding prisoners); else the latest ONS LSOA 2011 estimate held, for LSOA 2021 apportioned through the ONS
-- best-fit lookup (an LSOA 2011 split into n LSOAs 2021 gives each 1/n of its residents; merged LSOAs add up).
WITH iod AS (
    SELECT * FROM staging.stg_public__imd2019
    UNION ALL BY NAME
    SELECT * FROM staging.stg_public__imd2025
),
ons_2011 AS (
    SELECT lsoa_code, population, year FROM staging.stg_public__lsoa_population
),
pairs AS (
    SELECT lsoa11_code, lsoa21_code, count(*) OVER (PARTITION BY lsoa11_code) AS children
    FROM staging.stg_public__lsoa_vintage_lookup
),
ons AS (
    SELECT 2011 AS lsoa_vintage, lsoa_code, population, year, false AS apportioned FROM ons_2011
    UNION ALL
    SELECT 2021, p.lsoa21_code, CAST(round(sum(o.population / p.children)) AS BIGINT), any_value(o.year), true
    FROM pairs AS p JOIN ons_2011 AS o ON o.lsoa_code = p.lsoa11_code
    GROUP BY p.lsoa21_code
),
lad_2021 AS (
    SELECT DISTINCT 2021 AS lsoa_vintage, lsoa21_code AS lsoa_code, lad_code FROM staging.stg_public__lsoa_vintage_lookup
),
system AS (
    SELECT lsoa_vintage, lsoa_code FROM marts.public_lsoa_geography
),
imd AS (
    SELECT
        i.*,
        s.lsoa_code IS NOT NULL AS in_system,
        l.lad_code AS lookup_lad_code,
        o.population AS ons_population,
        CASE WHEN i.population IS NOT NULL THEN printf('IoD%d denominators as published with the index', i.imd_edition)
             WHEN o.apportioned THEN printf('ONS mid-%d LSOA 2011 estimates apportioned to LSOA 2021 '
                                            '(splits shared equally)', o.year)
             WHEN o.population IS NOT NULL THEN printf('ONS mid-%d LSOA 2011 estimates', o.year)
        END AS population_basis
    FROM iod AS i
    LEFT JOIN system AS s ON s.lsoa_vintage = i.lsoa_vintage AND s.lsoa_code = i.lsoa_code
    LEFT JOIN lad_2021 AS l ON l.lsoa_vintage = i.lsoa_vintage AND l.lsoa_code = i.lsoa_code
    LEFT JOIN ons AS o ON o.lsoa_vintage = i.lsoa_vintage AND o.lsoa_code = i.lsoa_code
)
SELECT
    CAST(imd_edition AS INTEGER) AS imd_edition,
    lsoa_code,
    CAST(lsoa_vintage AS INTEGER) AS lsoa_vintage,
    coalesce(lad_code, lookup_lad_code) AS lad_code,
    in_system,
    imd_score,
    imd_rank,
    imd_decile,
    ina_imd_quintile(imd_decile) AS imd_quintile,
    CASE WHEN in_system THEN ntile(10) OVER (PARTITION BY imd_edition, in_system ORDER BY imd_rank, lsoa_code) END
        AS system_imd_decile,
    CASE WHEN in_system THEN ntile(5) OVER (PARTITION BY imd_edition, in_system ORDER BY imd_rank, lsoa_code) END
        AS system_imd_quintile,
    income_score, income_decile, employment_score, employment_decile, education_score, education_decile,
    health_score, health_decile, crime_score, crime_decile,
    housing_score AS housing_services_score, housing_decile AS housing_services_decile,
    environment_score AS living_environment_score, environment_decile AS living_environment_decile,
    CASE WHEN imd_edition = 2019 THEN population END AS population_mid2015,
    coalesce(population, ons_population) AS population,
    population_basis,
    source_id AS iod_source
FROM imd
ORDER BY imd_edition, lsoa_code
