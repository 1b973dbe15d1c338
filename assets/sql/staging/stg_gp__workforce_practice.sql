-- One row per practice x month: FTE by staff group and registered patients (NHS England GPW, renamed).
-- A run replaces the rows of its months (pipelines/partitions.py); this SELECT gives those months' rows.
SELECT
    CAST(strptime(regexp_extract(filename, '_(\d{4}-\d{2})\.csv', 1), '%Y-%m') AS DATE) AS month,
    'month' AS period_kind,
    PRAC_CODE AS practice_code,
    PCN_CODE AS pcn_code,
    SUB_ICB_CODE AS sub_icb_nhs_code,
    ICB_CODE AS icb_nhs_code,
    CAST(NULL AS VARCHAR) AS icb_name,
    TOTAL_PATIENTS AS registered_patients,
    TOTAL_GP_FTE AS gp_fte_all,
    TOTAL_GP_EXTGL_FTE AS gp_fte_qualified,
    TOTAL_GP_TRN_GR_FTE AS gp_fte_trainees,
    TOTAL_LOCUUM_TRN_FTE AS gp_fte_locums,
    TOTAL_NURSES_FTE AS nurses_fte,
    TOTAL_DPC_FTE AS dpc_fte,
    TOTAL_ADMIN_FTE AS admin_fte
FROM read_csv($files, columns = $columns, header = true, auto_detect = false, filename = true)
ORDER BY month, practice_code
