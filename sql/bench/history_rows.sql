-- The rows of the new batches. Subjects are drawn from a pool, so codes and names repeat across months; about 3 %
-- have an error (quarantined), 9 % are late, 2 % of the codes fail their check.
CREATE UNLOGGED TABLE bench_rows AS
SELECT b.batch_id, b.department_id, b.dataset, f.uscc AS source_code, j AS source_row, b.reported_on,
       s, CASE WHEN s % 10 < 5 THEN '法人及非法人组织' WHEN s % 10 < 8 THEN '个体工商户' ELSE '自然人' END AS kind,
       CASE WHEN s % 10 < 8 THEN '9141040' || lpad(upper(to_hex(s)), 10, '0') || (s % 10)::text END AS code,
       CASE WHEN s % 10 >= 8 THEN '410402' || lpad((s::bigint * 7919 % 100000000000)::text, 12, '0') END AS id_number,
       '平顶山市' || CASE WHEN s % 10 < 8 THEN '鑫华' || s || '商贸有限公司' ELSE '王' || s END AS name,
       format('平罚〔%s〕%s-%s号', extract(year FROM b.received_at)::int, b.batch_id, j) AS document_no,
       b.reported_on - (j % 25) AS decided,
       j % 33 = 0 AS has_error, j % 11 = 0 AS late, s % 50 = 0 AS bad_code
FROM landing.batches b JOIN bench_feeds f USING (feed_id)
CROSS JOIN LATERAL generate_series(1, :per_batch) j
CROSS JOIN LATERAL (SELECT (hashtext(b.batch_id || '-' || j) & 2147483647) % :subjects AS s) p
WHERE b.batch_id > :after_batch
