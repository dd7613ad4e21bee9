-- One row per 双公示 record reported in the month: every row of the month's license and penalty batches that was
-- loaded into core or quarantined (exact re-deliveries are neither: they are not new reports). A batch belongs to
-- the month its file reached the platform (:start <= received_at < :end, the month in the city's time zone).
-- Role columns: reported (always), loaded (no error: 正确数据量), late / indeterminate (a finding of the suite's
-- timeliness rules :late_rules / :indeterminate_rules on that source row).
-- Every row leads to its batch, file hash and source row (docs/architecture.md invariant 5).
-- The month's rows are found by their batch ids (= ANY of the array of them) through the (batch_id, source_row)
-- indexes: a join on batch_id would let the planner scan each table's whole history.
WITH b AS (
    SELECT batch_id, department_id, dataset, source_name, sha256
    FROM landing.batches
    WHERE received_at >= :start AND received_at < :end AND dataset IN ('license', 'penalty')
), r AS (
    SELECT c.batch_id, c.source_row, true AS loaded, c.xk_xdr_mc AS subject_name, c.xk_xdr_shxym AS subject_code,
           c.xk_xdr_zjhm AS id_number, c.xk_wsh AS document_no, c.xk_jdrq::text AS decision_date, c.reported_on
    FROM core.license c WHERE c.batch_id = ANY(ARRAY(SELECT batch_id FROM b))
    UNION ALL
    SELECT c.batch_id, c.source_row, true, c.cf_xdr_mc, c.cf_xdr_shxym, c.cf_xdr_zjhm, c.cf_wsh, c.cf_jdrq::text,
           c.reported_on
    FROM core.penalty c WHERE c.batch_id = ANY(ARRAY(SELECT batch_id FROM b))
    UNION ALL
    SELECT q.batch_id, q.source_row, false,
           COALESCE(q.row_data ->> 'xk_xdr_mc', q.row_data ->> 'cf_xdr_mc'),
           COALESCE(q.row_data ->> 'xk_xdr_shxym', q.row_data ->> 'cf_xdr_shxym'),
           COALESCE(q.row_data ->> 'xk_xdr_zjhm', q.row_data ->> 'cf_xdr_zjhm'),
           COALESCE(q.row_data ->> 'xk_wsh', q.row_data ->> 'cf_wsh'),
           COALESCE(q.row_data ->> 'xk_jdrq', q.row_data ->> 'cf_jdrq'),
           (q.row_data ->> 'reported_on')::date
    FROM quality.quarantine q WHERE q.batch_id = ANY(ARRAY(SELECT batch_id FROM b))
), f AS (
    SELECT f.batch_id, f.source_row,
           bool_or(f.rule_id = ANY(:late_rules)) AS late,
           bool_or(f.rule_id = ANY(:indeterminate_rules)) AS indeterminate
    FROM quality.findings f
    WHERE f.batch_id = ANY(ARRAY(SELECT batch_id FROM b))
      AND (f.rule_id = ANY(:late_rules) OR f.rule_id = ANY(:indeterminate_rules))
    GROUP BY f.batch_id, f.source_row
)
SELECT b.department_id, b.dataset, r.batch_id, b.source_name, b.sha256, r.source_row,
       true AS reported, r.loaded, COALESCE(f.late, false) AS late, COALESCE(f.indeterminate, false) AS indeterminate,
       r.subject_name, r.subject_code, r.id_number, r.document_no, r.decision_date, r.reported_on
FROM r JOIN b USING (batch_id) LEFT JOIN f USING (batch_id, source_row)
