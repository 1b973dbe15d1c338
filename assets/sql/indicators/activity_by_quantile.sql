-- One row per level x area x financial year x activity measure x quantile type x quantile x age band with
-- activity: residents' activity in each deprivation quantile of the profile's IMD edition (zero rows omitted;
-- population_by_quantile.sql gives the residents). Quantile types: national_decile / national_quintile
-- (1 = most deprived nationally) and system_decile / system_quintile (ranked within the system, equal LSOA
-- counts); only the level / quantile-type pairs of $gradient_sets (settings.inequality_quantiles). Weights as
-- area_lsoa_weights (fractional for neighbourhoods).
-- Fractional values are summed as DECIMAL(38, 12), exactly: the same result whatever DuckDB's thread count.
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
),
lsoa_areas AS (
    SELECT w.financial_year, w.level, w.area_code, w.lsoa_code, w.weight, q.quantile_type, q.quantile
    FROM area_lsoa_weights AS w
    JOIN quantiles AS q USING (lsoa_code)
    WHERE w.level || '/' || q.quantile_type IN (SELECT unnest($gradient_sets))
),
activity AS (
    SELECT lsoa_code, financial_year, measure, age_band, sum(activity) AS activity
    FROM marts.fct_activity
    GROUP BY ALL
)
SELECT l.level, l.area_code, a.financial_year, a.measure, l.quantile_type, CAST(l.quantile AS INTEGER) AS quantile,
    a.age_band, CAST(sum(CAST(a.activity * l.weight AS DECIMAL(38, 12))) AS DOUBLE) AS activity
FROM activity AS a
JOIN lsoa_areas AS l USING (lsoa_code, financial_year)
GROUP BY ALL
ORDER BY ALL;
