-- One row per footprint or system x Fingertips indicator x sex x age x period: the published counts and
-- denominators of its member local authorities (jsna_membership) summed, with how many members published
-- both (an aggregate is only computed when every member did). Categories (e.g. deprivation deciles) excluded.
-- Fractional values are summed as DECIMAL(38, 12), exactly: the same result whatever DuckDB's thread count.
WITH members AS (
    SELECT level, area_code, count(*) AS n_members FROM jsna_membership GROUP BY ALL
)
SELECT m.level, m.area_code, j.indicator_id, j.sex, j.age, j.period, any_value(j.period_sortable) AS period_sortable,
    CAST(sum(CAST(j.count AS DECIMAL(38, 12))) AS DOUBLE) AS count,
    CAST(sum(CAST(j.denominator AS DECIMAL(38, 12))) AS DOUBLE) AS denominator,
    count(*) FILTER (WHERE j.count IS NOT NULL AND j.denominator IS NOT NULL) AS n_published,
    any_value(n.n_members) AS n_members
FROM jsna_membership AS m
JOIN marts.fct_jsna_indicator_values AS j ON j.area_code = m.lad_code AND j.level = 'local_authority'
JOIN members AS n ON n.level = m.level AND n.area_code = m.area_code
WHERE coalesce(j.category_type, '') = '' AND j.indicator_id IN (SELECT unnest($fingertips_ids))
GROUP BY ALL
ORDER BY ALL;
