-- 重错码 open at the end of :window_before (the day before the window) and whether each was gone by the end of
-- :month_end: corrected = the code fixed, the record withdrawn or replaced (quality.uscc_issues at both days).
-- An issue is the same one when its kind and its code (错码, 一码多名) or its name (一名多码) match.
-- Role columns: open_at_window_start (always), corrected. An issue is one row of uscc_issues (one per code, or
-- per name for 一名多码), so the outer join finds at most one: a hash join, not a search per issue.
WITH before AS (SELECT * FROM quality.uscc_issues(:window_before)),
     now AS (SELECT issue, COALESCE(code, name_key) AS issue_key FROM quality.uscc_issues(:month_end))
SELECT NULL::text AS department_id, 'uscc' AS dataset, b.issue AS issue_kind, b.code, b.name_key, b.first_seen, b.observations,
       true AS open_at_window_start,
       n.issue IS NULL AS corrected
FROM before b
LEFT JOIN now n ON n.issue = b.issue AND n.issue_key = COALESCE(b.code, b.name_key)
