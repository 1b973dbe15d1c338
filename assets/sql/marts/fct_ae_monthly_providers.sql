-- One row per published series x provider x month: NHS England's published A&E attendances and emergency
-- admissions, flagged for the system's providers (profile `providers`). England = the sum over all providers.
-- A series leaves a measure empty where it does not publish it (e.g. the 2021+ trust compilation has no types).
SELECT
    series,
    month,
    ina_financial_year(month) AS financial_year,
    provider_code,
    provider_name,
    parent_org,
    list_contains($providers, provider_code) AS is_system_provider,
    attendances_all,
    attendances_type1,
    attendances_type2,
    attendances_other,
    emergency_admissions,
    emergency_admissions_via_ae
FROM staging.stg_uec__ae_monthly_providers
WHERE month BETWEEN CAST($first_month AS DATE) AND CAST($last_month AS DATE)
ORDER BY series, month, provider_code
