-- Speed and size (issue #21): the code observations are counted, not listed; one meaning changes (below).
--
-- quality.uscc_observations held one row per subject code received (per batch and source row, 0002). A 1M-row
-- batch has about 750,000 of them but under 20,000 distinct (code, name) pairs, and every reader counts: the pairs
-- (0007), the stock and issues of a day, the report's names and departments behind an issue. The table now holds
-- one row per batch, day reported, code, name, whether the rows were loaded, and day withdrawn, with how many
-- observations it stands for. An observation's withdrawal is a count moved from the row withdrawn NULL to the row of
-- its day (load/uscc_stock.py); what an observation is and when it leaves the stock are as before:
--   a loaded row's observation belongs to its version in core and leaves the stock on the day reported of the
--   version that replaces it;
--   a quarantined row's observation leaves it on the day its correction was reported (quality.corrections).
-- The pairs' triggers and quality.uscc_pairs_on(d) add the counts instead of counting rows. With about 40 times fewer
-- rows, the name index 0029 moved to the pairs comes back to the observations, where the report's list of 一名多码
-- finds the observations behind a name (publish/monthly.py).

-- One meaning changes: a credit-list exit the load inferred (a version without a source row) observed nothing but
-- withdrew the version before it when a batch was merged into later ones, and nothing when loads ran in order, where
-- the version delivered after the exit did not withdraw it either. Now the exit is passed over: the version before
-- it leaves the stock on the day of the next delivered version, or stays.
UPDATE quality.uscc_observations o SET withdrawn_on = t.reported_on
FROM core.credit_list x LEFT JOIN core.credit_list t ON t.supersedes = x.record_id
WHERE o.dataset = 'credit_list' AND o.loaded AND x.supersedes = o.record_id AND x.source_row IS NULL
  AND o.withdrawn_on IS DISTINCT FROM t.reported_on;

-- The rows become counted groups: set aside, the table emptied (its truncate trigger empties the pairs) and
-- narrowed (the primary key and the record index go with their columns), then filled again (its insert trigger,
-- adding counts from here on, fills the pairs).
CREATE TEMP TABLE uscc_groups ON COMMIT DROP AS
SELECT batch_id, dataset, department_id, reported_on, code, subject_name, name_key, code_valid, loaded, withdrawn_on,
       count(*) AS observations
FROM quality.uscc_observations
GROUP BY batch_id, dataset, department_id, reported_on, code, subject_name, name_key, code_valid, loaded, withdrawn_on;
TRUNCATE quality.uscc_observations;
ALTER TABLE quality.uscc_observations
    DROP COLUMN source_row,
    DROP COLUMN record_id,
    ADD COLUMN observations bigint NOT NULL CHECK (observations > 0);

CREATE OR REPLACE FUNCTION quality.uscc_pairs_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('quality.uscc_pairs'));
    DELETE FROM quality.uscc_pairs p WHERE p.code IN (SELECT c.code FROM changed c);
    INSERT INTO quality.uscc_pairs (code, name_key, code_valid, observations, first_seen)
    SELECT o.code, o.name_key, bool_and(o.code_valid), sum(o.observations), min(o.reported_on)
    FROM quality.uscc_observations o
    WHERE o.withdrawn_on IS NULL AND o.code IN (SELECT c.code FROM changed c)
    GROUP BY o.code, o.name_key;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION quality.uscc_pairs_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('quality.uscc_pairs'));
    INSERT INTO quality.uscc_pairs AS p (code, name_key, code_valid, observations, first_seen)
    SELECT c.code, c.name_key, bool_and(c.code_valid), sum(c.observations), min(c.reported_on)
    FROM changed c
    WHERE c.withdrawn_on IS NULL
    GROUP BY c.code, c.name_key
    ON CONFLICT (code, (COALESCE(name_key, ''))) DO UPDATE
    SET observations = p.observations + excluded.observations,
        first_seen = least(p.first_seen, excluded.first_seen),
        code_valid = p.code_valid AND excluded.code_valid;
    RETURN NULL;
END
$$;

INSERT INTO quality.uscc_observations (batch_id, dataset, department_id, reported_on, code, subject_name, name_key,
    code_valid, loaded, withdrawn_on, observations)
SELECT * FROM uscc_groups;

CREATE UNIQUE INDEX uscc_observations_group ON quality.uscc_observations
    (batch_id, reported_on, code, COALESCE(subject_name, ''), loaded, COALESCE(withdrawn_on, 'infinity'));
CREATE INDEX uscc_observations_name ON quality.uscc_observations (name_key);
DROP INDEX quality.uscc_pairs_name;

CREATE OR REPLACE FUNCTION quality.uscc_pairs_on(d date)
RETURNS TABLE (code text, name_key text, code_valid boolean, observations bigint, first_seen date)
LANGUAGE sql STABLE AS $$
    SELECT x.code, x.name_key, bool_and(x.code_valid), sum(x.n)::bigint, min(x.first_seen)
    FROM (
        SELECT p.code, p.name_key, p.code_valid, p.observations AS n,
               CASE WHEN p.first_seen <= d THEN p.first_seen END AS first_seen
        FROM quality.uscc_pairs p
        UNION ALL
        SELECT o.code, o.name_key, o.code_valid, -o.observations, NULL
        FROM quality.uscc_observations o
        WHERE o.reported_on > d AND o.withdrawn_on IS NULL
        UNION ALL
        SELECT o.code, o.name_key, o.code_valid, o.observations, o.reported_on
        FROM quality.uscc_observations o
        WHERE o.withdrawn_on > d AND o.reported_on <= d
    ) x
    GROUP BY x.code, x.name_key
    HAVING sum(x.n) > 0
$$;
