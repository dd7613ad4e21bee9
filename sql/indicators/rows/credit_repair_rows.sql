-- 信用修复 cases of the month: concluded (办结日期) in it, or accepted by :month_end and still open then; current
-- versions. Working days from 受理日期 (not counted) to 办结日期, or to :month_end for an open case, on the official
-- calendar: weekdays not in :holidays plus the 调休 weekend days :makeup_workdays, for the years :calendar_years;
-- a case that needs any other year is indeterminate, never on time by default (docs/architecture.md invariant 4).
-- Role columns: considered (always), open, overdue (more than :limit_working_days), indeterminate.
WITH cases AS (
    SELECT r.*, LEAST(COALESCE(r.xf_bjrq, :month_end), :month_end) AS counted_to
    FROM core.credit_repair r
    WHERE r.is_current AND r.xf_slrq <= :month_end
      AND (r.xf_bjrq BETWEEN :month AND :month_end OR r.xf_bjrq IS NULL OR r.xf_bjrq > :month_end)
), counted AS (
    SELECT c.*,
           (SELECT count(*) FROM generate_series((c.xf_slrq + 1)::timestamp, c.counted_to::timestamp, interval '1 day') AS g(d)
            WHERE (extract(isodow FROM g.d) < 6 AND g.d::date <> ALL(:holidays)) OR g.d::date = ANY(:makeup_workdays))
               AS working_days,
           NOT EXISTS (SELECT 1 FROM generate_series(extract(year FROM c.xf_slrq + 1)::int,
                                                     extract(year FROM c.counted_to)::int) AS y(year)
                       WHERE y.year <> ALL(:calendar_years)) AS known
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
