-- One row per level x area x financial year x activity measure x age band x sex: residents' activity, summed
-- over the area's LSOAs with their weights (area_lsoa_weights; fractional for neighbourhoods), and England's.
-- Sex U (not known) is kept, so totals reconcile with marts.fct_activity.
-- Fractional values are summed as DECIMAL(38, 12), exactly: the same result whatever DuckDB's thread count.
CREATE OR REPLACE TEMP TABLE area_activity AS
WITH lsoa_year AS (
    SELECT lsoa_code, financial_year, measure, age_band, sex, sum(activity) AS activity
    FROM marts.fct_activity
    GROUP BY ALL
)
SELECT w.level, w.area_code, a.financial_year, a.measure, a.age_band, a.sex,
    CAST(sum(CAST(a.activity * w.weight AS DECIMAL(38, 12))) AS DOUBLE) AS activity
FROM lsoa_year AS a
JOIN area_lsoa_weights AS w USING (lsoa_code, financial_year)
GROUP BY ALL
UNION ALL
SELECT 'england', CAST($england_code AS VARCHAR), financial_year, measure, age_band, sex, CAST(activity AS DOUBLE)
FROM marts.fct_england_activity;
