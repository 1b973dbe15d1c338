-- One row per GP practice of the system in the latest practice map held (gp-reg-pat-prac-map): PCN,
-- sub-ICB location (the CCG before July 2022), footprint (profile) and system.
SELECT
    p.practice_code,
    p.practice_name,
    p.practice_postcode,
    p.pcn_code AS neighbourhood_code,
    p.pcn_name AS neighbourhood_name,
    p.sub_icb_code,
    p.sub_icb_nhs_code,
    p.sub_icb_name,
    f.footprint_code,
    f.footprint_name,
    p.icb_code AS system_code,
    p.icb_name AS system_name,
    p.extract_date AS mapping_extract_date
FROM staging.stg_public__practices AS p
JOIN staging.stg_config__footprints AS f USING (sub_icb_nhs_code)
WHERE p.icb_code = $icb_code
ORDER BY p.practice_code
