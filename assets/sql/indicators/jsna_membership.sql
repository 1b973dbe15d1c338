-- One row per footprint or system x local authority whose JSNA counts it aggregates. An LA joins the
-- footprint holding the largest share of its system residents when that share is at least
-- $jsna_footprint_share ("wholly or mostly in the footprint"), and the system when at least $jsna_system_share
-- of the LA's residents live in the system (IoD mid-2015 LSOA populations of every LSOA in England; an LA
-- code absent from the IoD file, e.g. after a boundary change, is taken as wholly in the system).
-- Residents of the system by footprint: ONS mid-year estimate of the latest year up to $profile_year.
CREATE OR REPLACE TEMP TABLE jsna_membership AS
WITH la_footprints AS (
    SELECT g.lad_code, g.footprint_code, sum(p.population) AS population
    FROM marts.fct_population AS p
    JOIN marts.dim_geography AS g USING (lsoa_code)
    WHERE p.financial_year = (
        SELECT max(financial_year) FROM marts.fct_population WHERE financial_year <= $profile_year
    )
    GROUP BY ALL
),
la_main_footprint AS (
    SELECT lad_code, footprint_code, population / sum(population) OVER (PARTITION BY lad_code) AS share
    FROM la_footprints
    QUALIFY row_number() OVER (PARTITION BY lad_code ORDER BY population DESC, footprint_code) = 1
),
la_in_system AS (
    SELECT lad_code,
        sum(population) FILTER (WHERE in_system) / nullif(sum(population), 0) AS share
    FROM marts.dim_lsoa_deprivation
    WHERE imd_edition = $imd_edition
    GROUP BY 1
)
SELECT 'footprint' AS level, footprint_code AS area_code, lad_code, share
FROM la_main_footprint
WHERE share >= $jsna_footprint_share
UNION ALL
SELECT 'system', CAST($icb_code AS VARCHAR), f.lad_code, coalesce(s.share, 1.0)
FROM la_main_footprint AS f
LEFT JOIN la_in_system AS s USING (lad_code)
WHERE coalesce(s.share, 1.0) >= $jsna_system_share;
