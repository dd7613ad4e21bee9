-- 异议 cases concluded (办结日期) in the month, current versions, with their handling time in calendar days
-- (办结日期 − 受理日期; 济信用办〔2020〕14号 item 三十六 counts 天). For the share of 公开信息总量, also the 行政许可 / 行政处罚
-- records published in the window (current versions reported from :window_from to :month_end).
-- Role columns: concluded, upheld (处理结果 in :upheld_results: 有效异议), published (a published record).
SELECT o.department_id, 'objection' AS dataset, o.batch_id, b.sha256, o.source_row, o.subject_key,
       o.yy_zt_mc AS subject_name, o.yy_zjhm AS id_number, o.yy_bh AS case_no, o.yy_xxly AS information_source,
       o.yy_slrq AS accepted_on, o.yy_bjrq AS concluded_on, o.yy_jg AS result,
       o.yy_bjrq - o.yy_slrq AS handling_days,
       true AS concluded, COALESCE(o.yy_jg = ANY(:upheld_results), false) AS upheld, false AS published
FROM core.objection o JOIN landing.batches b USING (batch_id)
WHERE o.is_current AND o.yy_bjrq BETWEEN :month AND :month_end
UNION ALL
SELECT p.department_id, p.dataset, p.batch_id, b.sha256, p.source_row, p.subject_key, p.subject_name, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, false, false, true
FROM (
    SELECT department_id, 'license' AS dataset, batch_id, source_row, subject_key, xk_xdr_mc AS subject_name
    FROM core.license WHERE is_current AND reported_on BETWEEN :window_from AND :month_end
    UNION ALL
    SELECT department_id, 'penalty', batch_id, source_row, subject_key, cf_xdr_mc
    FROM core.penalty WHERE is_current AND reported_on BETWEEN :window_from AND :month_end
) p JOIN landing.batches b USING (batch_id)
