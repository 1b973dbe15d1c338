-- Each year, at least 95% of the system's registered patients are at practices the practice map places in a
-- footprint (the rest count for the system but for no footprint).
WITH years AS (
    SELECT year, sum(registered_patients) AS patients,
           sum(registered_patients) FILTER (WHERE footprint_code IS NOT NULL) AS mapped,
           count(*) FILTER (WHERE footprint_code IS NULL) AS unmapped_practices
    FROM marts.public_gp_workforce GROUP BY 1
)
SELECT
    count(*) > 0 AND bool_and(mapped >= 0.95 * patients),
    string_agg(printf('%d: %.1f%% of patients mapped (%d practices unmapped)', year, 100 * mapped / patients,
                      unmapped_practices), '; ' ORDER BY year)
FROM years
