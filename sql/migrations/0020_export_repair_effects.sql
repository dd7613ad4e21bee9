-- 信用修复 in the provincial export (export.yaml credit_repair, citycredit.publish.repairs): a version sent masked or
-- flagged is an item of its own beside the version as it was, so "sent once" is per (version, action, effect).
-- effect: NULL (no repair), 'mask' / 'flag' on an add or update, 'withdraw' on a withdrawal or hold for a repair.
ALTER TABLE export.items ADD COLUMN effect text CHECK (effect IN ('withdraw', 'mask', 'flag'));
ALTER TABLE export.items DROP CONSTRAINT items_destination_dataset_record_id_action_key;
CREATE UNIQUE INDEX items_once ON export.items (destination, dataset, record_id, action, COALESCE(effect, ''));
