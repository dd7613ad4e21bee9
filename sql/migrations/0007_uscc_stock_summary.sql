-- The city's 统一社会信用代码 stock without reading every observation ever made (issue #6: a month costs what its
-- own data costs, not the history's).
--
--   quality.uscc_pairs        one row per (code, normalized name) with observations not withdrawn: how many and the
--                             first day among them; kept by statement triggers on quality.uscc_observations, so every
--                             writer (the load, a bulk insert) keeps it right
--   quality.uscc_pairs_on(d)  the pairs of the stock as it stood at the end of day d: quality.uscc_pairs corrected by
--                             the observations reported after d (not yet in the stock on d) and those withdrawn after
--                             d (still in it on d), both read through indexes: the cost grows with the pairs and the
--                             days after d, not with the history
--   quality.uscc_issues(d), quality.uscc_stock(d)   the same results as in 0002, read from uscc_pairs_on(d)

CREATE TABLE quality.uscc_pairs (
    code         text    NOT NULL,
    name_key     text,
    code_valid   boolean NOT NULL,
    observations bigint  NOT NULL,   -- observations of the pair not withdrawn
    first_seen   date    NOT NULL    -- the earliest reported_on among them
);
CREATE UNIQUE INDEX uscc_pairs_key ON quality.uscc_pairs (code, COALESCE(name_key, ''));
CREATE INDEX uscc_observations_reported_on ON quality.uscc_observations (reported_on);
CREATE INDEX uscc_observations_withdrawn_on ON quality.uscc_observations (withdrawn_on) WHERE withdrawn_on IS NOT NULL;

-- Recompute the pairs of every code the statement touched, from that code's observations (index on code). One
-- lock for all writers: loads of different datasets may observe the same code at once, and each must count the
-- other's committed observations.
CREATE FUNCTION quality.uscc_pairs_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('quality.uscc_pairs'));
    DELETE FROM quality.uscc_pairs p WHERE p.code IN (SELECT c.code FROM changed c);
    INSERT INTO quality.uscc_pairs (code, name_key, code_valid, observations, first_seen)
    SELECT o.code, o.name_key, bool_and(o.code_valid), count(*), min(o.reported_on)
    FROM quality.uscc_observations o
    WHERE o.withdrawn_on IS NULL AND o.code IN (SELECT c.code FROM changed c)
    GROUP BY o.code, o.name_key;
    RETURN NULL;
END
$$;

CREATE FUNCTION quality.uscc_pairs_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE quality.uscc_pairs;
    RETURN NULL;
END
$$;

CREATE TRIGGER uscc_pairs_insert AFTER INSERT ON quality.uscc_observations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION quality.uscc_pairs_refresh();
CREATE TRIGGER uscc_pairs_update AFTER UPDATE ON quality.uscc_observations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION quality.uscc_pairs_refresh();
CREATE TRIGGER uscc_pairs_delete AFTER DELETE ON quality.uscc_observations
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION quality.uscc_pairs_refresh();
CREATE TRIGGER uscc_pairs_truncate AFTER TRUNCATE ON quality.uscc_observations
    FOR EACH STATEMENT EXECUTE FUNCTION quality.uscc_pairs_clear();

INSERT INTO quality.uscc_pairs (code, name_key, code_valid, observations, first_seen)
SELECT code, name_key, bool_and(code_valid), count(*), min(reported_on)
FROM quality.uscc_observations
WHERE withdrawn_on IS NULL
GROUP BY code, name_key;

-- In the stock at the end of d: reported_on <= d and not withdrawn by then (withdrawn_on NULL or after d). That is
-- the pairs' observations (withdrawn_on NULL) less those reported after d, plus those withdrawn after d.
CREATE FUNCTION quality.uscc_pairs_on(d date)
RETURNS TABLE (code text, name_key text, code_valid boolean, observations bigint, first_seen date)
LANGUAGE sql STABLE AS $$
    SELECT x.code, x.name_key, bool_and(x.code_valid), sum(x.n)::bigint, min(x.first_seen)
    FROM (
        SELECT p.code, p.name_key, p.code_valid, p.observations AS n,
               CASE WHEN p.first_seen <= d THEN p.first_seen END AS first_seen
        FROM quality.uscc_pairs p
        UNION ALL
        SELECT o.code, o.name_key, o.code_valid, -1, NULL
        FROM quality.uscc_observations o
        WHERE o.reported_on > d AND o.withdrawn_on IS NULL
        UNION ALL
        SELECT o.code, o.name_key, o.code_valid, 1, o.reported_on
        FROM quality.uscc_observations o
        WHERE o.withdrawn_on > d AND o.reported_on <= d
    ) x
    GROUP BY x.code, x.name_key
    HAVING sum(x.n) > 0
$$;

CREATE OR REPLACE FUNCTION quality.uscc_issues(d date)
RETURNS TABLE (issue text, code text, name_key text, first_seen date, observations bigint)
LANGUAGE sql STABLE AS $$
    WITH stock AS MATERIALIZED (SELECT * FROM quality.uscc_pairs_on(d))
    SELECT '错码', s.code, min(s.name_key), min(s.first_seen), sum(s.observations)::bigint
    FROM stock s WHERE NOT s.code_valid GROUP BY s.code
    UNION ALL
    SELECT '一码多名', s.code, NULL, min(s.first_seen), sum(s.observations)::bigint
    FROM stock s WHERE s.code_valid AND s.name_key IS NOT NULL
    GROUP BY s.code HAVING count(*) >= 2
    UNION ALL
    SELECT '一名多码', NULL, s.name_key, min(s.first_seen), sum(s.observations)::bigint
    FROM stock s WHERE s.code_valid AND s.name_key IS NOT NULL
    GROUP BY s.name_key HAVING count(*) >= 2
$$;

CREATE OR REPLACE FUNCTION quality.uscc_stock(d date)
RETURNS TABLE (code text, code_valid boolean, first_seen date)
LANGUAGE sql STABLE AS $$
    SELECT s.code, bool_and(s.code_valid), min(s.first_seen)
    FROM quality.uscc_pairs_on(d) s
    GROUP BY s.code
$$;
