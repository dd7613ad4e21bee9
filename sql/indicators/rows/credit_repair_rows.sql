-- 信用修复 cases of the month: concluded (办结日期) in it, or accepted by :month_end and still open then; current
-- versions. Working days from 受理日期 (not counted) to 办结日期, or to :month_end for an open case, on the official
-- calendar (mart.working_days_after, migration 0018); a case that needs a year the calendar does not know is
-- indeterminate, never on time by default (docs/architecture.md invariant 4).
-- Role columns: considered (always), open, overdue (more than :limit_working_days), indeterminate.
WITH cases AS (
    SELECT r.*, LEAST(COALESCE(r.xf_bjrq, :month_end), :month_end) AS counted_to
    FROM core.credit_repair r
    WHERE r.is_current AND r.xf_slrq <= :month_end
      AND (r.xf_bjrq BETWEEN :month AND :month_end OR r.xf_bjrq IS NULL OR r.xf_bjrq > :month_end)
), counted AS (
    SELECT c.*, mart.working_days_after(c.xf_slrq, c.counted_to, :holidays, :makeup_workdays) AS working_days,
           mart.calendar_covers(c.xf_slrq, c.counted_to, :calendar_years) AS known
    FROM cases c
)
SELECT c.department_id, 'credit_repair' AS dataset, c.batch_id, b.sha256, c.source_row, c.subject_key,
       c.xf_zt_mc AS subject_name, c.xf_zjhm AS id_number, c.xf_bh AS case_no, c.xf_slrq AS accepted_on,
       c.xf_bjrq AS concluded_on, c.working_days,
       true AS considered,
       c.xf_bjrq IS NULL OR c.xf_bjrq > :month_end AS open,
       c.known AND c.working_days > :limit_working_days AS overdue,
       NOT c.known AS indeterminate
FROM counted c JOIN landing.batches b USING (batch_id)
