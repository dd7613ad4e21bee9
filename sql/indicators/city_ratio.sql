-- The city's share of a row set's numerator among its denominator, per dataset of the numerator rows and in all.
-- {numerator_count}, {denominator_count} and {value} are filled in (citycredit.indicators) from the role columns
-- the definition names in include/config/indicators.yaml, counting rows or distinct `count_distinct` values.
SELECT 'city' AS scope, 'city' AS scope_id, 'all' AS dataset,
       {numerator_count} AS numerator,
       {denominator_count} AS denominator,
       {value} AS value
FROM rows
