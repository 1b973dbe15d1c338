-- One row per period x staff group: England's FTE and the registered patients of the practices it covers (GPW
-- national, or the sum of every English practice reporting the group where only practice-level figures are
-- held); period_kind as fct_gp_workforce.
SELECT month, period_kind, ina_financial_year(month) AS financial_year, staff_group, fte, registered_patients
FROM staging.stg_gp__workforce_england
ORDER BY month, staff_group
