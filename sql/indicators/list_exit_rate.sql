-- 近12个月严重失信名单主体退出比例, for the city and per department that keeps a list (distinct subjects):
-- numerator = subjects removed in the window; denominator by :exit_variant (include/config/indicators.yaml):
--   opening_plus_added  subjects on a list the day before the window + subjects added in the window (a subject
--                       on the list then and added again in the window counts twice, as the formula adds them);
--   ever_listed         subjects on a list at any time in the window (each once).
-- The value is the indicator's whole (dataset 'all', as every indicator has, which the report and the 反馈表 read);
-- credit lists are its only dataset.
WITH counts AS (
    SELECT department_id, GROUPING(department_id) AS is_city,
           count(DISTINCT subject_key) FILTER (WHERE removed_in_window) AS removed,
           CASE :exit_variant
               WHEN 'opening_plus_added' THEN count(DISTINCT subject_key) FILTER (WHERE listed_at_window_start)
                                              + count(DISTINCT subject_key) FILTER (WHERE added_in_window)
               WHEN 'ever_listed' THEN count(DISTINCT subject_key) FILTER (WHERE listed_in_window)
           END AS listed
    FROM rows
    WHERE dataset = 'credit_list'
    GROUP BY GROUPING SETS ((department_id), ())
)
SELECT CASE WHEN is_city = 1 THEN 'city' ELSE 'department' END AS scope,
       COALESCE(department_id, 'city') AS scope_id, 'all' AS dataset,
       removed AS numerator, listed AS denominator,
       CASE WHEN listed > 0 THEN round(removed::numeric / listed, 6) END AS value
FROM counts
