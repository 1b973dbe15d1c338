-- One row per count-based indicator (crude rates and ISRs of activity, by financial year) x period: the
-- system's numerator and the numerators of its footprints, local authorities and neighbourhoods summed,
-- each as a difference from the system's relative to it. Footprints and local authorities partition the
-- system's LSOAs; neighbourhoods share LSOAs by registration weights, so they reconcile within rounding.
WITH sums AS (
    SELECT indicator_id, period,
        sum(numerator) FILTER (WHERE level = 'system') AS system,
        sum(numerator) FILTER (WHERE level = 'footprint') AS footprints,
        sum(numerator) FILTER (WHERE level = 'local_authority') AS local_authorities,
        sum(numerator) FILTER (WHERE level = 'neighbourhood') AS neighbourhoods
    FROM marts.fct_indicator_values
    WHERE method IN ('crude_rate', 'isr') AND period_type = 'financial_year'
    GROUP BY ALL
)
SELECT
    indicator_id, period, system, footprints, local_authorities, neighbourhoods,
    (footprints - system) / greatest(system, 1) AS footprints_relative_gap,
    (local_authorities - system) / greatest(system, 1) AS local_authorities_relative_gap,
    (neighbourhoods - system) / greatest(system, 1) AS neighbourhoods_relative_gap
FROM sums
WHERE system IS NOT NULL  -- a period only England has (no local population estimate) has nothing to reconcile
ORDER BY ALL
