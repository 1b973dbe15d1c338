-- One row per financial year x level x area x system LSOA x quantile type: the LSOA's deprivation quantile and
-- the share of it the area counts (area_lsoa_weights), for the level / quantile-type pairs of $gradient_sets
-- (settings.inequality_quantiles). Quantile types: national_decile / national_quintile (1 = most deprived
-- nationally) and system_decile / system_quintile (ranked within the system, equal LSOA counts).
-- Built once; activity_by_quantile.sql and population_by_quantile.sql both read it.
CREATE OR REPLACE TEMP TABLE lsoa_quantile_areas AS
WITH quantiles AS (
    SELECT lsoa_code, 'national_decile' AS quantile_type, imd_decile AS quantile
    FROM marts.dim_lsoa_deprivation WHERE in_system AND imd_edition = $imd_edition
    UNION ALL
    SELECT lsoa_code, 'national_quintile', imd_quintile
    FROM marts.dim_lsoa_deprivation WHERE in_system AND imd_edition = $imd_edition
    UNION ALL
    SELECT lsoa_code, 'system_decile', system_imd_decile
    FROM marts.dim_lsoa_deprivation WHERE in_system AND imd_edition = $imd_edition
    UNION ALL
    SELECT lsoa_code, 'system_quintile', system_imd_quintile
    FROM marts.dim_lsoa_deprivation WHERE in_system AND imd_edition = $imd_edition
)
SELECT w.financial_year, w.level, w.area_code, w.lsoa_code, w.weight, q.quantile_type, q.quantile
FROM area_lsoa_weights AS w
JOIN quantiles AS q USING (lsoa_code)
WHERE w.level || '/' || q.quantile_type IN (SELECT unnest($gradient_sets));
