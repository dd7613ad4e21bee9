-- Departments that usually deliver but sent nothing this month (possible 漏报 / 瞒报), per dataset and over all
-- their datasets. Usually = a delivery in at least :min_months of the :previous_months months before this one.
-- Department rows (only departments that usually deliver): numerator = months with a delivery in the window,
-- denominator = :previous_months, value = 1 when nothing was delivered this month, else 0.
-- City rows: numerator = departments flagged, denominator = departments that usually deliver.
WITH per_department AS (
    SELECT department_id, COALESCE(dataset, 'all') AS dataset,
           count(DISTINCT month) FILTER (WHERE before_month) AS months_delivered,
           count(*) FILTER (WHERE this_month) AS delivered_now
    FROM rows
    GROUP BY GROUPING SETS ((department_id, dataset), (department_id))
), usual AS (
    SELECT * FROM per_department WHERE months_delivered >= :min_months
)
SELECT 'department' AS scope, department_id AS scope_id, dataset, months_delivered AS numerator,
       :previous_months AS denominator, CASE WHEN delivered_now = 0 THEN 1 ELSE 0 END AS value
FROM usual
UNION ALL
SELECT 'city', 'city', dataset, count(*) FILTER (WHERE delivered_now = 0), count(*),
       round((count(*) FILTER (WHERE delivered_now = 0))::numeric / count(*), 6)
FROM usual
GROUP BY dataset
