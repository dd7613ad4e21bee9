-- The one loaded batch that the register or the credit lists of the lookup figures come from.
INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes, stored_path,
    received_at, reported_on, status)
VALUES (:department_id, :feed_id, :dataset, 'bench-lookups.csv', md5(:feed_id), 0, 'bench', CAST(:day AS date),
        CAST(:day AS date), 'loaded')
RETURNING batch_id
