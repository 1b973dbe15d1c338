-- One row per LSOA in England: its sub-ICB location, ICB and local authority (ONS lookup, renamed).
SELECT
    LSOA11CD AS lsoa_code,
    LSOA11NM AS lsoa_name,
    CAST($lsoa_vintage AS INTEGER) AS lsoa_vintage,
    SICBL22CD AS sub_icb_code,
    SICBL22CDH AS sub_icb_nhs_code,
    SICBL22NM AS sub_icb_name,
    ICB22CD AS icb_code,
    ICB22CDH AS icb_nhs_code,
    ICB22NM AS icb_name,
    LAD22CD AS lad_code,
    LAD22NM AS lad_name
FROM read_csv($files, columns = $columns, header = true, auto_detect = false)
ORDER BY lsoa_code
