-- One row per GP practice: its PCN, sub-ICB location and ICB (NHS England practice mapping, renamed).
SELECT
    PRACTICE_CODE AS practice_code,
    PRACTICE_NAME AS practice_name,
    PRACTICE_POSTCODE AS practice_postcode,
    PCN_CODE AS pcn_code,
    PCN_NAME AS pcn_name,
    ONS_CCG_CODE AS sub_icb_code,
    CCG_CODE AS sub_icb_nhs_code,
    CCG_NAME AS sub_icb_name,
    ONS_STP_CODE AS icb_code,
    STP_CODE AS icb_nhs_code,
    STP_NAME AS icb_name,
    strptime(EXTRACT_DATE, '%d%b%Y')::DATE AS extract_date
FROM read_csv($files, columns = $columns, header = true, auto_detect = false)
-- Lines quarantined by the source's rules stay out (staging.quarantine_rows, docs/data-quality.md).
WHERE PRACTICE_CODE NOT IN (
    SELECT value FROM staging.quarantine_rows WHERE source = $source AND column_name = 'PRACTICE_CODE'
        AND file IN (SELECT unnest($file_names))  -- this run's files: other partitions' rows may be stale
)
ORDER BY practice_code
