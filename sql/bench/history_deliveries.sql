-- The delivery of each new batch.
INSERT INTO landing.deliveries (department_id, feed_id, dataset, source_name, sha256, size_bytes, received_at,
    outcome, batch_id)
SELECT department_id, feed_id, dataset, source_name, sha256, 0, received_at, 'new', batch_id
FROM landing.batches WHERE batch_id > :after_batch
