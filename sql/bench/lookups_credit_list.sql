-- Credit-list periods of the subjects with s % 5 < 2 (and of the report's subject, s = -1): the 名单类型 drawn from
-- every kind of credit_lists.yaml (:kinds, 不归集 included) and the 认定部门 from three; one in fifty a natural person
-- (证件号码, no code). Period 1 was entered in the 1,500 days before 2025-09-30, and one in three has an exit (an
-- earlier version without it, no longer current); subjects with s % 5 = 0 had an earlier period, ended 期满.
INSERT INTO core.credit_list (department_id, batch_id, source_row, reported_on, subject_key, content_hash, version,
    is_current, md_zt_mc, md_zt_lb, md_shxym, md_zjhm, md_lx, md_rdbm, md_rdbmdm, md_lrrq, md_lryj, md_ycrq, md_ycyy)
SELECT 'scjg', :batch_id, row_number() OVER (), CAST(:day AS date), COALESCE(shxym, zjhm),
       md5(s || '-' || p || '-' || v), v, v = versions, name, lb, shxym, zjhm, kind, authority, authority_code,
       listed, authority || '认定（平信用〔2024〕' || (s % 997) || '号）', CASE WHEN v = 2 THEN removed END,
       CASE WHEN v = 2 THEN reason END
FROM (
    SELECT s, p, name, kind,
           CASE WHEN s % 50 = 3 THEN '自然人' ELSE '法人及非法人组织' END AS lb,
           CASE WHEN s % 50 <> 3 THEN code END AS shxym,
           CASE WHEN s % 50 = 3 THEN '410402' || lpad((abs(s)::bigint * 7919 % 100000000000)::text, 12, '0') END AS zjhm,
           (ARRAY['平顶山市市场监督管理局', '平顶山市中级人民法院', '国家税务总局平顶山市税务局'])[1 + abs(s) % 3] AS authority,
           (ARRAY['11410400MB1234567X', '11410400MB2345678X', '11410400MB3456789X'])[1 + abs(s) % 3] AS authority_code,
           CASE WHEN p = 1 THEN DATE '2025-09-30' - abs(s * 7) % 1500 ELSE DATE '2019-01-01' + abs(s) % 700 END AS listed,
           CASE WHEN p = 1 THEN DATE '2025-09-30' - abs(s * 7) % 1500 + 200 + abs(s) % 300
                ELSE DATE '2019-01-01' + abs(s) % 700 + 365 END AS removed,
           CASE WHEN p = 1 THEN '修复' ELSE '期满' END AS reason,
           CASE WHEN p = 2 OR s % 3 = 0 THEN 2 ELSE 1 END AS versions
    FROM (SELECT s, code, name FROM bench_subjects WHERE s % 5 < 2
          UNION ALL SELECT -1, :report_code, :report_name) b
    CROSS JOIN LATERAL (SELECT p FROM generate_series(1, CASE WHEN s % 5 = 0 THEN 2 ELSE 1 END) p) periods
    CROSS JOIN LATERAL (SELECT (CAST(:kinds AS text[]))[1 + (abs(s) * 7 + p) % cardinality(CAST(:kinds AS text[]))]
                        AS kind) k
) periods
CROSS JOIN LATERAL generate_series(1, versions) v
