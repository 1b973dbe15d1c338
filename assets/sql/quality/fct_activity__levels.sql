-- One row per measure x financial year: the system's activity, and the same activity summed over the
-- footprints and over the local authorities of dim_geography. Each LSOA is in exactly one footprint and one
-- local authority, so both sums equal the system's; a gap means an LSOA lost or counted twice by the geography.
WITH lsoa_totals AS (
    SELECT lsoa_code, measure, financial_year, sum(activity) AS activity
    FROM marts.fct_activity
    GROUP BY ALL
),
by_footprint AS (
    SELECT t.measure, t.financial_year, g.footprint_code, sum(t.activity) AS activity
    FROM lsoa_totals AS t JOIN marts.dim_geography AS g USING (lsoa_code)
    GROUP BY ALL
),
by_local_authority AS (
    SELECT t.measure, t.financial_year, g.lad_code, sum(t.activity) AS activity
    FROM lsoa_totals AS t JOIN marts.dim_geography AS g USING (lsoa_code)
    GROUP BY ALL
),
system AS (
    SELECT measure, financial_year, sum(activity) AS activity FROM lsoa_totals GROUP BY ALL
)
SELECT
    s.measure,
    s.financial_year,
    CAST(s.activity AS BIGINT) AS system,
    CAST((SELECT coalesce(sum(f.activity), 0) FROM by_footprint AS f
          WHERE f.measure = s.measure AND f.financial_year = s.financial_year) AS BIGINT) AS footprints,
    CAST((SELECT coalesce(sum(l.activity), 0) FROM by_local_authority AS l
          WHERE l.measure = s.measure AND l.financial_year = s.financial_year) AS BIGINT) AS local_authorities
FROM system AS s
ORDER BY 1, 2
