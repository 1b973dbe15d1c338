-- Passes when, for every count-based indicator and period, the neighbourhoods' (fractional) numerators sum to
-- the system's within rounding, once the activity that reaches no neighbourhood is set aside: each LSOA's
-- activity times the share of it no neighbourhood counts (an LSOA with no patients registered at a system
-- practice, or registered at PCNs the registrations held do not cover; area_lsoa_weights, the temp relation
-- the build of fct_indicator_values made on this connection). The detail reports that unattributed activity.
-- (The join is on LSOA and period alone, the levels filtered before it: a join condition on one side's level
-- made DuckDB compare every pair of rows.)
WITH unreached AS (
    SELECT ina_financial_year_label(financial_year) AS period, lsoa_code,
        1 - coalesce(sum(weight) FILTER (WHERE level = 'neighbourhood'), 0) AS share
    FROM area_lsoa_weights
    WHERE level IN ('lsoa', 'neighbourhood')
    GROUP BY ALL
),
counted AS (
    SELECT indicator_id, period, level, area_code, numerator
    FROM marts.fct_indicator_values
    WHERE method IN ('crude_rate', 'isr') AND period_type = 'financial_year'
      AND level IN ('neighbourhood', 'system', 'lsoa')
),
sums AS (
    SELECT v.indicator_id, v.period,
        sum(v.numerator) FILTER (WHERE v.level = 'neighbourhood') AS neighbourhoods,
        sum(v.numerator) FILTER (WHERE v.level = 'system') AS system,
        sum(v.numerator * u.share) FILTER (WHERE v.level = 'lsoa') AS unattributed
    FROM counted AS v
    LEFT JOIN unreached AS u ON u.lsoa_code = v.area_code AND u.period = v.period
    GROUP BY ALL
)
SELECT coalesce(bool_and(abs(neighbourhoods + coalesce(unattributed, 0) - system) <= 1e-6 * greatest(system, 1)), false),
    count(*) || ' indicator x periods compared; largest difference '
        || coalesce(CAST(max(abs(neighbourhoods + coalesce(unattributed, 0) - system)) AS VARCHAR), 'n/a')
        || '; activity reaching no neighbourhood: ' || coalesce(CAST(round(max(unattributed), 1) AS VARCHAR), '0')
FROM sums
