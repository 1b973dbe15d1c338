-- Passes when, for every quantile set, measure and year, the system's quantiles sum to marts.fct_activity's
-- total (every system LSOA has a quantile).
WITH quantiles AS (
    SELECT measure, financial_year, quantile_type, sum(activity) AS activity
    FROM marts.fct_deprivation_gradients WHERE level = 'system'
    GROUP BY ALL
),
mart AS (
    SELECT measure, financial_year, sum(activity) AS activity FROM marts.fct_activity GROUP BY ALL
)
SELECT coalesce(bool_and(abs(q.activity - m.activity) <= 1e-6 * greatest(m.activity, 1)), false)
        AND count(*) > 0,
    count(*) || ' measure x year x quantile sets compared; largest difference '
        || coalesce(CAST(max(abs(q.activity - m.activity)) AS VARCHAR), 'n/a')
FROM mart AS m LEFT JOIN quantiles AS q USING (measure, financial_year)
