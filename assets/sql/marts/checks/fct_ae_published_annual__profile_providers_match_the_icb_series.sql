-- Where both exist (FY2022/23 onwards), the profile's providers' emergency admissions and the ICB-level series
-- agree within 2%: evidence that the profile's trusts are the ICB's acute providers (passes, saying so, when
-- the ICB-level series is not held).
WITH pairs AS (
    SELECT p.financial_year, p.activity AS providers, s.activity AS icb
    FROM marts.fct_ae_published_annual AS p
    JOIN marts.fct_ae_published_annual AS s USING (measure, area_level, financial_year)
    WHERE p.measure = 'emergency_admissions' AND p.area_level = 'system' AND p.complete AND s.complete
      AND p.basis = 'profile_providers' AND s.basis = 'all_providers'
)
SELECT
    count(*) = 0 OR bool_and(abs(providers / icb - 1) <= 0.02),
    coalesce(string_agg(printf('FY%d: providers %,.0f, ICB series %,.0f', financial_year, providers, icb), '; '
                        ORDER BY financial_year), 'no year with both series')
FROM pairs
