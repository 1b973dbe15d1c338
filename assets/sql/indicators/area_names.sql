-- One row per level x area: the name shown beside each area code in the indicator marts (marts.dim_areas, every
-- PCN of marts.dim_practices, since a PCN can hold patients of LSOAs without being any LSOA's best fit, and
-- England).
CREATE OR REPLACE TEMP TABLE area_names AS
SELECT level, area_code, area_name FROM marts.dim_areas
UNION ALL
SELECT DISTINCT 'neighbourhood', neighbourhood_code, neighbourhood_name
FROM marts.dim_practices
WHERE neighbourhood_code NOT IN (SELECT area_code FROM marts.dim_areas WHERE level = 'neighbourhood')
UNION ALL
SELECT 'england', CAST($england_code AS VARCHAR), 'England';
