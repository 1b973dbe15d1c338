-- One row per level x area x IMD edition x national IMD decile: the area's LSOAs (weighted; fractional for
-- neighbourhoods), residents (ONS mid-year estimate of the latest year up to $profile_year, the profile's last
-- financial year) and residents x IMD score, from which
-- the deprivation profile's shares and population-weighted score are summed. England counts every LSOA in
-- England, with the IoD's own population denominators (mid-2015): the only England-wide LSOA populations held.
-- Fractional values are summed as DECIMAL(38, 12), exactly: the same result whatever DuckDB's thread count.
WITH profile_year AS (
    SELECT max(financial_year) AS financial_year FROM marts.fct_population WHERE financial_year <= $profile_year
),
residents AS (
    SELECT lsoa_code, sum(population) AS population
    FROM marts.fct_population
    WHERE financial_year = (SELECT financial_year FROM profile_year)
    GROUP BY 1
),
weights AS (
    SELECT level, area_code, lsoa_code, weight
    FROM area_lsoa_weights
    WHERE financial_year = (SELECT financial_year FROM profile_year) AND level <> 'lsoa'
)
SELECT w.level, w.area_code, d.imd_edition, 'IMD' || d.imd_edition AS period, d.imd_decile,
    CAST(sum(CAST(w.weight AS DECIMAL(38, 12))) AS DOUBLE) AS lsoas,
    CAST(sum(CAST(w.weight * coalesce(r.population, 0) AS DECIMAL(38, 12))) AS DOUBLE) AS residents,
    CAST(sum(CAST(w.weight * coalesce(r.population, 0) * d.imd_score AS DECIMAL(38, 12))) AS DOUBLE) AS residents_x_score
FROM weights AS w
JOIN marts.dim_lsoa_deprivation AS d USING (lsoa_code)
LEFT JOIN residents AS r USING (lsoa_code)
WHERE d.lsoa_vintage = $lsoa_vintage
GROUP BY ALL
UNION ALL
SELECT a.level, a.area_code, d.imd_edition, 'IMD' || d.imd_edition, d.imd_decile,
    CAST(count(*) AS DOUBLE),
    CAST(sum(coalesce(d.population, 0)) AS DOUBLE),
    CAST(sum(CAST(coalesce(d.population, 0) * d.imd_score AS DECIMAL(38, 12))) AS DOUBLE)
FROM marts.dim_lsoa_deprivation AS d
CROSS JOIN LATERAL (VALUES ('system', CAST($icb_code AS VARCHAR)), ('footprint', d.footprint_code),
                           ('local_authority', d.lad_code)) AS a(level, area_code)
WHERE d.lsoa_vintage <> $lsoa_vintage AND d.in_system
GROUP BY ALL
UNION ALL
SELECT 'england', CAST($england_code AS VARCHAR), imd_edition, 'IMD' || imd_edition, imd_decile,
    CAST(count(*) AS DOUBLE),
    CAST(sum(population) AS DOUBLE),
    CAST(sum(CAST(population * imd_score AS DECIMAL(38, 12))) AS DOUBLE)
FROM marts.dim_lsoa_deprivation
GROUP BY ALL
ORDER BY ALL;
