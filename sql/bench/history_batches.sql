-- One batch per feed and history month, received on the (5 + n)th day of the month at 9 in the city's time zone;
-- its reported_on is that day, as landing records it.
INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes, stored_path,
    received_at, reported_on, status)
SELECT f.department_id, f.feed_id, f.dataset, format('bench-%s-%s.csv', m, f.feed_id), md5(m || f.feed_id), 0,
       'bench', r.received_at, (r.received_at AT TIME ZONE :tz)::date, 'loaded'
FROM generate_series(:m_from, :m_to - 1) m CROSS JOIN bench_feeds f
CROSS JOIN LATERAL (
    SELECT (CAST(:target AS date) - make_interval(months => m) + make_interval(days => 4 + f.n, hours => 9))
           AT TIME ZONE :tz AS received_at
) r
