-- The 行政处罚 rows without an error, loaded into core as the first version of their record.
INSERT INTO core.penalty (department_id, batch_id, source_row, reported_on, subject_key, content_hash, version,
    is_current, cf_xdr_mc, cf_xdr_lb, cf_xdr_shxym, cf_xdr_zjhm, cf_wsh, cf_wfxw, cf_sy, cf_yj, cf_cflb, cf_nr,
    cf_nr_fk, cf_jdrq, cf_yxq, cf_gsjzq, cf_cfjg, cf_cfjgdm, cf_sjly, cf_sjlydm)
SELECT department_id, batch_id, source_row, reported_on, COALESCE(code, id_number), md5(document_no), 1, true,
       name, kind, code, id_number, document_no, '违法行为', '经查，当事人违法。', '依据有关规定', '罚款', '罚款',
       0.5, decided, decided + 365, decided + 1095, '平顶山市', source_code, '平顶山市', source_code
FROM bench_rows WHERE dataset = 'penalty' AND NOT has_error
