-- One row per system LSOA x financial year: its resident population (all ages, both sexes).
SELECT lsoa_code, financial_year, sum(population) AS population
FROM marts.fct_population
GROUP BY ALL
ORDER BY ALL
