-- The mart's activity per measure equals the extracts' in-period activity of system residents; reports the
-- activity left out because the LSOA of residence is not in the system (unknown or out-of-area codes).
WITH extract_totals AS (
    SELECT 'ae_attendances_all' AS measure, sum(attendances) AS activity,
        sum(attendances) FILTER (WHERE lsoa_code IN (SELECT lsoa_code FROM marts.dim_geography)) AS resident
    FROM staging.stg_uec__ed_attendances
    WHERE month BETWEEN CAST($first_month AS DATE) AND CAST($last_month AS DATE)
    UNION ALL
    SELECT 'emergency_admissions', sum(spells),
        sum(spells) FILTER (WHERE lsoa_code IN (SELECT lsoa_code FROM marts.dim_geography))
    FROM staging.stg_uec__admitted_spells
    WHERE is_emergency AND month BETWEEN CAST($first_month AS DATE) AND CAST($last_month AS DATE)
), mart AS (
    SELECT measure, sum(activity) AS activity FROM marts.fct_activity GROUP BY 1
)
SELECT
    bool_and(coalesce(e.resident, 0) = coalesce(m.activity, 0)),
    string_agg(printf('%s: %d in mart, %d in extracts (%d not resident in the system)',
        e.measure, coalesce(m.activity, 0), coalesce(e.activity, 0), coalesce(e.activity - e.resident, 0)), '; ')
FROM extract_totals AS e LEFT JOIN mart AS m USING (measure)
