-- Passes when the system's activity in every measure and year equals marts.fct_activity's total.
WITH mart AS (
    SELECT measure, financial_year, sum(activity) AS activity FROM marts.fct_activity GROUP BY ALL
),
drift AS (
    SELECT measure, financial_year, activity FROM marts.fct_right_drift WHERE level = 'system'
)
SELECT coalesce(bool_and(abs(d.activity - m.activity) <= 1e-6 * greatest(m.activity, 1)), false),
    count(*) || ' system rows compared; largest difference ' || coalesce(CAST(max(abs(d.activity - m.activity)) AS VARCHAR), 'n/a')
FROM drift AS d JOIN mart AS m USING (measure, financial_year)
