-- One row per census month: the system's registered patients per fully qualified GP (FTE).
SELECT month, sum(registered_patients) / nullif(sum(gp_fte_qualified), 0) AS patients_per_qualified_gp_fte
FROM marts.fct_gp_workforce
GROUP BY 1
ORDER BY 1
