-- One row per headline figure x variant: the value this run gives (joined in Python to the figure the ICB
-- published, profile `public.published`, by figure_id). Variants are the editions, bases and years the public
-- data allow; a figure the public data cannot give has an empty value and says why (marts.public_unavailable).
WITH dep AS (
    SELECT * FROM marts.public_deprivation_profile WHERE level = 'system'
),
drift AS (
    SELECT * FROM marts.public_ae_right_drift
    WHERE measure = 'ae_attendances_all' AND base_financial_year = $base_year AND financial_year = $base_year + 5
),
gp AS (
    SELECT * FROM marts.public_gp_capacity WHERE level = 'system' AND staff_group IN ('gp_qualified', 'gp_all')
),
unavailable AS (
    SELECT published_figure, reason FROM marts.public_unavailable WHERE published_figure IS NOT NULL
),
rows AS (
    SELECT 'lsoas_most_deprived_20pct' AS figure_id, printf('IMD %d, LSOAs %d', imd_edition, lsoa_vintage) AS variant,
           '% of the ICB''s LSOAs in national IMD deciles 1-2' AS indicator, pct_lsoas_decile_1_2 AS pipeline_value,
           '%' AS unit, 'public_deprivation_profile' AS source_table,
           printf('%d of %d LSOAs (95%% Wilson %.1f-%.1f%%); the plan does not say which edition, boundaries or '
                  'lookup its 31%% used: %d LSOAs would be needed for 31%%', lsoas_decile_1_2, lsoas,
                  pct_lsoas_decile_1_2_lower, pct_lsoas_decile_1_2_upper, CAST(ceil(0.305 * lsoas) AS INTEGER))
               AS explanation
    FROM dep
    UNION ALL
    SELECT 'residents_most_deprived_20pct', printf('IMD %d, residents', imd_edition),
           '% of the ICB''s residents in national IMD deciles 1-2 (not the published measure: LSOAs)',
           pct_population_decile_1_2, '%', 'public_deprivation_profile',
           printf('%,d residents (%s)', population, population_basis)
    FROM dep WHERE pct_population_decile_1_2 IS NOT NULL
    UNION ALL
    SELECT 'ae_growth_system', printf('FY%s -> FY%s, %s', ina_financial_year_label(base_financial_year),
                                      ina_financial_year_label(financial_year), system_basis),
           'Growth of the ICB''s A&E attendances (all types)', system_growth_pct, '%', 'public_ae_right_drift',
           printf('%,.0f -> %,.0f attendances; %s', system_base, system_value,
                  CASE system_basis WHEN 'profile_providers' THEN 'the profile''s four acute trusts'
                                    ELSE 'every NHS trust x its OHID catchment share from the ICB' END)
    FROM drift WHERE comparison IN ('trusts', 'catchment')
    UNION ALL
    SELECT 'ae_growth_england', printf('FY%s -> FY%s, %s', ina_financial_year_label(base_financial_year),
                                       ina_financial_year_label(financial_year), england_basis),
           'Growth of England''s A&E attendances (all types)', england_growth_pct, '%', 'public_ae_right_drift',
           printf('%,.0f -> %,.0f attendances; %s', england_base, england_value,
                  CASE england_basis WHEN 'all_providers' THEN 'every A&E provider (the England total NHS England publishes)'
                                     ELSE 'NHS trusts only (independent and other providers left out both years)' END)
    FROM drift WHERE comparison IN ('trusts', 'as_published')
    UNION ALL
    SELECT 'ae_drift', printf('FY%s -> FY%s, %s', ina_financial_year_label(base_financial_year),
                              ina_financial_year_label(financial_year), comparison),
           'A&E right drift: ICB growth - England growth', drift_pp, 'pp', 'public_ae_right_drift', description
    FROM drift
    UNION ALL
    SELECT 'gp_fte_per_capita_vs_england', printf('%d, %s', year, staff_group),
           'GP FTE per registered patient, % difference from England', pct_vs_england, '%', 'public_gp_capacity',
           printf('%.1f vs England %.1f FTE per 100,000 registered patients (%s; annual mean of the year''s monthly '
                  'extracts%s)', fte_per_100k, england_fte_per_100k, source_columns,
                  CASE WHEN year = (SELECT max(year) FROM gp) THEN ', partial year' ELSE '' END)
    FROM gp
    UNION ALL
    SELECT f.figure_id, 'not available', f.indicator, NULL, f.unit, 'public_unavailable', u.reason
    FROM (VALUES
        ('emergency_admissions_growth_system', 'Growth of the ICB''s emergency admissions', '%', '+18% vs +0.7% nationally'),
        ('emergency_admissions_growth_england', 'Growth of England''s emergency admissions', '%', '+18% vs +0.7% nationally'),
        ('bed_days_growth_system', 'Growth of occupied bed days', '%', 'Occupied bed days rose by 11%'),
        ('nel_per_weighted_capita_vs_england', 'Emergency admissions per weighted capita against England', '%',
         'NEL admissions per weighted capita 20% above national (over 30,000 admissions)'),
        ('ae_per_weighted_capita_vs_england', 'A&E attendances per weighted capita against England', '%',
         'A&E attendances per weighted capita ~1% higher')
    ) AS f(figure_id, indicator, unit, published_figure)
    JOIN unavailable AS u USING (published_figure)
)
SELECT figure_id, variant, indicator, pipeline_value, unit, source_table, explanation FROM rows
ORDER BY figure_id, variant
