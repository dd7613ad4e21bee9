-- The valid rows of the staging table (no finding of severity error), typed, merged into the target on the natural
-- key (数据来源单位统一社会信用代码, 文书号, subject key); the last row of a key in the file wins.
MERGE INTO ref_penalty t
USING (
    SELECT DISTINCT ON (s.cf_sjlydm, s.cf_wsh, k.subject_key)
        k.subject_key, s.cf_xdr_mc, s.cf_xdr_lb, s.cf_xdr_shxym, s.cf_xdr_gszc, s.cf_xdr_zzjg, s.cf_xdr_swdj,
        s.cf_xdr_sydw, s.cf_xdr_shzz, s.cf_frdb, s.cf_fr_zjlx, s.cf_fr_zjhm, s.cf_xdr_zjlx, s.cf_xdr_zjhm, s.cf_wsh,
        s.cf_wfxw, s.cf_sy, s.cf_yj, s.cf_cflb, s.cf_nr, s.cf_nr_fk::numeric(18, 6) AS cf_nr_fk,
        s.cf_nr_wfff::numeric(18, 6) AS cf_nr_wfff, s.cf_nr_zkdx, s.cf_jdrq::date AS cf_jdrq,
        s.cf_yxq::date AS cf_yxq, s.cf_gsjzq::date AS cf_gsjzq, s.cf_cfjg, s.cf_cfjgdm, s.cf_sjly, s.cf_sjlydm,
        s.cf_sjc::timestamptz AS cf_sjc, s.bz
    FROM ref_staging s
    CROSS JOIN LATERAL (
        SELECT coalesce(nullif(s.cf_xdr_shxym, '00000000000000000X'), s.cf_xdr_gszc, s.cf_xdr_zjhm, s.cf_xdr_mc)
    ) AS k (subject_key)
    WHERE NOT EXISTS (
        SELECT FROM ref_findings f WHERE f.source_row = s.source_row AND f.severity = 'error'
    )
    ORDER BY s.cf_sjlydm, s.cf_wsh, k.subject_key, s.source_row DESC
) AS v
ON t.cf_sjlydm = v.cf_sjlydm AND t.cf_wsh = v.cf_wsh AND t.subject_key = v.subject_key
WHEN MATCHED THEN UPDATE SET
    reported_on = :reported_on, cf_xdr_mc = v.cf_xdr_mc, cf_xdr_lb = v.cf_xdr_lb, cf_xdr_shxym = v.cf_xdr_shxym,
    cf_xdr_gszc = v.cf_xdr_gszc, cf_xdr_zzjg = v.cf_xdr_zzjg, cf_xdr_swdj = v.cf_xdr_swdj,
    cf_xdr_sydw = v.cf_xdr_sydw, cf_xdr_shzz = v.cf_xdr_shzz, cf_frdb = v.cf_frdb, cf_fr_zjlx = v.cf_fr_zjlx,
    cf_fr_zjhm = v.cf_fr_zjhm, cf_xdr_zjlx = v.cf_xdr_zjlx, cf_xdr_zjhm = v.cf_xdr_zjhm, cf_wfxw = v.cf_wfxw,
    cf_sy = v.cf_sy, cf_yj = v.cf_yj, cf_cflb = v.cf_cflb, cf_nr = v.cf_nr, cf_nr_fk = v.cf_nr_fk,
    cf_nr_wfff = v.cf_nr_wfff, cf_nr_zkdx = v.cf_nr_zkdx, cf_jdrq = v.cf_jdrq, cf_yxq = v.cf_yxq,
    cf_gsjzq = v.cf_gsjzq, cf_cfjg = v.cf_cfjg, cf_cfjgdm = v.cf_cfjgdm, cf_sjly = v.cf_sjly, cf_sjc = v.cf_sjc,
    bz = v.bz
WHEN NOT MATCHED THEN INSERT VALUES (
    :reported_on, v.subject_key, v.cf_xdr_mc, v.cf_xdr_lb, v.cf_xdr_shxym, v.cf_xdr_gszc, v.cf_xdr_zzjg,
    v.cf_xdr_swdj, v.cf_xdr_sydw, v.cf_xdr_shzz, v.cf_frdb, v.cf_fr_zjlx, v.cf_fr_zjhm, v.cf_xdr_zjlx, v.cf_xdr_zjhm,
    v.cf_wsh, v.cf_wfxw, v.cf_sy, v.cf_yj, v.cf_cflb, v.cf_nr, v.cf_nr_fk, v.cf_nr_wfff, v.cf_nr_zkdx, v.cf_jdrq,
    v.cf_yxq, v.cf_gsjzq, v.cf_cfjg, v.cf_cfjgdm, v.cf_sjly, v.cf_sjlydm, v.cf_sjc, v.bz
);
