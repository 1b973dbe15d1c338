-- One row per LSOA in England per IMD edition: national score, rank, decile and quintile (1 = most deprived),
-- and, for the system's LSOAs, the decile and quintile ranked within the system (by IMD rank, equal LSOA counts).
WITH imd AS (
    SELECT d.*, g.lsoa_code IS NOT NULL AS in_system
    FROM staging.stg_imd__lsoa_deprivation AS d
    LEFT JOIN marts.dim_geography AS g USING (lsoa_code)
)
SELECT
    imd_edition,
    lsoa_code,
    lsoa_vintage,
    lad_code,
    in_system,
    imd_score,
    imd_rank,
    imd_decile,
    ina_imd_quintile(imd_decile) AS imd_quintile,
    CASE WHEN in_system THEN ntile(10) OVER (PARTITION BY imd_edition, in_system ORDER BY imd_rank) END
        AS system_imd_decile,
    CASE WHEN in_system THEN ntile(5) OVER (PARTITION BY imd_edition, in_system ORDER BY imd_rank) END
        AS system_imd_quintile,
    income_score, income_decile, employment_score, employment_decile, education_score, education_decile,
    health_score, health_decile, crime_score, crime_decile, housing_services_score, housing_services_decile,
    living_environment_score, living_environment_decile,
    population_mid2015
FROM imd
ORDER BY imd_edition, lsoa_code
