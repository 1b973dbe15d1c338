-- One row per month x activity measure, over the profile's months and any month the mart holds outside them:
-- the system's activity that month. A month of the profile with no activity at all is a month whose extract is
-- missing (files are monthly: one absent file, one empty month); a month outside them should not be there.
WITH months AS (
    SELECT CAST(unnest(range(CAST($first_month AS DATE), CAST($last_month AS DATE) + INTERVAL 1 DAY,
                             INTERVAL 1 MONTH)) AS DATE) AS month
    UNION
    SELECT DISTINCT month FROM marts.fct_activity
),
measures AS (
    SELECT DISTINCT measure FROM marts.fct_activity
),
totals AS (
    SELECT month, measure, sum(activity) AS activity FROM marts.fct_activity GROUP BY ALL
)
SELECT m.month, s.measure, coalesce(t.activity, 0) AS activity
FROM months AS m
CROSS JOIN measures AS s
LEFT JOIN totals AS t ON t.month = m.month AND t.measure = s.measure
ORDER BY ALL
