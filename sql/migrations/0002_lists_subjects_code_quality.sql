-- Credit lists, the market-subject register, corrections of quarantined records and 统一社会信用代码 quality.
--
-- Tables and functions other modules (the indicators) read, with what they mean:
--   core.credit_list            listing periods (one subject on one list of one 认定部门 from one 列入日期), versioned
--   core.credit_list_periods    view: the current version of every period, with its 移出日期 and 移出原因
--   core.subject_registry       the register of market subjects (市场监管), versioned by subject
--   core.subjects_on(d)         the register as it stood on day d: one row per subject with whether it was 存续
--   quality.corrections         a quarantined row fixed by a later loaded record (for 纠正率)
--   quality.uscc_observations   every 统一社会信用代码 the city received for a subject, with its validity
--   quality.uscc_valid(code)    GB 32100 format + check digit + embedded GB 11714 组织机构代码 check digit
--   quality.name_key(name)      the normalized subject name duplicates are counted on
--   quality.uscc_issues(d)      错码 and 重码 in the city's code stock as it stood at the end of day d
-- Population (自然人人口数) is configuration: departments.yaml city.population.

-- Staging: rows of one batch as normalization produced them, all text.
CREATE TABLE staging.credit_list_rows (
    batch_id     bigint  NOT NULL REFERENCES landing.batches,
    source_row   integer NOT NULL,
    reported_on  date    NOT NULL,
    md_zt_mc text, md_zt_lb text, md_shxym text, md_zjhm text, md_lx text, md_rdbm text, md_rdbmdm text,
    md_lrrq text, md_lryj text, md_ycrq text, md_ycyy text, bz text,
    extra        jsonb,
    PRIMARY KEY (batch_id, source_row)
);

CREATE TABLE staging.subject_registry_rows (
    batch_id     bigint  NOT NULL REFERENCES landing.batches,
    source_row   integer NOT NULL,
    reported_on  date    NOT NULL,
    zt_mc text, zt_shxym text, zt_zch text, zt_lx text, zt_djzt text, zt_clrq text, zt_zxrq text, zt_qhdm text,
    zt_djjg text, bz text,
    extra        jsonb,
    PRIMARY KEY (batch_id, source_row)
);

-- Listing periods, versioned like core.license: key (md_rdbm, md_lx, md_lrrq, subject_key). An exit is a new
-- version with md_ycrq (移出日期) and md_ycyy (移出原因: 修复 / 期满 / 撤销). A re-entry has another 列入日期 and is
-- another period. When a feed in snapshot mode (departments.yaml `mode: snapshot`) delivers a list that no longer
-- holds an open period of that feed, the loader writes the exit itself: a version with inferred_exit = true,
-- source_row NULL, md_ycrq = the snapshot's reporting day and md_ycyy = '未说明' (the department gave no reason).
CREATE TABLE core.credit_list (
    record_id     bigserial PRIMARY KEY,
    department_id text        NOT NULL,
    batch_id      bigint      NOT NULL REFERENCES landing.batches,
    source_row    integer,                -- NULL for an exit inferred from a snapshot
    reported_on   date        NOT NULL,
    subject_key   text        NOT NULL,
    content_hash  text        NOT NULL,
    version       integer     NOT NULL,
    is_current    boolean     NOT NULL,
    supersedes    bigint      REFERENCES core.credit_list,
    inferred_exit boolean     NOT NULL DEFAULT false,
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    md_zt_mc text, md_zt_lb text, md_shxym text, md_zjhm text, md_lx text, md_rdbm text, md_rdbmdm text,
    md_lrrq date, md_lryj text, md_ycrq date, md_ycyy text, bz text,
    extra         jsonb,
    UNIQUE (batch_id, source_row)
);
CREATE UNIQUE INDEX credit_list_current_key ON core.credit_list (md_rdbm, md_lx, md_lrrq, subject_key) WHERE is_current;
CREATE INDEX credit_list_reported_on ON core.credit_list (reported_on);

CREATE VIEW core.credit_list_periods AS
SELECT c.record_id, c.department_id, b.feed_id, c.subject_key, c.md_zt_mc AS subject_name, c.md_zt_lb AS subject_type,
       c.md_shxym AS uscc, c.md_lx AS list_type, c.md_rdbm AS authority, c.md_rdbmdm AS authority_code,
       c.md_lrrq AS listed_on, c.md_lryj AS basis, c.md_ycrq AS removed_on, c.md_ycyy AS removal_reason,
       c.inferred_exit, c.version, c.batch_id, c.reported_on
FROM core.credit_list c JOIN landing.batches b USING (batch_id)
WHERE c.is_current;

-- The market-subject register: key subject_key (the 统一社会信用代码), a change (e.g. 存续 → 注销) is a new version.
CREATE TABLE core.subject_registry (
    record_id     bigserial PRIMARY KEY,
    department_id text        NOT NULL,
    batch_id      bigint      NOT NULL REFERENCES landing.batches,
    source_row    integer     NOT NULL,
    reported_on   date        NOT NULL,
    subject_key   text        NOT NULL,
    content_hash  text        NOT NULL,
    version       integer     NOT NULL,
    is_current    boolean     NOT NULL,
    supersedes    bigint      REFERENCES core.subject_registry,
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    zt_mc text, zt_shxym text, zt_zch text, zt_lx text, zt_djzt text, zt_clrq date, zt_zxrq date, zt_qhdm text,
    zt_djjg text, bz text,
    extra         jsonb,
    UNIQUE (batch_id, source_row)
);
CREATE UNIQUE INDEX subject_registry_current_key ON core.subject_registry (subject_key) WHERE is_current;

-- The register as it stood on day d: per subject the latest version reported on or before d. A subject is 存续 on
-- d when it was founded on or before d, its 登记状态 is not one of 注销 / 吊销 / 撤销 / 迁出 (the register's words for
-- a subject that no longer exists), or its 注销/吊销日期 is after d. Denominators: count(*) FILTER (WHERE active)
-- by subject_type (企业 / 个体工商户 / 农民专业合作社 as the register writes them).
CREATE FUNCTION core.subjects_on(d date)
RETURNS TABLE (subject_key text, uscc text, subject_name text, subject_type text, status text, founded_on date,
               closed_on date, region_code text, active boolean)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (s.subject_key) s.subject_key, s.zt_shxym, s.zt_mc, s.zt_lx, s.zt_djzt, s.zt_clrq, s.zt_zxrq,
           s.zt_qhdm,
           s.zt_clrq <= d AND (s.zt_zxrq > d OR (s.zt_zxrq IS NULL
                                                 AND s.zt_djzt !~ '注销|吊销|撤销|迁出'))
    FROM core.subject_registry s
    WHERE s.reported_on <= d
    ORDER BY s.subject_key, s.reported_on DESC, s.version DESC
$$;

-- Rows counted per batch besides received = loaded + quarantined + duplicate.
ALTER TABLE quality.batch_accounting
    ADD COLUMN corrected bigint NOT NULL DEFAULT 0,       -- of loaded: records that fix a quarantined row
    ADD COLUMN inferred_exits bigint NOT NULL DEFAULT 0;  -- credit-list exits written for a snapshot

-- A quarantined row that a later loaded record fixes: same 数据来源单位代码 + 文书号 and the same subject (its
-- subject_key, or the same normalized name when the code itself was what got fixed). Each quarantined row is
-- corrected at most once, by the first record that fixes it. corrected_on is the reporting day of the fix:
-- 纠正率 of a month counts corrections with corrected_on in that month.
CREATE TABLE quality.corrections (
    quarantine_batch_id  bigint  NOT NULL,
    quarantine_source_row integer NOT NULL,
    dataset              text    NOT NULL,
    record_id            bigint  NOT NULL,       -- the fixing version in core.<dataset>
    batch_id             bigint  NOT NULL REFERENCES landing.batches,
    source_row           integer NOT NULL,
    corrected_on         date    NOT NULL,
    PRIMARY KEY (quarantine_batch_id, quarantine_source_row),
    FOREIGN KEY (quarantine_batch_id, quarantine_source_row) REFERENCES quality.quarantine (batch_id, source_row)
);
CREATE INDEX corrections_on ON quality.corrections (corrected_on);

-- GB 32100: 18 characters of the USCC alphabet (positions 3-8 digits), the check character over the first 17,
-- and the GB 11714 check character of the embedded 组织机构代码 (positions 9-17). NULL for NULL.
CREATE FUNCTION quality.uscc_valid(code text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN code IS NULL THEN NULL
        WHEN code !~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$' THEN false
        ELSE substr('0123456789ABCDEFGHJKLMNPQRTUWXY',
                    mod(31 - mod((SELECT sum((strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(code, i, 1)) - 1)
                                             * (ARRAY[1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])[i])
                                  FROM generate_series(1, 17) i)::int, 31), 31) + 1, 1) = substr(code, 18, 1)
             AND substr('?123456789X0',
                        11 - mod((SELECT sum((strpos('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(code, 8 + i, 1)) - 1)
                                             * (ARRAY[3, 7, 9, 10, 5, 8, 4, 2])[i])
                                  FROM generate_series(1, 8) i)::int, 11) + 1, 1) = substr(code, 17, 1)
    END
$$;

-- The name duplicates are counted on: upper case, without blanks, brackets and dots (names arrive NFKC-folded).
CREATE FUNCTION quality.name_key(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NULLIF(regexp_replace(upper(name), '[[:space:]()（）.·・]', '', 'g'), '')
$$;

-- Every subject 统一社会信用代码 received (loaded or quarantined), the placeholder 00000000000000000X excluded,
-- written by the load of its batch. An observation leaves the city's stock on withdrawn_on: when a later version
-- of its record replaces it (loaded rows) or when a correction fixes it (quarantined rows).
CREATE TABLE quality.uscc_observations (
    batch_id     bigint  NOT NULL REFERENCES landing.batches,
    source_row   integer NOT NULL,
    dataset      text    NOT NULL,
    department_id text   NOT NULL,
    reported_on  date    NOT NULL,
    code         text    NOT NULL,
    subject_name text,
    name_key     text,
    code_valid   boolean NOT NULL,
    loaded       boolean NOT NULL,            -- false: the row went to quarantine
    record_id    bigint,                      -- its version in core.<dataset> when loaded
    withdrawn_on date,
    PRIMARY KEY (batch_id, source_row)
);
CREATE INDEX uscc_observations_code ON quality.uscc_observations (code);
CREATE INDEX uscc_observations_name ON quality.uscc_observations (name_key);
CREATE INDEX uscc_observations_record ON quality.uscc_observations (dataset, record_id);

-- 错码 and 重码 in the stock at the end of day d (observations reported on or before d, not withdrawn by then):
--   issue '错码'      one row per invalid code (name_key: one of its names)
--   issue '一码多名'  one row per valid code under two or more normalized names (name_key NULL)
--   issue '一名多码'  one row per normalized name under two or more valid codes (code NULL)
-- first_seen: the first day the code (or name) was observed. An issue present at d1 and absent at d2 > d1 was
-- corrected between them; a 错码 row's fix is also in quality.corrections.
CREATE FUNCTION quality.uscc_issues(d date)
RETURNS TABLE (issue text, code text, name_key text, first_seen date, observations bigint)
LANGUAGE sql STABLE AS $$
    WITH stock AS (
        SELECT * FROM quality.uscc_observations o
        WHERE o.reported_on <= d AND (o.withdrawn_on IS NULL OR o.withdrawn_on > d)
    )
    SELECT '错码', s.code, min(s.name_key), min(s.reported_on), count(*)
    FROM stock s WHERE NOT s.code_valid GROUP BY s.code
    UNION ALL
    SELECT '一码多名', s.code, NULL, min(s.reported_on), count(*)
    FROM stock s WHERE s.code_valid AND s.name_key IS NOT NULL
    GROUP BY s.code HAVING count(DISTINCT s.name_key) >= 2
    UNION ALL
    SELECT '一名多码', NULL, s.name_key, min(s.reported_on), count(*)
    FROM stock s WHERE s.code_valid AND s.name_key IS NOT NULL
    GROUP BY s.name_key HAVING count(DISTINCT s.code) >= 2
$$;

-- The city's code stock at the end of day d: the distinct codes of the observations then in stock (the
-- denominator of 重错码率).
CREATE FUNCTION quality.uscc_stock(d date)
RETURNS TABLE (code text, code_valid boolean, first_seen date)
LANGUAGE sql STABLE AS $$
    SELECT o.code, bool_and(o.code_valid), min(o.reported_on)
    FROM quality.uscc_observations o
    WHERE o.reported_on <= d AND (o.withdrawn_on IS NULL OR o.withdrawn_on > d)
    GROUP BY o.code
$$;
