-- One row per measure x comparison x base year x later financial year: growth of the system and of England
-- since the base year, and the drift (system growth - England growth, percentage points). Only complete years
-- (12 months) enter. The base year is the profile's, or, where a comparison has no data for it, its first
-- later year with both sides (e.g. FY2021/22 for total emergency admissions, FY2022/23 for the ICB series).
-- Comparisons (a system basis against an England basis, see fct_ae_published_annual):
WITH comparisons(comparison, system_basis, england_basis, like_for_like, description) AS (
    VALUES
    ('trusts', 'profile_providers', 'nhs_trusts', true,
     'The profile''s trusts against every NHS trust in England: both count NHS trusts only'),
    ('as_published', 'profile_providers', 'all_providers', false,
     'The profile''s trusts against every A&E provider in England (NHS trusts and others): the pairing that '
     'reproduces the ICB''s published growths; not like for like'),
    ('catchment', 'catchment_weighted', 'nhs_trusts', true,
     'Every NHS trust''s activity x its OHID catchment share from the ICB, against every NHS trust in England'),
    ('icb_series', 'all_providers', 'all_providers', true,
     'The ICB-level series against the sum of all ICBs: every provider on both sides (April 2022 onwards)')
),
annual AS (
    SELECT * FROM marts.fct_ae_published_annual WHERE complete
),
pairs AS (
    SELECT c.*, s.measure, s.financial_year, s.activity AS system_value, e.activity AS england_value,
           s.org_months_missing + e.org_months_missing AS org_months_missing
    FROM comparisons AS c
    JOIN annual AS s ON s.area_level = 'system' AND s.basis = c.system_basis
    JOIN annual AS e ON e.area_level = 'england' AND e.basis = c.england_basis
                    AND e.measure = s.measure AND e.financial_year = s.financial_year
),
bases AS (
    SELECT comparison, measure, min(financial_year) AS base_year
    FROM pairs WHERE financial_year >= $base_year GROUP BY ALL
),
growth AS (
    SELECT
        y.measure, y.comparison, y.system_basis, y.england_basis, y.like_for_like, y.description,
        b.base_year, y.financial_year,
        p.system_value AS system_base, y.system_value,
        100.0 * (y.system_value / p.system_value - 1) AS system_growth_pct,
        p.england_value AS england_base, y.england_value,
        100.0 * (y.england_value / p.england_value - 1) AS england_growth_pct,
        p.org_months_missing + y.org_months_missing AS org_months_missing
    FROM bases AS b
    JOIN pairs AS p ON p.comparison = b.comparison AND p.measure = b.measure AND p.financial_year = b.base_year
    JOIN pairs AS y ON y.comparison = b.comparison AND y.measure = b.measure AND y.financial_year > b.base_year
)
SELECT
    measure, comparison, system_basis, england_basis, like_for_like,
    CAST(base_year AS INTEGER) AS base_financial_year,
    CAST(financial_year AS INTEGER) AS financial_year,
    system_base, system_value, system_growth_pct,
    england_base, england_value, england_growth_pct,
    system_growth_pct - england_growth_pct AS drift_pp,
    100.0 * (1 + system_growth_pct / 100) / (1 + england_growth_pct / 100) AS system_index_vs_england,
    org_months_missing,
    description
FROM growth
ORDER BY measure, comparison, base_financial_year, financial_year
