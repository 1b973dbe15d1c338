-- Every LSOA the two lookups place in the ICB is in the mart (so in a footprint), once per vintage.
WITH expected AS (
    SELECT 2011 AS lsoa_vintage, count(*) AS n FROM staging.stg_public__lsoa11_lookup WHERE icb_code = $icb_code
    UNION ALL
    SELECT 2021, count(*) FROM staging.stg_public__lsoa21_lookup WHERE icb_code = $icb_code
), actual AS (
    SELECT lsoa_vintage, count(*) AS n, count(DISTINCT footprint_code) AS footprints
    FROM marts.public_lsoa_geography GROUP BY 1
), joined AS (
    SELECT e.lsoa_vintage, e.n AS expected, coalesce(a.n, 0) AS actual, coalesce(a.footprints, 0) AS footprints
    FROM expected AS e LEFT JOIN actual AS a USING (lsoa_vintage)
)
SELECT
    bool_and(expected = actual AND actual > 0),
    string_agg(printf('LSOA %d: %d in the lookup, %d in %d footprints', lsoa_vintage, expected, actual, footprints),
               '; ' ORDER BY lsoa_vintage)
    || '; a shortfall means a sub-ICB location missing from the profile'
FROM joined
