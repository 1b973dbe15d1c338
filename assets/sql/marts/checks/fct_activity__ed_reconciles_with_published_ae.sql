-- ED attendances of the extract against NHS England's published monthly A&E attendances (all types) of the same
-- provider and month, where the profile holds both (schemas.registry.ReconciliationRule): a provider-month whose
-- extract count exceeds the published count by more than the margin, or whose share of it moved far from the
-- provider's usual share, is a finding (delivered twice, cut short, one provider's records missing). Months
-- accepted in decisions.yaml are neither judged nor a baseline. Passes, saying so, when nothing pairs.
WITH extract AS (
    SELECT provider_code, month, sum(attendances) AS attendances
    FROM staging.stg_uec__ed_attendances
    WHERE month BETWEEN CAST($first_month AS DATE) AND CAST($last_month AS DATE)
    GROUP BY ALL
), published AS (  -- one series per provider and month: the local monthly file first, then the public ones
    SELECT provider_code, month,
        arg_min(attendances_all, CASE series WHEN 'provider_monthly' THEN 1 WHEN 'trust_monthly' THEN 2 ELSE 3 END)
            AS attendances,
        min(series) FILTER (WHERE series = 'provider_monthly') AS local_series,
        min(series) AS any_series
    FROM staging.stg_uec__ae_monthly_providers
    WHERE attendances_all > 0
    GROUP BY ALL
), pairs AS (  -- every published month of a provider the extract holds, within the months the extract holds
    SELECT p.provider_code, p.month, coalesce(e.attendances, 0) AS extract, p.attendances AS published,
        coalesce(p.local_series, p.any_series) AS series,
        coalesce(e.attendances, 0) / p.attendances AS share
    FROM published AS p
    LEFT JOIN extract AS e USING (provider_code, month)
    WHERE p.provider_code IN (SELECT provider_code FROM extract)
      AND p.month IN (SELECT month FROM extract)
      AND p.month NOT IN (SELECT CAST(unnest($reconcile_accepted) AS DATE))
), judged AS (
    SELECT *,
        median(share) OVER recent AS usual,
        count(share) OVER recent AS history,
        min(month) OVER recent AS history_from,
        max(month) OVER recent AS history_to
    FROM pairs
    -- calendar months, not rows: across a gap in the published series (the by-type file ends 2019-03, the
    -- monthly one starts 2021-04 in the public mirror) the months before it are no baseline for now
    WINDOW recent AS (PARTITION BY provider_code ORDER BY month
                      RANGE BETWEEN to_months(CAST($reconcile_months AS INTEGER)) PRECEDING
                                AND INTERVAL 1 MONTH PRECEDING)
), findings AS (
    SELECT *,
        CASE
            WHEN extract > $reconcile_ceiling * published AND extract >= $reconcile_min_expected THEN
                printf('more than the %gx margin over the published count', $reconcile_ceiling)
            WHEN history >= $reconcile_min_history AND usual * published >= $reconcile_min_expected
                 AND NOT share BETWEEN $reconcile_low * usual AND $reconcile_high * usual THEN
                printf('a share of %.3g against the usual %.3g (median of %d months held, %s to %s; the rule: '
                       '%gx to %gx)', share, usual, history, strftime(history_from, '%Y-%m'),
                       strftime(history_to, '%Y-%m'), $reconcile_low, $reconcile_high)
        END AS why
    FROM judged
)
SELECT
    count(why) = 0,
    CASE WHEN count(*) = 0 THEN 'no provider and month held in both the extract and the published A&E'
         WHEN count(why) = 0 THEN printf('%,d provider-months reconcile with NHS England''s published A&E '
                                         '(%d providers, %s to %s)', count(*), count(DISTINCT provider_code),
                                         strftime(min(month), '%Y-%m'), strftime(max(month), '%Y-%m'))
         ELSE printf('%d provider-month(s) of the ED extract do not reconcile with NHS England''s published A&E '
                     'attendances; if a month is right, record a decision (rule: reconciliation) in %s: ',
                     count(why), $decisions_file)
              || string_agg(printf('%s, column PROVIDER_CODE = %s, %s: %,d attendances in the extract, %,d '
                                   'published (series %s): %s', replace($ed_file_pattern, '*',
                                   strftime(month, '%Y-%m')), provider_code, strftime(month, '%Y-%m'), extract,
                                   published, series, why), '; ' ORDER BY month, provider_code)
                  FILTER (WHERE why IS NOT NULL)
    END
FROM findings
