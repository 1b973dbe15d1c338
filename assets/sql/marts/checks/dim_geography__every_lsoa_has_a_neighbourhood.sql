-- Every system LSOA reaches a neighbourhood (a PCN of its own footprint registers some of its residents).
SELECT
    count(*) FILTER (WHERE neighbourhood_code IS NULL) = 0,
    printf('%d of %d LSOAs have no neighbourhood', count(*) FILTER (WHERE neighbourhood_code IS NULL), count(*))
FROM marts.dim_geography
