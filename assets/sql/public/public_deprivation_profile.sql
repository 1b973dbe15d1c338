-- One row per IMD edition x area (England, the system, each footprint, sub-ICB location and local authority):
-- LSOAs and residents in national deciles 1-2 (the most deprived 20%, "Core20") and decile 1, and the mean IMD
-- score, unweighted and weighted by population. Each edition is counted on its own LSOA boundaries (IMD 2019 on
-- LSOA 2011, IMD 2025 on LSOA 2021). A mean is left empty when any LSOA of the area lacks a score or population.
-- Wilson limits for the LSOA shares are added in Python (assets.public.build_deprivation_profile).
WITH lsoas AS (
    SELECT imd_edition, lsoa_vintage, lsoa_code, imd_decile, imd_score, population, population_basis
    FROM marts.dim_lsoa_deprivation
),
membership AS (
    SELECT d.*, 'england' AS level, CAST($england_code AS VARCHAR) AS area_code, 'England' AS area_name
    FROM lsoas AS d
    UNION ALL
    SELECT d.*, 'system', g.system_code, g.system_name
    FROM lsoas AS d JOIN marts.public_lsoa_geography AS g USING (lsoa_vintage, lsoa_code)
    UNION ALL
    SELECT d.*, 'footprint', g.footprint_code, g.footprint_name
    FROM lsoas AS d JOIN marts.public_lsoa_geography AS g USING (lsoa_vintage, lsoa_code)
    UNION ALL
    SELECT d.*, 'sub_icb', g.sub_icb_nhs_code, g.sub_icb_name
    FROM lsoas AS d JOIN marts.public_lsoa_geography AS g USING (lsoa_vintage, lsoa_code)
    UNION ALL
    SELECT d.*, 'local_authority', g.lad_code, g.lad_name
    FROM lsoas AS d JOIN marts.public_lsoa_geography AS g USING (lsoa_vintage, lsoa_code)
    WHERE g.lad_code IS NOT NULL
),
counts AS (
    SELECT
        imd_edition,
        any_value(lsoa_vintage) AS lsoa_vintage,
        level,
        area_code,
        any_value(area_name) AS area_name,
        count(*) AS lsoas,
        count(*) FILTER (WHERE imd_decile <= 2) AS lsoas_decile_1_2,
        count(*) FILTER (WHERE imd_decile = 1) AS lsoas_decile_1,
        count(population) = count(*) AS all_populations,
        count(imd_score) = count(*) AS all_scores,
        sum(population) AS population,
        sum(population) FILTER (WHERE imd_decile <= 2) AS population_decile_1_2,
        sum(population) FILTER (WHERE imd_decile = 1) AS population_decile_1,
        avg(imd_score) AS imd_score_lsoa_mean,
        sum(imd_score * population) / sum(population) AS imd_score_population_weighted,
        string_agg(DISTINCT population_basis, '; ') AS population_basis
    FROM membership
    GROUP BY imd_edition, level, area_code
)
SELECT
    CAST(imd_edition AS INTEGER) AS imd_edition,
    CAST(lsoa_vintage AS INTEGER) AS lsoa_vintage,
    level,
    area_code,
    area_name,
    lsoas,
    lsoas_decile_1_2,
    100.0 * lsoas_decile_1_2 / lsoas AS pct_lsoas_decile_1_2,
    lsoas_decile_1,
    100.0 * lsoas_decile_1 / lsoas AS pct_lsoas_decile_1,
    CASE WHEN all_populations THEN population END AS population,
    CASE WHEN all_populations THEN 100.0 * coalesce(population_decile_1_2, 0) / population END
        AS pct_population_decile_1_2,
    CASE WHEN all_populations THEN 100.0 * coalesce(population_decile_1, 0) / population END
        AS pct_population_decile_1,
    CASE WHEN all_scores THEN imd_score_lsoa_mean END AS imd_score_lsoa_mean,
    CASE WHEN all_scores AND all_populations THEN imd_score_population_weighted END AS imd_score_population_weighted,
    CASE WHEN all_populations THEN population_basis END AS population_basis,
    nullif(concat_ws('; ',
        CASE WHEN NOT all_scores THEN printf('no LSOA IMD %d scores in the files read (ranks and deciles only)',
                                             imd_edition) END,
        CASE WHEN NOT all_populations THEN 'population missing for some LSOAs' END), '') AS note
FROM counts
ORDER BY imd_edition, CASE level WHEN 'england' THEN 0 WHEN 'system' THEN 1 WHEN 'footprint' THEN 2
                                 WHEN 'sub_icb' THEN 3 ELSE 4 END, area_code
