-- The day a batch was reported, worked out once at landing and stored with the batch (issue #16).
--
-- It is the day of receipt in the city's time zone (departments.yaml city.timezone). Staging, the load and the
-- credit-list snapshots used to recompute it from received_at each with their own time zone literal; now they
-- read this column. Batches landed before this migration were all counted in Asia/Shanghai, so that is what
-- their day is filled from.
ALTER TABLE landing.batches ADD COLUMN reported_on date;
UPDATE landing.batches SET reported_on = (received_at AT TIME ZONE 'Asia/Shanghai')::date;
ALTER TABLE landing.batches ALTER COLUMN reported_on SET NOT NULL;
