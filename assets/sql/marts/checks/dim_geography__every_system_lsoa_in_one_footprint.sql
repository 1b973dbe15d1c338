-- Every LSOA of the profile's vintage the lookup places in the system appears exactly once, with a footprint.
WITH expected AS (
    SELECT count(*) AS n FROM staging.stg_geography__lsoas WHERE icb_code = $icb_code AND lsoa_vintage = $lsoa_vintage
), actual AS (
    SELECT count(*) AS n, count(DISTINCT lsoa_code) AS distinct_n, count(footprint_code) AS with_footprint
    FROM marts.dim_geography
)
SELECT
    actual.n = expected.n AND actual.distinct_n = actual.n AND actual.with_footprint = actual.n AND actual.n > 0,
    printf('%d system LSOAs in the lookup, %d in dim_geography (%d distinct, %d with a footprint); '
           'a shortfall means a sub-ICB location missing from the profile',
           expected.n, actual.n, actual.distinct_n, actual.with_footprint)
FROM expected, actual
