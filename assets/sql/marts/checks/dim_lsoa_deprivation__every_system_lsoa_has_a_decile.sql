-- Every system LSOA of an edition's boundary vintage is in that edition's file (so it has a national decile).
WITH expected AS (
    SELECT e.imd_edition, e.lsoa_vintage, count(g.lsoa_code) AS n
    FROM (SELECT DISTINCT imd_edition, lsoa_vintage FROM marts.dim_lsoa_deprivation) AS e
    LEFT JOIN (
        SELECT DISTINCT g.lsoa_vintage, g.lsoa_code
        FROM staging.stg_geography__lsoas AS g
        JOIN staging.stg_config__footprints AS f USING (sub_icb_nhs_code)
        WHERE g.icb_code = $icb_code
    ) AS g USING (lsoa_vintage)
    GROUP BY ALL
), actual AS (
    SELECT imd_edition, count(*) FILTER (WHERE in_system AND imd_decile IS NOT NULL) AS n
    FROM marts.dim_lsoa_deprivation GROUP BY 1
)
SELECT
    bool_and(e.n = a.n AND e.n > 0),
    string_agg(printf('IMD %d: %d system LSOAs (%d), %d with a decile', e.imd_edition, e.n, e.lsoa_vintage, a.n),
               '; ' ORDER BY e.imd_edition)
FROM expected AS e JOIN actual AS a USING (imd_edition)
