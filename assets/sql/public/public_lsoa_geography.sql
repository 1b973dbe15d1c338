-- One row per LSOA of the system per boundary vintage: 2011 (ONS lookup of July 2022) and 2021 (April 2024).
-- The 2024 lookup has no local authority: an LSOA 2021 takes the LAD 2022 of the ONS LSOA 2011 -> 2021 lookup
-- (LSOAs nest in LADs, so each has one). Footprints come from the profile; an ICB LSOA whose sub-ICB location
-- is in no footprint drops out here and fails the check every_system_lsoa_in_a_footprint.
WITH lad_2021 AS (
    SELECT DISTINCT lsoa21_code AS lsoa_code, lad_code, lad_name
    FROM staging.stg_public__lsoa_vintage_lookup
),
lookups AS (
    SELECT lsoa_vintage, lsoa_code, lsoa_name, lad_code, lad_name, sub_icb_code, sub_icb_nhs_code, sub_icb_name,
           icb_code, icb_name, source_id
    FROM staging.stg_public__lsoa11_lookup
    UNION ALL
    SELECT l.lsoa_vintage, l.lsoa_code, l.lsoa_name, coalesce(l.lad_code, v.lad_code), coalesce(l.lad_name, v.lad_name),
           l.sub_icb_code, l.sub_icb_nhs_code, l.sub_icb_name, l.icb_code, l.icb_name, l.source_id
    FROM staging.stg_public__lsoa21_lookup AS l
    LEFT JOIN lad_2021 AS v USING (lsoa_code)
)
SELECT
    CAST(l.lsoa_vintage AS INTEGER) AS lsoa_vintage,
    l.lsoa_code,
    l.lsoa_name,
    l.lad_code,
    l.lad_name,
    l.sub_icb_code,
    l.sub_icb_nhs_code,
    l.sub_icb_name,
    f.footprint_code,
    f.footprint_name,
    l.icb_code AS system_code,
    l.icb_name AS system_name,
    l.source_id AS lookup_source
FROM lookups AS l
JOIN staging.stg_config__footprints AS f USING (sub_icb_nhs_code)
WHERE l.icb_code = $icb_code
ORDER BY lsoa_vintage, lsoa_code
