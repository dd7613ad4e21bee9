-- Deliveries that count as a department having reported (the deadline watch and the scorecard's delivery items):
-- a new file (not bytes the feed had already delivered, not a file refused as unreadable) whose batch loaded at
-- least one row, or is still on its way through the pipeline (landed before the deadline, loading after it). A
-- batch whose every row was quarantined reported nothing usable. A snapshot feed's file restates the whole list,
-- so there rows identical to what the warehouse holds count as reported too (:snapshot_feeds).
SELECT d.department_id, d.feed_id, d.dataset, d.received_at
FROM landing.deliveries d
JOIN landing.batches b ON b.batch_id = d.batch_id
LEFT JOIN quality.batch_accounting a ON a.batch_id = d.batch_id
WHERE d.outcome = 'new'
  AND (b.status IN ('landed', 'normalized', 'validated')
       OR a.loaded > 0
       OR (d.feed_id = ANY(CAST(:snapshot_feeds AS text[])) AND a.duplicate > 0))
