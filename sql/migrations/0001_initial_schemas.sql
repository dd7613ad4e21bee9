-- Schemas by stage (design.md "Warehouse"): landing → staging → core, with quality, mart and export beside.
CREATE SCHEMA IF NOT EXISTS landing;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS quality;
CREATE SCHEMA IF NOT EXISTS mart;
CREATE SCHEMA IF NOT EXISTS export;

-- Every arrival of a file, including re-deliveries of the same bytes and files that could not be read.
CREATE TABLE landing.deliveries (
    delivery_id   bigserial PRIMARY KEY,
    department_id text        NOT NULL,
    feed_id       text        NOT NULL,
    dataset       text        NOT NULL,
    source_name   text        NOT NULL,
    sha256        text        NOT NULL,
    size_bytes    bigint      NOT NULL,
    received_at   timestamptz NOT NULL,
    outcome       text        NOT NULL CHECK (outcome IN ('new', 'duplicate', 'rejected')),
    reason        text,
    batch_id      bigint,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);

-- One batch per distinct delivered content of a feed. The bytes are kept unchanged under stored_path.
CREATE TABLE landing.batches (
    batch_id        bigserial PRIMARY KEY,
    department_id   text        NOT NULL,
    feed_id         text        NOT NULL,
    dataset         text        NOT NULL,
    source_name     text        NOT NULL,
    sha256          text        NOT NULL,
    size_bytes      bigint      NOT NULL,
    stored_path     text        NOT NULL,
    received_at     timestamptz NOT NULL,
    status          text        NOT NULL DEFAULT 'landed'
                    CHECK (status IN ('landed', 'normalized', 'validated', 'loaded', 'rejected')),
    status_reason   text,
    file_format     text,
    encoding        text,
    sheet           text,
    header_row      integer,
    headers         jsonb,
    unknown_columns jsonb,
    missing_columns jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (feed_id, sha256)
);

-- Typed rows of one batch, as text, exactly as normalization produced them.
CREATE TABLE staging.license_rows (
    batch_id     bigint  NOT NULL REFERENCES landing.batches,
    source_row   integer NOT NULL,
    reported_on  date    NOT NULL,
    xk_xdr_mc text, xk_xdr_lb text, xk_xdr_shxym text, xk_xdr_gszc text, xk_xdr_zzjg text, xk_xdr_swdj text,
    xk_xdr_sydw text, xk_xdr_shzz text, xk_frdb text, xk_fr_zjlx text, xk_fr_zjhm text, xk_xdr_zjlx text,
    xk_xdr_zjhm text, xk_xkws text, xk_wsh text, xk_xklb text, xk_xkzs text, xk_xkbh text, xk_nr text,
    xk_jdrq text, xk_yxqz text, xk_yxqzi text, xk_xkjg text, xk_xkjgdm text, xk_zt text, xk_lydw text,
    xk_lydwdm text, bz text,
    extra        jsonb,
    PRIMARY KEY (batch_id, source_row)
);

CREATE TABLE staging.penalty_rows (
    batch_id     bigint  NOT NULL REFERENCES landing.batches,
    source_row   integer NOT NULL,
    reported_on  date    NOT NULL,
    cf_xdr_mc text, cf_xdr_lb text, cf_xdr_shxym text, cf_xdr_gszc text, cf_xdr_zzjg text, cf_xdr_swdj text,
    cf_xdr_sydw text, cf_xdr_shzz text, cf_frdb text, cf_fr_zjlx text, cf_fr_zjhm text, cf_xdr_zjlx text,
    cf_xdr_zjhm text, cf_wsh text, cf_wfxw text, cf_sy text, cf_yj text, cf_cflb text, cf_nr text,
    cf_nr_fk text, cf_nr_wfff text, cf_nr_zkdx text, cf_jdrq text, cf_yxq text, cf_gsjzq text, cf_cfjg text,
    cf_cfjgdm text, cf_sjly text, cf_sjlydm text, bz text,
    extra        jsonb,
    PRIMARY KEY (batch_id, source_row)
);

-- Core record versions. The natural key is (数据来源单位代码, 文书号, subject_key); exactly one version per key is
-- current. subject_key = 统一社会信用代码, else 工商注册号 (placeholder code), else 证件号码, else the name.
CREATE TABLE core.license (
    record_id     bigserial PRIMARY KEY,
    department_id text        NOT NULL,
    batch_id      bigint      NOT NULL REFERENCES landing.batches,
    source_row    integer     NOT NULL,
    reported_on   date        NOT NULL,
    subject_key   text        NOT NULL,
    content_hash  text        NOT NULL,
    version       integer     NOT NULL,
    is_current    boolean     NOT NULL,
    supersedes    bigint      REFERENCES core.license,
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    xk_xdr_mc text, xk_xdr_lb text, xk_xdr_shxym text, xk_xdr_gszc text, xk_xdr_zzjg text, xk_xdr_swdj text,
    xk_xdr_sydw text, xk_xdr_shzz text, xk_frdb text, xk_fr_zjlx text, xk_fr_zjhm text, xk_xdr_zjlx text,
    xk_xdr_zjhm text, xk_xkws text, xk_wsh text, xk_xklb text, xk_xkzs text, xk_xkbh text, xk_nr text,
    xk_jdrq date, xk_yxqz date, xk_yxqzi date, xk_xkjg text, xk_xkjgdm text, xk_zt text, xk_lydw text,
    xk_lydwdm text, bz text,
    extra         jsonb,
    UNIQUE (batch_id, source_row)
);
CREATE UNIQUE INDEX license_current_key ON core.license (xk_lydwdm, xk_wsh, subject_key) WHERE is_current;
CREATE INDEX license_reported_on ON core.license (reported_on);

CREATE TABLE core.penalty (
    record_id     bigserial PRIMARY KEY,
    department_id text        NOT NULL,
    batch_id      bigint      NOT NULL REFERENCES landing.batches,
    source_row    integer     NOT NULL,
    reported_on   date        NOT NULL,
    subject_key   text        NOT NULL,
    content_hash  text        NOT NULL,
    version       integer     NOT NULL,
    is_current    boolean     NOT NULL,
    supersedes    bigint      REFERENCES core.penalty,
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    cf_xdr_mc text, cf_xdr_lb text, cf_xdr_shxym text, cf_xdr_gszc text, cf_xdr_zzjg text, cf_xdr_swdj text,
    cf_xdr_sydw text, cf_xdr_shzz text, cf_frdb text, cf_fr_zjlx text, cf_fr_zjhm text, cf_xdr_zjlx text,
    cf_xdr_zjhm text, cf_wsh text, cf_wfxw text, cf_sy text, cf_yj text, cf_cflb text, cf_nr text,
    cf_nr_fk numeric(18, 6), cf_nr_wfff numeric(18, 6), cf_nr_zkdx text, cf_jdrq date, cf_yxq date,
    cf_gsjzq date, cf_cfjg text, cf_cfjgdm text, cf_sjly text, cf_sjlydm text, bz text,
    extra         jsonb,
    UNIQUE (batch_id, source_row)
);
CREATE UNIQUE INDEX penalty_current_key ON core.penalty (cf_sjlydm, cf_wsh, subject_key) WHERE is_current;
CREATE INDEX penalty_reported_on ON core.penalty (reported_on);

-- Every finding of every rule on every row: errors send the row to quarantine, warnings stay with loaded rows.
CREATE TABLE quality.findings (
    batch_id    bigint  NOT NULL REFERENCES landing.batches,
    source_row  integer,            -- NULL for a finding about the whole file (e.g. a missing column)
    dataset     text    NOT NULL,
    rule_id     text    NOT NULL,
    field       text,               -- canonical column
    label       text,               -- its Chinese label
    category    text    NOT NULL,
    severity    text    NOT NULL CHECK (severity IN ('error', 'warning')),
    message     text    NOT NULL
);
CREATE INDEX findings_batch_row ON quality.findings (batch_id, source_row);

-- How often each rule was evaluated and failed in a batch (one row per rule, also when it never failed).
CREATE TABLE quality.rule_outcomes (
    batch_id    bigint  NOT NULL REFERENCES landing.batches,
    rule_id     text    NOT NULL,
    category    text    NOT NULL,
    severity    text    NOT NULL,
    evaluated   bigint  NOT NULL,
    failed      bigint  NOT NULL,
    PRIMARY KEY (batch_id, rule_id)
);

-- Rows with at least one error, kept as normalized, with their batch and source row.
CREATE TABLE quality.quarantine (
    batch_id    bigint  NOT NULL REFERENCES landing.batches,
    source_row  integer NOT NULL,
    dataset     text    NOT NULL,
    row_data    jsonb   NOT NULL,
    rule_ids    text[]  NOT NULL,
    quarantined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (batch_id, source_row)
);

-- Invariant 1: received = loaded + quarantined + duplicate, written in the load transaction.
CREATE TABLE quality.batch_accounting (
    batch_id     bigint PRIMARY KEY REFERENCES landing.batches,
    received     bigint NOT NULL,
    loaded       bigint NOT NULL,
    quarantined  bigint NOT NULL,
    duplicate    bigint NOT NULL,
    revised      bigint NOT NULL,     -- of loaded: new versions of a record already in core
    with_warnings bigint NOT NULL,    -- of loaded: rows that carry at least one warning
    accounted_at timestamptz NOT NULL DEFAULT now(),
    CHECK (received = loaded + quarantined + duplicate)
);

-- Monthly indicator values with their numerator and denominator (invariant 5).
CREATE TABLE mart.indicator_values (
    month        date    NOT NULL,
    indicator    text    NOT NULL,
    scope        text    NOT NULL CHECK (scope IN ('city', 'department')),
    scope_id     text    NOT NULL,
    dataset      text    NOT NULL,
    numerator    numeric,
    denominator  numeric,
    value        numeric,
    computed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (month, indicator, scope, scope_id, dataset)
);
