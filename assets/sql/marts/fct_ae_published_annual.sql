-- One row per measure x area x attribution basis x financial year: NHS England's published A&E activity summed
-- over the organisations of the basis. Bases:
--   system  all_providers       the ICB-level ("system level") series: every A&E provider NHS England maps to
--                               the ICB, NHS trusts and others (April 2022 onwards)
--   england all_providers       every provider in England: the 42 ICBs' sum (April 2022 onwards) or every
--                               provider of the April 2016 - March 2019 series
--   system  profile_providers   the profile's trusts (and any trust that merged into one of them)
--   england nhs_trusts          every NHS trust (April 2016 - March 2019 and April 2021 onwards; the 2021+ trust
--                               file holds only NHS trusts)
--   system  catchment_weighted  every NHS trust's activity x its share attributed to the ICB (OHID catchments;
--                               see fct_ae_published_monthly.catchment_share)
-- Months missing inside an organisation's series are counted in org_months_missing and never filled; a year
-- is complete when all 12 months have data.
WITH monthly AS (
    SELECT * FROM marts.fct_ae_published_monthly WHERE financial_year BETWEEN $first_year AND $last_year
),
members AS (
    SELECT *, 'system' AS area_level, CAST($icb_code AS VARCHAR) AS area_code, 'all_providers' AS basis,
           1.0 AS weight
    FROM monthly WHERE series = 'icb_monthly' AND is_system
    UNION ALL
    SELECT *, 'england', CAST($england_code AS VARCHAR), 'all_providers', 1.0
    FROM monthly WHERE series IN ('icb_monthly', 'trust_by_type', 'provider_monthly')
    UNION ALL
    SELECT *, 'system', CAST($icb_code AS VARCHAR), 'profile_providers', 1.0
    FROM monthly WHERE is_profile_provider
    UNION ALL
    SELECT *, 'england', CAST($england_code AS VARCHAR), 'nhs_trusts', 1.0
    FROM monthly WHERE is_nhs_trust
    UNION ALL
    SELECT *, 'system', CAST($icb_code AS VARCHAR), 'catchment_weighted', catchment_share
    FROM monthly WHERE is_nhs_trust AND catchment_share > 0
),
measures(measure) AS (
    VALUES ('ae_attendances_all'), ('ae_attendances_type1'), ('emergency_admissions'), ('emergency_admissions_via_ae')
),
long AS (
    SELECT
        m.area_level, m.area_code, m.basis, m.financial_year, m.series, m.org_code, m.month, m.reported,
        k.measure,
        CASE k.measure
            WHEN 'ae_attendances_all' THEN m.attendances_all
            WHEN 'ae_attendances_type1' THEN m.attendances_type1
            WHEN 'emergency_admissions' THEN m.emergency_admissions
            WHEN 'emergency_admissions_via_ae' THEN m.emergency_admissions_via_ae
        END * m.weight AS activity
    FROM members AS m CROSS JOIN measures AS k
),
-- a series that does not publish a measure contributes nothing to it (rather than missing months)
series_measures AS (
    SELECT DISTINCT series, measure FROM long WHERE activity IS NOT NULL
)
SELECT
    l.measure,
    l.area_level,
    l.area_code,
    l.basis,
    CAST(l.financial_year AS INTEGER) AS financial_year,
    -- weighted activity is fractional: an exact decimal sum, the same whatever DuckDB's thread count
    CAST(sum(CAST(l.activity AS DECIMAL(38, 12))) AS DOUBLE) AS activity,
    count(DISTINCT l.month) FILTER (WHERE l.activity IS NOT NULL) AS months,
    count(DISTINCT l.month) FILTER (WHERE l.activity IS NOT NULL) = 12 AS complete,
    count(DISTINCT l.org_code) FILTER (WHERE l.activity IS NOT NULL) AS organisations,
    count(*) FILTER (WHERE NOT l.reported) AS org_months_missing,
    string_agg(DISTINCT l.series, ', ' ORDER BY l.series) AS series
FROM long AS l
JOIN series_measures AS s USING (series, measure)
GROUP BY l.measure, l.area_level, l.area_code, l.basis, l.financial_year
HAVING count(l.activity) > 0
ORDER BY l.measure, l.area_level DESC, l.basis, l.financial_year
