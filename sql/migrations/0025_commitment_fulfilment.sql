-- 履约情况 of a 信用承诺 (fields.yaml cn_lyqk): whether the subject kept the commitment, where the accepting unit
-- reports it; optional. The 公共信用信息报告 shows it beside each commitment.
ALTER TABLE staging.credit_commitment_rows ADD COLUMN cn_lyqk text;
ALTER TABLE core.credit_commitment ADD COLUMN cn_lyqk text;

-- A record's content hash covers every field of the dataset in fields.yaml order, hashed from the staged text
-- (load/merge.py): with one more field, stored versions get the hash an unchanged re-delivery will now compute, so
-- it stays a duplicate rather than a new version (as 0019 did for 数据更新时间戳).
UPDATE core.credit_commitment c
SET content_hash = md5(ROW(s.cn_zt_mc, s.cn_zt_lb, s.cn_shxym, s.cn_zjhm, s.cn_lx, s.cn_sx, s.cn_wsh, s.cn_rq,
                           s.cn_slbm, s.cn_slbmdm, NULL::text, s.bz)::text)
FROM staging.credit_commitment_rows s
WHERE s.batch_id = c.batch_id AND s.source_row = c.source_row;
