-- Passes when every indicator the profile's data allow (marts.fct_indicator_availability, system level or the
-- indicator's first level) has at least one row.
WITH expected AS (
    SELECT DISTINCT indicator_id FROM marts.fct_indicator_availability WHERE available
),
missing AS (
    SELECT indicator_id FROM expected
    WHERE indicator_id NOT IN (SELECT DISTINCT indicator_id FROM marts.fct_indicator_values)
)
SELECT count(*) = 0,
    CASE WHEN count(*) = 0 THEN 'every available catalogue indicator has rows'
         ELSE 'no rows for: ' || string_agg(indicator_id, ', ' ORDER BY indicator_id) END
FROM missing
