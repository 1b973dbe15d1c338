-- One row per system LSOA x month x age band x sex with type 1 A&E attendances: those and all attendances
-- (type 1 departments are one kind of A&E, so their attendances are part of all attendances).
SELECT
    t.lsoa_code, t.month, t.age_band, t.sex,
    coalesce(a.activity, 0) AS ae_attendances_all,
    t.activity AS ae_attendances_type1
FROM marts.fct_activity AS t
LEFT JOIN marts.fct_activity AS a
    ON a.lsoa_code = t.lsoa_code AND a.month = t.month AND a.age_band = t.age_band AND a.sex = t.sex
   AND a.measure = 'ae_attendances_all'
WHERE t.measure = 'ae_attendances_type1'
ORDER BY ALL
