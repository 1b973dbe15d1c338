-- Every system practice reports in every month it appears (no practice silently missing from a month).
WITH months AS (SELECT DISTINCT month FROM marts.fct_gp_workforce),
per_month AS (SELECT month, count(*) AS practices FROM marts.fct_gp_workforce GROUP BY 1)
SELECT
    min(practices) >= 0.9 * max(practices),
    printf('%d months; practices per month from %d to %d', count(*), min(practices), max(practices))
FROM per_month
