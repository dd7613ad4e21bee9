-- Speed (issue #9): no per-row foreign-key checks on the tables every received row is written to.
--
-- A foreign key fires a trigger for each inserted row, and each trigger runs a lookup of landing.batches: about
-- 4.5 µs a row, 13 s of a 1M-row ingest (staging rows, core versions, findings, quarantine, code observations).
-- What the keys guarded is guaranteed otherwise: these rows are written only by the normalize, validate and load
-- steps of their own batch, each inside a transaction that first locks that batch's row (SELECT ... FOR UPDATE),
-- and nothing deletes a batch. The low-volume tables (rule outcomes, accounting, corrections, watermarks) keep
-- theirs, as do the version chains (supersedes). A later migration adding a staging or core table should follow
-- the same rule.
DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT c.conrelid::regclass::text AS tab, c.conname
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE c.contype = 'f' AND c.confrelid = 'landing.batches'::regclass
          AND (n.nspname IN ('staging', 'core')
               OR (n.nspname = 'quality' AND t.relname IN ('findings', 'quarantine', 'uscc_observations')))
    LOOP
        EXECUTE 'ALTER TABLE ' || fk.tab || ' DROP CONSTRAINT ' || quote_ident(fk.conname);
    END LOOP;
END
$$;

-- The number of rows normalization staged for the batch (in the same transaction as the rows): what validation
-- checks normalization's Arrow copy of them against (citycredit.staged_frames) without counting the rows again.
ALTER TABLE landing.batches ADD COLUMN staged_rows integer;
