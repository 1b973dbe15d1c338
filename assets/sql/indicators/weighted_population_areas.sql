-- One row per level x area x financial year of a supplied need-weighted population (the optional file named by
-- settings.weighted_population_file, registered as weighted_population_file): England and the system as
-- given (the ICB by its ONS or NHS code; else the sum of all its sub-ICB locations), and each footprint as the
-- sum of its sub-ICB locations when the file has every one of them.
-- Fractional values are summed as DECIMAL(38, 12), exactly: the same result whatever DuckDB's thread count.
WITH supplied AS (
    SELECT area_code, CAST(left(financial_year, 4) AS INTEGER) AS financial_year, weighted_population
    FROM weighted_population_file
),
sub_icbs AS (
    SELECT DISTINCT sub_icb_code, sub_icb_nhs_code, footprint_code FROM marts.dim_geography
),
by_sub_icb AS (
    SELECT s.footprint_code, s.sub_icb_nhs_code, f.financial_year, f.weighted_population
    FROM supplied AS f
    JOIN sub_icbs AS s ON f.area_code IN (s.sub_icb_code, s.sub_icb_nhs_code)
),
footprints AS (
    SELECT footprint_code, financial_year, CAST(sum(CAST(weighted_population AS DECIMAL(38, 12))) AS DOUBLE) AS weighted_population,
        count(DISTINCT sub_icb_nhs_code) AS n_given,
        any_value((SELECT count(*) FROM sub_icbs AS s WHERE s.footprint_code = b.footprint_code)) AS n_needed
    FROM by_sub_icb AS b
    GROUP BY ALL
),
system_given AS (
    SELECT financial_year, weighted_population FROM supplied
    WHERE area_code IN (CAST($icb_code AS VARCHAR), CAST($icb_nhs_code AS VARCHAR))
),
system_summed AS (
    SELECT financial_year, CAST(sum(CAST(weighted_population AS DECIMAL(38, 12))) AS DOUBLE) AS weighted_population
    FROM by_sub_icb GROUP BY 1
    HAVING count(DISTINCT sub_icb_nhs_code) = (SELECT count(*) FROM sub_icbs)
)
SELECT 'england' AS level, CAST($england_code AS VARCHAR) AS area_code, financial_year, weighted_population
FROM supplied WHERE area_code = $england_code
UNION ALL
SELECT 'system', CAST($icb_code AS VARCHAR), financial_year, weighted_population FROM system_given
UNION ALL
SELECT 'system', CAST($icb_code AS VARCHAR), financial_year, weighted_population FROM system_summed
WHERE financial_year NOT IN (SELECT financial_year FROM system_given)
UNION ALL
SELECT 'footprint', footprint_code, financial_year, weighted_population FROM footprints WHERE n_given = n_needed
ORDER BY ALL
