-- One row per financial year x level x area x system LSOA: the share of the LSOA's residents (and of their
-- activity) that the area counts. The system, footprints, local authorities and each LSOA itself count an
-- LSOA whole (weight 1). A neighbourhood (PCN) counts the PCN's share of the LSOA's patients registered at
-- system practices, pooled over the financial year's practice x LSOA extracts (a year without extracts
-- uses the nearest year that has some, the earlier on a tie). An LSOA with no registered patients at any
-- system practice reaches no neighbourhood: the reconciliation check reports its activity. A neighbourhood
-- counts LSOAs only when the registrations held cover at least $neighbourhood_min_coverage of its practices'
-- registered patients (mean list in fct_gp_workforce; every neighbourhood when no workforce list is held):
-- a PCN outside the area a registrations file covers is not described by a few stray patients' LSOAs.
CREATE OR REPLACE TEMP TABLE area_lsoa_weights AS
WITH years AS (
    SELECT CAST(unnest(range($first_year, $last_year + 1)) AS INTEGER) AS financial_year
),
geo AS (
    SELECT lsoa_code, system_code, footprint_code, lad_code FROM marts.dim_geography
),
whole AS (
    SELECT 'system' AS level, system_code AS area_code, lsoa_code FROM geo
    UNION ALL SELECT 'footprint', footprint_code, lsoa_code FROM geo
    UNION ALL SELECT 'local_authority', lad_code, lsoa_code FROM geo
    UNION ALL SELECT 'lsoa', lsoa_code, lsoa_code FROM geo
),
extracts AS (
    SELECT ina_financial_year(r.month) AS extract_year, r.lsoa_code, r.neighbourhood_code, sum(r.patients) AS patients
    FROM marts.fct_practice_lsoa_registrations AS r
    JOIN geo USING (lsoa_code)
    GROUP BY ALL
),
nearest_extract_year AS (
    SELECT y.financial_year, e.extract_year
    FROM years AS y CROSS JOIN (SELECT DISTINCT extract_year FROM extracts) AS e
    QUALIFY row_number() OVER (
        PARTITION BY y.financial_year ORDER BY abs(e.extract_year - y.financial_year), e.extract_year
    ) = 1
),
registered AS (
    SELECT ina_financial_year(month) AS extract_year, neighbourhood_code,
        sum(patients) / count(DISTINCT month) AS patients
    FROM marts.fct_practice_lsoa_registrations
    GROUP BY ALL
),
lists AS (
    SELECT neighbourhood_code, sum(list_size) AS list_size
    FROM (SELECT practice_code, any_value(neighbourhood_code) AS neighbourhood_code,
              avg(registered_patients) AS list_size
          FROM marts.fct_gp_workforce GROUP BY practice_code)
    GROUP BY ALL
),
covered AS (
    SELECT r.extract_year, r.neighbourhood_code
    FROM registered AS r
    LEFT JOIN lists AS l USING (neighbourhood_code)
    WHERE NOT EXISTS (SELECT 1 FROM lists) OR r.patients >= $neighbourhood_min_coverage * l.list_size
),
neighbourhood_shares AS (
    SELECT n.financial_year, x.neighbourhood_code AS area_code, x.lsoa_code,
        x.patients / sum(x.patients) OVER (PARTITION BY n.financial_year, x.lsoa_code) AS weight
    FROM nearest_extract_year AS n
    JOIN extracts AS x USING (extract_year)
    QUALIFY (n.extract_year, x.neighbourhood_code) IN (SELECT (extract_year, neighbourhood_code) FROM covered)
)
SELECT y.financial_year, w.level, w.area_code, w.lsoa_code, CAST(1.0 AS DOUBLE) AS weight
FROM years AS y CROSS JOIN whole AS w
UNION ALL
SELECT financial_year, 'neighbourhood', area_code, lsoa_code, CAST(weight AS DOUBLE)
FROM neighbourhood_shares
WHERE weight > 0;
