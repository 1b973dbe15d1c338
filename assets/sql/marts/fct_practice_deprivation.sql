-- One row per system GP practice x IMD edition: the IMD score of the practice's registered population (OHID
-- Fingertips 93553), its neighbourhood and footprint, its registered patients (the latest workforce period held)
-- and England's score. What reaches a neighbourhood's deprivation when no practice x LSOA registrations are held.
WITH latest AS (
    SELECT practice_code, registered_patients, month
    FROM marts.fct_gp_workforce
    QUALIFY row_number() OVER (PARTITION BY practice_code ORDER BY month DESC) = 1
),
england AS (
    SELECT imd_edition, imd_score FROM staging.stg_imd__practice_scores WHERE area_type = 'England'
)
SELECT
    s.imd_edition,
    p.practice_code,
    p.neighbourhood_code,
    p.footprint_code,
    p.system_code,
    s.imd_score,
    l.registered_patients,
    l.month AS patients_month,
    e.imd_score AS england_imd_score
FROM staging.stg_imd__practice_scores AS s
JOIN marts.dim_practices AS p ON p.practice_code = s.area_code
LEFT JOIN latest AS l USING (practice_code)
LEFT JOIN england AS e USING (imd_edition)
WHERE s.area_type = 'GP'
ORDER BY s.imd_edition, p.practice_code
