-- One row per level (system, footprint, neighbourhood) x area x IMD edition: the practices' registered patients
-- and patients x practice IMD score (marts.fct_practice_deprivation), and England's published score. A practice
-- without a registered-patient count held is left out.
-- Fractional values are summed as DECIMAL(38, 12), exactly: the same result whatever DuckDB's thread count.
WITH practices AS (
    SELECT * FROM marts.fct_practice_deprivation WHERE registered_patients > 0
),
by_level AS (
    SELECT 'system' AS level, system_code AS area_code, * FROM practices
    UNION ALL SELECT 'footprint', footprint_code, * FROM practices
    UNION ALL SELECT 'neighbourhood', neighbourhood_code, * FROM practices
)
SELECT level, area_code, imd_edition, 'IMD' || imd_edition AS period,
    CAST(sum(CAST(registered_patients AS DECIMAL(38, 12))) AS DOUBLE) AS patients,
    CAST(sum(CAST(registered_patients * imd_score AS DECIMAL(38, 12))) AS DOUBLE) AS patients_x_score,
    any_value(england_imd_score) AS england_score
FROM by_level
WHERE area_code IS NOT NULL
GROUP BY ALL
UNION ALL
SELECT 'england', CAST($england_code AS VARCHAR), imd_edition, 'IMD' || imd_edition, NULL, NULL,
    any_value(england_imd_score)
FROM marts.fct_practice_deprivation
GROUP BY imd_edition
ORDER BY ALL
