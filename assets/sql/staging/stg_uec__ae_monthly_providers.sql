-- One row per provider x month: NHS England published A&E attendances and emergency admissions.
-- A run replaces the rows of its months (pipelines/partitions.py); this SELECT gives those months' rows.
SELECT
    'provider_monthly' AS series,
    CAST(strptime(regexp_replace(Period, '^MSitAE-', ''), '%B-%Y') AS DATE) AS month,
    "Org Code" AS provider_code,
    "Parent Org" AS parent_org,
    "Org name" AS provider_name,
    CAST("A&E attendances Type 1" AS BIGINT) AS attendances_type1,
    CAST("A&E attendances Type 2" AS BIGINT) AS attendances_type2,
    CAST("A&E attendances Other A&E Department" AS BIGINT) AS attendances_other,
    CAST("A&E attendances Type 1" + "A&E attendances Type 2" + "A&E attendances Other A&E Department" AS BIGINT)
        AS attendances_all,
    CAST("Emergency admissions via A&E - Type 1" + "Emergency admissions via A&E - Type 2"
        + "Emergency admissions via A&E - Other A&E department" + "Other emergency admissions" AS BIGINT)
        AS emergency_admissions,
    CAST("Emergency admissions via A&E - Type 1" + "Emergency admissions via A&E - Type 2"
        + "Emergency admissions via A&E - Other A&E department" AS BIGINT) AS emergency_admissions_via_ae
FROM read_csv($files, columns = $columns, header = true, auto_detect = false)
ORDER BY month, provider_code
