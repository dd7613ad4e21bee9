-- The share of a row set's rows in the numerator among those in the denominator, per department and dataset, per
-- department, per dataset and for the city. {numerator_count}, {denominator_count} and {value} are filled in
-- (citycredit.indicators) from the boolean role columns the indicator's definition names in
-- include/config/indicators.yaml; without a denominator the value is the count.
SELECT CASE WHEN GROUPING(department_id) = 1 THEN 'city' ELSE 'department' END AS scope,
       COALESCE(department_id, 'city') AS scope_id,
       COALESCE(dataset, 'all') AS dataset,
       {numerator_count} AS numerator,
       {denominator_count} AS denominator,
       {value} AS value
FROM rows
GROUP BY GROUPING SETS ((department_id, dataset), (department_id), (dataset), ())
