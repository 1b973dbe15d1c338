-- One row per financial year x activity measure x ESP2013 age band x sex: England's activity.
SELECT financial_year, measure, age_band, sex, activity
FROM staging.stg_uec__england_activity_age_sex
WHERE financial_year BETWEEN $first_year AND $last_year
ORDER BY financial_year, measure, ina_age_band_order(age_band), sex
