-- The market-subject register: every subject of bench_subjects, and the report's subject (a code of the history),
-- each one current version keyed by its 统一社会信用代码; one in twenty 注销.
INSERT INTO core.subject_registry (department_id, batch_id, source_row, reported_on, subject_key, content_hash,
    version, is_current, zt_mc, zt_shxym, zt_lx, zt_djzt, zt_clrq, zt_zxrq, zt_qhdm, zt_djjg)
SELECT 'scjg', :batch_id, s + 2, CAST(:day AS date), code, md5(code), 1, true, name, code, kind,
       CASE WHEN s % 20 = 7 THEN '注销' ELSE '存续' END, DATE '2000-01-01' + (s % 9000),
       CASE WHEN s % 20 = 7 THEN DATE '2024-06-30' END, '410402', '平顶山市市场监督管理局'
FROM (SELECT s, code, name, kind FROM bench_subjects
      UNION ALL SELECT -1, :report_code, :report_name, '有限责任公司') r
