-- Every system LSOA of the profile's vintage appears exactly once, with a footprint.
WITH expected AS (
    SELECT count(*) AS n FROM marts.public_lsoa_geography WHERE lsoa_vintage = $lsoa_vintage
), actual AS (
    SELECT count(*) AS n, count(DISTINCT lsoa_code) AS distinct_n, count(footprint_code) AS with_footprint,
           count(neighbourhood_code) AS with_neighbourhood
    FROM marts.dim_geography
)
SELECT
    actual.n = expected.n AND actual.distinct_n = actual.n AND actual.with_footprint = actual.n AND actual.n > 0,
    printf('%d system LSOAs (%d), %d in dim_geography (%d distinct, %d with a footprint, %d with a neighbourhood)',
           expected.n, $lsoa_vintage, actual.n, actual.distinct_n, actual.with_footprint, actual.with_neighbourhood)
FROM expected, actual
