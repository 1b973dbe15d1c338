-- Passes when every indicator of the catalogue ($indicator_ids) has at least one row.
WITH expected AS (SELECT unnest($indicator_ids) AS indicator_id),
missing AS (
    SELECT indicator_id FROM expected
    WHERE indicator_id NOT IN (SELECT DISTINCT indicator_id FROM marts.fct_indicator_values)
)
SELECT count(*) = 0,
    CASE WHEN count(*) = 0 THEN 'every catalogue indicator has rows'
         ELSE 'no rows for: ' || string_agg(indicator_id, ', ' ORDER BY indicator_id) END
FROM missing
