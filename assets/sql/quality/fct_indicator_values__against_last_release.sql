-- Indicator values against the last release (`last_release`: the shared marts file published now, attached
-- read-only by the Great Expectations step): for each indicator, area and period both hold a value of, at the
-- system, footprint and local-authority levels, the relative change. The latest period of each indicator is left
-- out (a new month changes its year's value by design); the earlier ones are history, which a refresh should
-- leave all but unchanged.
WITH now AS (
    SELECT indicator_id, level, area_code, period, value,
        max(period) OVER (PARTITION BY indicator_id) AS latest
    FROM marts.fct_indicator_values
    WHERE level IN ('system', 'footprint', 'local_authority') AND value IS NOT NULL
)
SELECT n.indicator_id, n.level, n.area_code, n.period, n.value, l.value AS last_value,
    n.value / l.value - 1 AS relative_change
FROM now AS n
JOIN last_release.marts.fct_indicator_values AS l USING (indicator_id, level, area_code, period)
WHERE n.period < n.latest AND l.value IS NOT NULL AND l.value <> 0
ORDER BY ALL
