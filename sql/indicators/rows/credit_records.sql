-- Credit records of the window (:window_from to :month_end): the current version of every 行政许可 and 行政处罚
-- record reported in it and every credit-list period 列入 in it, with its subject kind (相对人类别 / 主体类别); and
-- the subjects 存续 in the register on :month_end. Role columns:
--   enterprise_record   a record of a subject of :enterprise_kinds (企业信用记录)
--   person_record       a record of a subject of :person_kinds (自然人信用记录)
--   existing_enterprise a register row: 存续 on :month_end, of :existing_enterprise_types (存续企业数)
WITH records AS (
    SELECT department_id, 'license' AS dataset, batch_id, source_row, subject_key, xk_xdr_mc AS subject_name,
           xk_xdr_lb AS subject_kind, reported_on
    FROM core.license WHERE is_current AND reported_on BETWEEN :window_from AND :month_end
    UNION ALL
    SELECT department_id, 'penalty', batch_id, source_row, subject_key, cf_xdr_mc, cf_xdr_lb, reported_on
    FROM core.penalty WHERE is_current AND reported_on BETWEEN :window_from AND :month_end
    UNION ALL
    SELECT department_id, 'credit_list', batch_id, source_row, subject_key, md_zt_mc, md_zt_lb, reported_on
    FROM core.credit_list WHERE is_current AND md_lrrq BETWEEN :window_from AND :month_end
)
SELECT r.department_id, r.dataset, r.batch_id, b.sha256, r.source_row, r.subject_key, r.subject_name, r.subject_kind,
       r.reported_on,
       COALESCE(r.subject_kind = ANY(:enterprise_kinds), false) AS enterprise_record,
       COALESCE(r.subject_kind = ANY(:person_kinds), false) AS person_record,
       false AS existing_enterprise
FROM records r JOIN landing.batches b USING (batch_id)
UNION ALL
SELECT NULL, 'subject_registry', NULL, NULL, NULL, s.subject_key, s.subject_name, s.subject_type, s.founded_on,
       false, false, true
FROM core.subjects_on(:month_end) s
WHERE s.active AND s.subject_type = ANY(:existing_enterprise_types)
