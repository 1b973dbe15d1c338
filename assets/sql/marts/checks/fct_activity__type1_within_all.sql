-- Type 1 A&E attendances never exceed all A&E attendances of the same LSOA, month, age band and sex (type 1
-- departments are one kind of A&E, so their attendances are part of all attendances).
WITH pairs AS (
    SELECT t.lsoa_code, t.month, t.age_band, t.sex, t.activity AS type1, coalesce(a.activity, 0) AS all_types
    FROM marts.fct_activity AS t
    LEFT JOIN marts.fct_activity AS a
        ON a.lsoa_code = t.lsoa_code AND a.month = t.month AND a.age_band = t.age_band AND a.sex = t.sex
       AND a.measure = 'ae_attendances_all'
    WHERE t.measure = 'ae_attendances_type1'
),
over AS (SELECT * FROM pairs WHERE type1 > all_types ORDER BY lsoa_code, month, age_band, sex)
SELECT
    count(*) = 0,
    CASE WHEN count(*) = 0 THEN printf('type 1 within all types in all %d cells', (SELECT count(*) FROM pairs))
         ELSE printf('%d cells with more type 1 than all attendances, e.g. %s', count(*),
                     string_agg(printf('%s %s %s %s: %d > %d', lsoa_code, strftime(month, '%Y-%m'), age_band, sex,
                                       type1, all_types), '; ') FILTER (WHERE rn <= 5)) END
FROM (SELECT *, row_number() OVER () AS rn FROM over)
