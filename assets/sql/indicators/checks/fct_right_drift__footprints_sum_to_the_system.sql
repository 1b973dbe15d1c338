-- Passes when, for every measure and year, the footprints' activity sums to the system's.
WITH sums AS (
    SELECT measure, financial_year,
        sum(activity) FILTER (WHERE level = 'footprint') AS footprints,
        sum(activity) FILTER (WHERE level = 'system') AS system
    FROM marts.fct_right_drift
    GROUP BY ALL
)
SELECT coalesce(bool_and(abs(footprints - system) <= 1e-6 * greatest(system, 1)), false),
    'largest footprint-system difference: ' || coalesce(CAST(max(abs(footprints - system)) AS VARCHAR), 'no rows')
FROM sums
