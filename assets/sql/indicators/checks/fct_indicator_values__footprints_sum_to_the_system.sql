-- Passes when, for every count-based indicator (crude rates and ISRs of activity) and period, the
-- footprints' numerators sum to the system's.
WITH sums AS (
    SELECT indicator_id, period,
        sum(numerator) FILTER (WHERE level = 'footprint') AS footprints,
        sum(numerator) FILTER (WHERE level = 'system') AS system
    FROM marts.fct_indicator_values
    WHERE method IN ('crude_rate', 'isr') AND period_type = 'financial_year'
    GROUP BY ALL
)
SELECT coalesce(bool_and(abs(footprints - system) <= 1e-6 * greatest(system, 1)), false),
    count(*) || ' indicator x periods compared; largest difference '
        || coalesce(CAST(max(abs(footprints - system)) AS VARCHAR), 'n/a')
FROM sums
