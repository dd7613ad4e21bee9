-- 联合奖惩 cases, current versions, that were first delivered in the month or whose feedback falls due in it.
-- A case counts as reported in the month of its first delivery (the earliest reported_on among the versions of its
-- key: a case re-sent with its 反馈日期 is not reported again). Seed 004 item 二十六: departments report a month's
-- cases to 市发改委 by the 25th (:report_day) and 市发改委 feeds them back to the national 联合奖惩系统 by the 30th
-- (:feedback_day; a shorter month's last day) of the month after; so the cases due in this month are those
-- implemented (实施日期) in the month before.
-- Role columns: reported (first delivered in the month), due (实施 in the month before), reported_on_time (first
-- delivered by the report day), fed_back_on_time (反馈日期 by the feedback day).
WITH bounds AS (
    SELECT CAST(date_trunc('month', CAST(:month AS date) - 1) AS date) AS due_from,
           CAST(:month AS date) - 1 AS due_to,
           LEAST(CAST(:month AS date) + (:report_day - 1), CAST(:month_end AS date)) AS report_by,
           LEAST(CAST(:month AS date) + (:feedback_day - 1), CAST(:month_end AS date)) AS feedback_by
), cases AS (
    SELECT c.*, x.*,
           (SELECT min(v.reported_on) FROM core.joint_sanction v
            WHERE v.jc_ssbm = c.jc_ssbm AND v.jc_bh = c.jc_bh AND v.subject_key = c.subject_key) AS first_reported
    FROM core.joint_sanction c CROSS JOIN bounds x
    WHERE c.is_current AND (c.reported_on >= :month OR c.jc_ssrq BETWEEN x.due_from AND x.due_to)
)
SELECT c.department_id, 'joint_sanction' AS dataset, c.batch_id, b.sha256, c.source_row, c.subject_key,
       c.jc_zt_mc AS subject_name, c.jc_zjhm AS id_number, c.jc_bh AS case_no, c.jc_jclx AS kind,
       c.jc_mdlx AS list_type, c.jc_cs AS measure, c.jc_ssbm AS implementing_department, c.jc_ssrq AS implemented_on,
       c.first_reported, c.report_by, c.jc_fkrq AS fed_back_on, c.feedback_by,
       c.first_reported BETWEEN :month AND :month_end AS reported,
       c.jc_ssrq BETWEEN c.due_from AND c.due_to AS due,
       c.jc_ssrq BETWEEN c.due_from AND c.due_to AND c.first_reported <= c.report_by AS reported_on_time,
       c.jc_ssrq BETWEEN c.due_from AND c.due_to AND COALESCE(c.jc_fkrq <= c.feedback_by, false) AS fed_back_on_time
FROM cases c JOIN landing.batches b USING (batch_id)
WHERE c.first_reported BETWEEN :month AND :month_end OR c.jc_ssrq BETWEEN c.due_from AND c.due_to
