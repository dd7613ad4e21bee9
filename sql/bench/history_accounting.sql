-- The accounting of each new batch.
INSERT INTO quality.batch_accounting (batch_id, received, loaded, quarantined, duplicate, revised, with_warnings)
SELECT batch_id, count(*), count(*) FILTER (WHERE NOT has_error), count(*) FILTER (WHERE has_error), 0, 0,
       count(*) FILTER (WHERE late AND NOT has_error)
FROM bench_rows GROUP BY batch_id
