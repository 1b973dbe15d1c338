-- Passes when, for every count-based indicator and period, the neighbourhoods' (fractional) numerators sum to
-- the system's within rounding, once the activity that reaches no neighbourhood is set aside: each LSOA's
-- activity times the share of it no neighbourhood counts (an LSOA with no patients registered at a system
-- practice, or registered at PCNs the registrations held do not cover; area_lsoa_weights, the temp relation
-- the build of fct_indicator_values made on this connection). The detail reports that unattributed activity.
WITH unreached AS (
    SELECT financial_year, lsoa_code, 1 - coalesce(sum(weight) FILTER (WHERE level = 'neighbourhood'), 0) AS share
    FROM area_lsoa_weights
    WHERE level IN ('lsoa', 'neighbourhood')
    GROUP BY ALL
),
sums AS (
    SELECT v.indicator_id, v.period,
        sum(v.numerator) FILTER (WHERE v.level = 'neighbourhood') AS neighbourhoods,
        sum(v.numerator) FILTER (WHERE v.level = 'system') AS system,
        sum(v.numerator * u.share) FILTER (WHERE v.level = 'lsoa') AS unattributed
    FROM marts.fct_indicator_values AS v
    LEFT JOIN unreached AS u
        ON v.level = 'lsoa' AND u.lsoa_code = v.area_code
        AND v.period = CAST(u.financial_year AS VARCHAR) || '/' || right(CAST(u.financial_year + 1 AS VARCHAR), 2)
    WHERE v.method IN ('crude_rate', 'isr') AND v.period_type = 'financial_year'
    GROUP BY ALL
)
SELECT coalesce(bool_and(abs(neighbourhoods + coalesce(unattributed, 0) - system) <= 1e-6 * greatest(system, 1)), false),
    count(*) || ' indicator x periods compared; largest difference '
        || coalesce(CAST(max(abs(neighbourhoods + coalesce(unattributed, 0) - system)) AS VARCHAR), 'n/a')
        || '; activity reaching no neighbourhood: ' || coalesce(CAST(round(max(unattributed), 1) AS VARCHAR), '0')
FROM sums
