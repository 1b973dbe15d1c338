-- One row per month of the profile x activity measure: the system's activity that month. A month with no
-- activity at all is a month whose extract is missing (files are monthly: one absent file, one empty month).
WITH months AS (
    SELECT CAST(unnest(range(CAST($first_month AS DATE), CAST($last_month AS DATE) + INTERVAL 1 DAY,
                             INTERVAL 1 MONTH)) AS DATE) AS month
),
measures AS (
    SELECT DISTINCT measure FROM marts.fct_activity
)
SELECT m.month, s.measure, coalesce(sum(a.activity), 0) AS activity
FROM months AS m
CROSS JOIN measures AS s
LEFT JOIN marts.fct_activity AS a ON a.month = m.month AND a.measure = s.measure
GROUP BY ALL
ORDER BY ALL
