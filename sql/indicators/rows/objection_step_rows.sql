-- The two one-working-day steps of 异议 handling (济信用办〔2020〕14号 item 三十六), current versions:
--   verification: the 信息来源单位 answers in writing (核实反馈日期) within :limit_working_days of 转办日期;
--     counted in the month of 转办日期;
--   reply: 市发改委 replies upward (复函日期) within :limit_working_days of 核实反馈日期; counted in the month of
--     核实反馈日期.
-- A step not taken by :month_end is late once more than the limit has passed by then, and pending (in neither
-- count) before. Working days on the official calendar (mart.working_days_after, migration 0018); a step that needs
-- a year the calendar does not know is indeterminate, not on time.
-- Role columns: verification_due, verification_late, reply_due, reply_late, indeterminate.
WITH steps AS (
    SELECT o.*, 'verification' AS step, o.yy_zbrq AS started_on, o.yy_hsrq AS done_on
    FROM core.objection o WHERE o.is_current AND o.yy_zbrq BETWEEN :month AND :month_end
    UNION ALL
    SELECT o.*, 'reply', o.yy_hsrq, o.yy_hfrq
    FROM core.objection o WHERE o.is_current AND o.yy_hsrq BETWEEN :month AND :month_end
), counted AS (
    SELECT s.*, LEAST(COALESCE(s.done_on, :month_end), :month_end) AS counted_to FROM steps s
), timed AS (
    SELECT c.*, mart.working_days_after(c.started_on, c.counted_to, :holidays, :makeup_workdays) AS working_days,
           mart.calendar_covers(c.started_on, c.counted_to, :calendar_years) AS known,
           c.done_on IS NOT NULL AND c.done_on <= :month_end AS done
    FROM counted c
), judged AS (
    SELECT t.*, t.known AND t.working_days > :limit_working_days AS late,
           t.done OR (t.known AND t.working_days > :limit_working_days) AS due
    FROM timed t
)
SELECT j.department_id, 'objection' AS dataset, j.batch_id, b.sha256, j.source_row, j.subject_key,
       j.yy_zt_mc AS subject_name, j.yy_zjhm AS id_number, j.yy_bh AS case_no, j.yy_xxly AS information_source,
       j.step, j.started_on, j.done_on, j.working_days,
       j.step = 'verification' AND (j.due OR NOT j.known) AS verification_due,
       j.step = 'verification' AND j.late AS verification_late,
       j.step = 'reply' AND (j.due OR NOT j.known) AS reply_due,
       j.step = 'reply' AND j.late AS reply_late,
       NOT j.known AS indeterminate
FROM judged j JOIN landing.batches b USING (batch_id)
