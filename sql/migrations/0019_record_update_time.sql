-- 数据更新时间戳 (SJC) of the 双公示 template: the record's own update time, optional (most feeds do not send it).
-- Which version of a record is current orders by it after the time of receipt (load/versions.py, issue #18).
ALTER TABLE staging.license_rows ADD COLUMN xk_sjc text;
ALTER TABLE staging.penalty_rows ADD COLUMN cf_sjc text;
ALTER TABLE core.license ADD COLUMN xk_sjc timestamptz;
ALTER TABLE core.penalty ADD COLUMN cf_sjc timestamptz;

-- A record's content hash covers every field of the dataset in include/config/fields.yaml order, hashed from the
-- staged text (load/merge.py); with one more field, stored versions get the hash an unchanged re-delivery will now
-- compute, so it stays a duplicate rather than a new version. Computed from the version's staged row, because a
-- typed core column does not give the staged text back (numeric(18,6) prints 0.2 as 0.200000).
UPDATE core.license c
SET content_hash = md5(ROW(s.xk_xdr_mc, s.xk_xdr_lb, s.xk_xdr_shxym, s.xk_xdr_gszc, s.xk_xdr_zzjg, s.xk_xdr_swdj,
                           s.xk_xdr_sydw, s.xk_xdr_shzz, s.xk_frdb, s.xk_fr_zjlx, s.xk_fr_zjhm, s.xk_xdr_zjlx,
                           s.xk_xdr_zjhm, s.xk_xkws, s.xk_wsh, s.xk_xklb, s.xk_xkzs, s.xk_xkbh, s.xk_nr, s.xk_jdrq,
                           s.xk_yxqz, s.xk_yxqzi, s.xk_xkjg, s.xk_xkjgdm, s.xk_zt, s.xk_lydw, s.xk_lydwdm, NULL::text,
                           s.bz)::text)
FROM staging.license_rows s
WHERE s.batch_id = c.batch_id AND s.source_row = c.source_row;

UPDATE core.penalty c
SET content_hash = md5(ROW(s.cf_xdr_mc, s.cf_xdr_lb, s.cf_xdr_shxym, s.cf_xdr_gszc, s.cf_xdr_zzjg, s.cf_xdr_swdj,
                           s.cf_xdr_sydw, s.cf_xdr_shzz, s.cf_frdb, s.cf_fr_zjlx, s.cf_fr_zjhm, s.cf_xdr_zjlx,
                           s.cf_xdr_zjhm, s.cf_wsh, s.cf_wfxw, s.cf_sy, s.cf_yj, s.cf_cflb, s.cf_nr, s.cf_nr_fk,
                           s.cf_nr_wfff, s.cf_nr_zkdx, s.cf_jdrq, s.cf_yxq, s.cf_gsjzq, s.cf_cfjg, s.cf_cfjgdm, s.cf_sjly,
                           s.cf_sjlydm, NULL::text, s.bz)::text)
FROM staging.penalty_rows s
WHERE s.batch_id = c.batch_id AND s.source_row = c.source_row;
