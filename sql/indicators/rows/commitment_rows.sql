-- 信用承诺 records dated (承诺日期) in the window (:window_from to :month_end), current versions, and the subjects
-- 存续 in the register on :month_end. Role columns:
--   enterprise_commitment  a commitment of a subject of :enterprise_kinds (or of no stated kind, with a code)
--   existing_enterprise    a register row: 存续 on :month_end, of :existing_enterprise_types
SELECT c.department_id, 'credit_commitment' AS dataset, c.batch_id, b.sha256, c.source_row, c.subject_key,
       c.cn_zt_mc AS subject_name, c.cn_zt_lb AS subject_kind, c.cn_zjhm AS id_number, c.cn_lx AS commitment_type,
       c.cn_wsh AS document_no, c.cn_rq AS dated,
       COALESCE(c.cn_zt_lb = ANY(:enterprise_kinds), c.cn_zt_lb IS NULL AND c.cn_shxym IS NOT NULL)
           AS enterprise_commitment,
       false AS existing_enterprise
FROM core.credit_commitment c JOIN landing.batches b USING (batch_id)
WHERE c.is_current AND c.cn_rq BETWEEN :window_from AND :month_end
UNION ALL
SELECT NULL, 'subject_registry', NULL, NULL, NULL, s.subject_key, s.subject_name, s.subject_type, NULL, NULL, NULL,
       s.founded_on, false, true
FROM core.subjects_on(:month_end) s
WHERE s.active AND s.subject_type = ANY(:existing_enterprise_types)
