-- One row per area at every level of the system (system, footprint, neighbourhood, local authority, LSOA),
-- with its parent: the drill path from system to LSOA. Local authorities are parented to the system
-- (they can cross footprints). Every PCN of the system is a neighbourhood, even one that is no LSOA's best fit.
SELECT DISTINCT 'system' AS level, system_code AS area_code, system_name AS area_name,
    CAST(NULL AS VARCHAR) AS parent_level, CAST(NULL AS VARCHAR) AS parent_code, geography_version
FROM marts.dim_geography
UNION ALL
SELECT DISTINCT 'footprint', footprint_code, footprint_name, 'system', system_code, geography_version
FROM marts.dim_geography
UNION ALL
SELECT DISTINCT 'neighbourhood', p.neighbourhood_code, p.neighbourhood_name, 'footprint', p.footprint_code,
    (SELECT any_value(geography_version) FROM marts.dim_geography)
FROM marts.dim_practices AS p
UNION ALL
SELECT DISTINCT 'local_authority', lad_code, lad_name, 'system', system_code, geography_version
FROM marts.dim_geography
UNION ALL
SELECT 'lsoa', lsoa_code, lsoa_name, 'neighbourhood', neighbourhood_code, geography_version
FROM marts.dim_geography
ORDER BY level, area_code
