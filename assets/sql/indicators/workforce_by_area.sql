-- One row per level x area x census month x staff group (an FTE column of marts.fct_gp_workforce): FTE and
-- the registered patients of the practices that reported that staff group that month (a practice with no
-- figure for a group counts in neither numerator nor denominator), and the same for need-weighted patients
-- (practices with an age-sex list that month). England from marts.fct_england_gp_workforce (per staff group,
-- the patients of the practices the FTE covers), whose weighted
-- list is its registered list by construction (weights average 1 over England's population).
-- Needs the temp table practice_weighted_patients (practice_weighted_patients.sql).
-- Fractional values are summed as DECIMAL(38, 12), exactly: the same result whatever DuckDB's thread count.
WITH long AS (
    UNPIVOT (
        SELECT practice_code, month, period_kind, neighbourhood_code, footprint_code, system_code, registered_patients,
            gp_fte_all, gp_fte_qualified, gp_fte_trainees, gp_fte_locums, nurses_fte, dpc_fte, admin_fte
        FROM marts.fct_gp_workforce
    )
    ON gp_fte_all, gp_fte_qualified, gp_fte_trainees, gp_fte_locums, nurses_fte, dpc_fte, admin_fte
    INTO NAME staff_column VALUE fte
),
practices AS (
    SELECT l.*, w.weighted_patients
    FROM long AS l
    LEFT JOIN practice_weighted_patients AS w USING (practice_code, month)
),
by_level AS (
    SELECT 'system' AS level, system_code AS area_code, * EXCLUDE (system_code) FROM practices
    UNION ALL SELECT 'footprint', footprint_code, * EXCLUDE (footprint_code) FROM practices
    UNION ALL SELECT 'neighbourhood', neighbourhood_code, * EXCLUDE (neighbourhood_code) FROM practices
)
-- period: the census month (2024-03), or the calendar year whose mean the files hold (2024).
SELECT level, area_code, month,
    CASE period_kind WHEN 'month' THEN strftime(month, '%Y-%m') ELSE strftime(month, '%Y') END AS period, staff_column,
    CAST(sum(CAST(fte AS DECIMAL(38, 12))) AS DOUBLE) AS fte,
    CAST(sum(CAST(registered_patients AS DECIMAL(38, 12))) AS DOUBLE) AS registered_patients,
    CAST(sum(CAST(fte AS DECIMAL(38, 12))) FILTER (WHERE weighted_patients IS NOT NULL) AS DOUBLE) AS fte_weighted,
    CAST(sum(CAST(weighted_patients AS DECIMAL(38, 12))) AS DOUBLE) AS weighted_patients,
    count(*) AS practices
FROM by_level
GROUP BY ALL
UNION ALL
SELECT 'england', CAST($england_code AS VARCHAR), month,
    CASE period_kind WHEN 'month' THEN strftime(month, '%Y-%m') ELSE strftime(month, '%Y') END,
    staff_group AS staff_column, fte, CAST(registered_patients AS DOUBLE), fte, CAST(registered_patients AS DOUBLE),
    NULL
FROM marts.fct_england_gp_workforce
WHERE fte IS NOT NULL
ORDER BY ALL;
