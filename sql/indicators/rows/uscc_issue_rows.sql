-- The city's 统一社会信用代码 stock at the end of :month_end (quality.uscc_stock: one row per distinct code) and
-- its 错码 / 重码 (quality.uscc_issues: one row per 错码 code, per code under two or more names 一码多名, per name
-- under two or more codes 一名多码). Role columns: is_issue (重错码), in_stock (a code of the stock).
-- Each code leads to its observations in quality.uscc_observations (counted per batch, code and name).
SELECT NULL::text AS department_id, 'uscc' AS dataset, i.issue AS issue_kind, i.code, i.name_key, i.first_seen,
       i.observations, true AS is_issue, false AS in_stock
FROM quality.uscc_issues(:month_end) i
UNION ALL
SELECT NULL, 'uscc', NULL, s.code, NULL, s.first_seen, NULL, false, true
FROM quality.uscc_stock(:month_end) s
