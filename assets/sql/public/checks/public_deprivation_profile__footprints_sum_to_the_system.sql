-- For each edition, the footprints' LSOAs (and those in deciles 1-2) add up to the system's.
WITH sums AS (
    SELECT imd_edition,
           sum(lsoas) FILTER (WHERE level = 'system') AS system_lsoas,
           sum(lsoas) FILTER (WHERE level = 'footprint') AS footprint_lsoas,
           sum(lsoas_decile_1_2) FILTER (WHERE level = 'system') AS system_core20,
           sum(lsoas_decile_1_2) FILTER (WHERE level = 'footprint') AS footprint_core20
    FROM marts.public_deprivation_profile GROUP BY 1
)
SELECT
    bool_and(system_lsoas = footprint_lsoas AND system_core20 = footprint_core20 AND system_lsoas > 0),
    string_agg(printf('IMD %d: system %d LSOAs (%d in deciles 1-2), footprints %d (%d)', imd_edition,
                      system_lsoas, system_core20, footprint_lsoas, footprint_core20), '; ' ORDER BY imd_edition)
FROM sums
