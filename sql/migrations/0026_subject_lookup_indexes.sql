-- Lookups of one subject's current records (issue #20 item 7), no change in meaning.
--
-- The 公共信用信息报告 (publish/subject_report.py) reads a subject's current records of each table by its
-- 统一社会信用代码, or a natural person's by the 证件号码, and finds the subject asked in every table by code, 证件号码
-- or name as quality.name_key folds it; the 联合奖惩 核查 (publish/list_check.py) looks credit-list periods up by
-- code and by name, and the market-subject register by name. None of these columns had an index: every report read
-- the whole of core.license and core.penalty (10 million records: seconds per report). Partial indexes over the
-- current versions only, which is all these lookups read; the register's code is its subject_key
-- (subject_registry_current_key), but the report asks by zt_shxym.
CREATE INDEX license_subject_code ON core.license (xk_xdr_shxym) WHERE is_current;
CREATE INDEX license_subject_id ON core.license (xk_xdr_zjhm) WHERE is_current;
CREATE INDEX license_name_key ON core.license (quality.name_key(xk_xdr_mc)) WHERE is_current;
CREATE INDEX penalty_subject_code ON core.penalty (cf_xdr_shxym) WHERE is_current;
CREATE INDEX penalty_subject_id ON core.penalty (cf_xdr_zjhm) WHERE is_current;
CREATE INDEX penalty_name_key ON core.penalty (quality.name_key(cf_xdr_mc)) WHERE is_current;
CREATE INDEX credit_list_subject_code ON core.credit_list (md_shxym) WHERE is_current;
CREATE INDEX credit_list_subject_id ON core.credit_list (md_zjhm) WHERE is_current;
CREATE INDEX credit_list_name_key ON core.credit_list (quality.name_key(md_zt_mc)) WHERE is_current;
CREATE INDEX credit_commitment_subject_code ON core.credit_commitment (cn_shxym) WHERE is_current;
CREATE INDEX credit_commitment_subject_id ON core.credit_commitment (cn_zjhm) WHERE is_current;
CREATE INDEX credit_commitment_name_key ON core.credit_commitment (quality.name_key(cn_zt_mc)) WHERE is_current;
CREATE INDEX joint_sanction_subject_code ON core.joint_sanction (jc_shxym) WHERE is_current;
CREATE INDEX joint_sanction_subject_id ON core.joint_sanction (jc_zjhm) WHERE is_current;
CREATE INDEX joint_sanction_name_key ON core.joint_sanction (quality.name_key(jc_zt_mc)) WHERE is_current;
CREATE INDEX subject_registry_code ON core.subject_registry (zt_shxym) WHERE is_current;
CREATE INDEX subject_registry_name_key ON core.subject_registry (quality.name_key(zt_mc)) WHERE is_current;
