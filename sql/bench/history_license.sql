-- The 行政许可 rows without an error, loaded into core as the first version of their record.
INSERT INTO core.license (department_id, batch_id, source_row, reported_on, subject_key, content_hash, version,
    is_current, xk_xdr_mc, xk_xdr_lb, xk_xdr_shxym, xk_xdr_zjhm, xk_xkws, xk_wsh, xk_xklb, xk_nr, xk_jdrq, xk_yxqz,
    xk_yxqzi, xk_xkjg, xk_xkjgdm, xk_lydw, xk_lydwdm)
SELECT department_id, batch_id, source_row, reported_on, COALESCE(code, id_number), md5(document_no), 1, true,
       name, kind, code, id_number, '许可决定书', document_no, '普通', '准予许可', decided, decided, decided + 1095,
       '平顶山市', source_code, '平顶山市', source_code
FROM bench_rows WHERE dataset = 'license' AND NOT has_error
