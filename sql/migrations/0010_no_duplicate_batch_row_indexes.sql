-- Speed (issue #9), no change in meaning.
--
-- 0008 indexed (batch_id, source_row) on every core table, but each already had that index: the one behind its
-- UNIQUE (batch_id, source_row) constraint (0001, 0002, 0005). The second copy only cost time on every insert
-- (about 1 s of a 1M-row load into core.penalty).
DROP INDEX core.license_batch_row;
DROP INDEX core.penalty_batch_row;
DROP INDEX core.credit_list_batch_row;
DROP INDEX core.subject_registry_batch_row;
DROP INDEX core.credit_commitment_batch_row;
DROP INDEX core.objection_batch_row;
DROP INDEX core.credit_repair_batch_row;
