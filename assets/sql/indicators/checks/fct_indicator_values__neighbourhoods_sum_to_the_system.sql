-- Passes when, for every count-based indicator and period, the neighbourhoods' (fractional) numerators sum to
-- the system's within rounding, once the activity of LSOAs with no patients registered at a system practice
-- (which reaches no neighbourhood) is set aside; the detail reports that unattributed activity.
WITH sums AS (
    SELECT indicator_id, period,
        sum(numerator) FILTER (WHERE level = 'neighbourhood') AS neighbourhoods,
        sum(numerator) FILTER (WHERE level = 'system') AS system,
        sum(numerator) FILTER (WHERE level = 'lsoa' AND area_code NOT IN (
            SELECT DISTINCT lsoa_code FROM marts.fct_practice_lsoa_registrations)) AS unattributed
    FROM marts.fct_indicator_values
    WHERE method IN ('crude_rate', 'isr') AND period_type = 'financial_year'
    GROUP BY ALL
)
SELECT coalesce(bool_and(abs(neighbourhoods + coalesce(unattributed, 0) - system) <= 1e-6 * greatest(system, 1)), false),
    count(*) || ' indicator x periods compared; largest difference '
        || coalesce(CAST(max(abs(neighbourhoods + coalesce(unattributed, 0) - system)) AS VARCHAR), 'n/a')
        || '; activity of LSOAs reaching no neighbourhood: ' || coalesce(CAST(max(unattributed) AS VARCHAR), '0')
FROM sums
