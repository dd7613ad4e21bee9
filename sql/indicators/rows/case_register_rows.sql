-- The cases the city reports itself (平信用办〔2020〕2号 二.2), current versions first delivered in the month: a case
-- counts as reported in the month of its first delivery (the earliest reported_on among the versions of its key), so
-- a register re-sent whole, or a case corrected later, is not counted again. Its category is the current version's.
-- Role column: in_category (案例类别 is the definition's :category).
WITH cases AS (
    SELECT c.*,
           (SELECT min(v.reported_on) FROM core.case_register v
            WHERE v.al_bsdw = c.al_bsdw AND v.al_bh = c.al_bh AND v.subject_key = c.subject_key) AS first_reported
    FROM core.case_register c
    WHERE c.is_current AND c.reported_on >= :month
)
SELECT c.department_id, 'case_register' AS dataset, c.batch_id, b.sha256, c.source_row, c.subject_key,
       c.al_zt_mc AS subject_name, c.al_zjhm AS id_number, c.al_bh AS case_no, c.al_lb AS category,
       c.al_mc AS title, c.al_bsdw AS reporting_unit, c.al_fsrq AS happened_on, c.first_reported,
       c.al_lb = :category AS in_category
FROM cases c JOIN landing.batches b USING (batch_id)
WHERE c.first_reported BETWEEN :month AND :month_end
