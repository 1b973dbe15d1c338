-- One row per level x area x financial year x age band x sex: resident population (ONS mid-year estimates),
-- summed over the area's LSOAs with their weights (area_lsoa_weights), and England's.
-- Fractional values are summed as DECIMAL(38, 12), exactly: the same result whatever DuckDB's thread count.
CREATE OR REPLACE TEMP TABLE area_population AS
SELECT w.level, w.area_code, p.financial_year, p.age_band, p.sex, CAST(sum(CAST(p.population * w.weight AS DECIMAL(38, 12))) AS DOUBLE) AS population
FROM marts.fct_population AS p
JOIN area_lsoa_weights AS w USING (lsoa_code, financial_year)
GROUP BY ALL
UNION ALL
SELECT 'england', CAST($england_code AS VARCHAR), financial_year, age_band, sex, CAST(population AS DOUBLE)
FROM marts.fct_england_population;
