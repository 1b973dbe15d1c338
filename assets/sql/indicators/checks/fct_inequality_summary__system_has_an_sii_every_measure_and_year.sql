-- Passes when the system has an SII on national deciles for every measure and year (a warning otherwise:
-- a sparse measure may lack events in a decile).
SELECT coalesce(bool_and(sii_computed), false),
    count(*) FILTER (WHERE NOT sii_computed) || ' of ' || count(*) || ' system rows without an SII'
FROM marts.fct_inequality_summary
WHERE level = 'system' AND quantile_type = 'national_decile'
