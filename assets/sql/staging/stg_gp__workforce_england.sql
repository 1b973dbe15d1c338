-- One row per month x staff group for England: FTE and registered patients (GPW national summary; its list
-- is England's, whatever the group).
WITH wide AS (
    SELECT
        CAST(date_trunc('month', CAST(CENSUS_DATE AS DATE)) AS DATE) AS month,
        'month' AS period_kind,
        CAST(max(HEADCOUNT) FILTER (WHERE STAFF_GROUP = 'Registered patients') AS DOUBLE) AS registered_patients,
        sum(FTE) FILTER (WHERE STAFF_GROUP = 'All GPs') AS gp_fte_all,
        sum(FTE) FILTER (WHERE STAFF_GROUP = 'GPs excl. trainees and locums') AS gp_fte_qualified,
        sum(FTE) FILTER (WHERE STAFF_GROUP = 'GP trainees') AS gp_fte_trainees,
        sum(FTE) FILTER (WHERE STAFF_GROUP = 'Locums') AS gp_fte_locums,
        sum(FTE) FILTER (WHERE STAFF_GROUP = 'Nurses') AS nurses_fte,
        sum(FTE) FILTER (WHERE STAFF_GROUP = 'Direct patient care') AS dpc_fte,
        sum(FTE) FILTER (WHERE STAFF_GROUP = 'Admin/non-clinical') AS admin_fte
    FROM read_csv($files, columns = $columns, header = true, auto_detect = false)
    GROUP BY 1
)
SELECT month, period_kind, staff_group, fte, registered_patients
FROM wide UNPIVOT INCLUDE NULLS (fte FOR staff_group IN (gp_fte_all, gp_fte_qualified, gp_fte_trainees,
    gp_fte_locums, nurses_fte, dpc_fte, admin_fte))
ORDER BY month, staff_group
