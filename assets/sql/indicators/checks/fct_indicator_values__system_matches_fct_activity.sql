-- Passes when the system's crude-rate numerator of every activity measure and financial year equals
-- marts.fct_activity's total (nothing lost between the mart and the indicators).
WITH mart AS (
    SELECT measure, ina_financial_year_label(financial_year) AS period, sum(activity) AS activity
    FROM marts.fct_activity GROUP BY ALL
),
crude_rates AS (
    SELECT unnest($crude_rate_ids) AS indicator_id, unnest($crude_rate_measures) AS measure
),
indicators AS (
    SELECT c.measure, v.period, v.numerator
    FROM marts.fct_indicator_values AS v
    JOIN crude_rates AS c USING (indicator_id)
    WHERE v.level = 'system'
)
SELECT coalesce(bool_and(abs(i.numerator - m.activity) <= 1e-6 * greatest(m.activity, 1)), false) AND count(*) > 0,
    count(*) || ' system rows compared; largest difference '
        || coalesce(CAST(max(abs(i.numerator - m.activity)) AS VARCHAR), 'n/a')
FROM indicators AS i JOIN mart AS m USING (measure, period)
