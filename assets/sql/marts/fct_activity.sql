-- One row per system LSOA of residence x month x ESP2013 age band x sex x activity measure.
-- Measures: ae_attendances_all, ae_attendances_type1, emergency_admissions, emergency_bed_days.
-- Sex 'U' (not known / indeterminate) is kept so that counts reconcile with the extracts.
-- Built by financial year (`$parts`, pipelines/increments.py): a year whose inputs did not change keeps its rows.
WITH measures AS (
    SELECT month, lsoa_code, age_band, sex, 'ae_attendances_all' AS measure, sum(attendances) AS activity
    FROM staging.stg_uec__ed_attendances GROUP BY ALL
    UNION ALL
    SELECT month, lsoa_code, age_band, sex, 'ae_attendances_type1', sum(attendances)
    FROM staging.stg_uec__ed_attendances WHERE department_type = 1 GROUP BY ALL
    UNION ALL
    SELECT month, lsoa_code, age_band, sex, 'emergency_admissions', sum(spells)
    FROM staging.stg_uec__admitted_spells WHERE is_emergency GROUP BY ALL
    UNION ALL
    SELECT month, lsoa_code, age_band, sex, 'emergency_bed_days', sum(bed_days)
    FROM staging.stg_uec__admitted_spells WHERE is_emergency GROUP BY ALL
)
SELECT
    m.lsoa_code,
    m.month,
    ina_financial_year(m.month) AS financial_year,
    m.age_band,
    m.sex,
    m.measure,
    CAST(m.activity AS BIGINT) AS activity
FROM measures AS m
JOIN marts.dim_geography AS g USING (lsoa_code)
WHERE m.month BETWEEN CAST($first_month AS DATE) AND CAST($last_month AS DATE)
  AND list_contains($parts, CAST(ina_financial_year(m.month) AS VARCHAR))  -- the years being built
  AND m.activity > 0
ORDER BY m.lsoa_code, m.month, ina_age_band_order(m.age_band), m.sex, m.measure
