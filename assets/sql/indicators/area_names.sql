-- One row per level x area: the name shown beside each area code in the indicator marts (marts.dim_areas,
-- plus England).
CREATE OR REPLACE TEMP TABLE area_names AS
SELECT level, area_code, area_name FROM marts.dim_areas
UNION ALL
SELECT 'england', CAST($england_code AS VARCHAR), 'England';
