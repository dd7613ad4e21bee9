-- Monthly indicators read one month (or one window) of data through these indexes, never the whole history.
CREATE INDEX batches_received_at ON landing.batches (received_at);
CREATE INDEX deliveries_received_at ON landing.deliveries (received_at);
CREATE INDEX credit_list_listed_on ON core.credit_list (md_lrrq);
CREATE INDEX credit_list_removed_on ON core.credit_list (md_ycrq);

-- The department scorecard of 平信用办〔2020〕8号 附件1 / 附件2 (include/config/scorecard.yaml), per month: one row per
-- item and department. basis: 'data' (scored from the warehouse, with the numerator and denominator it used),
-- 'manual' (entered in scorecard.yaml) or 'missing' (a manual item nobody has scored yet: points NULL).
CREATE TABLE mart.scorecard_items (
    month         date    NOT NULL,
    department_id text    NOT NULL,
    annex         text    NOT NULL,
    item_id       text    NOT NULL,
    item          text    NOT NULL,
    max_points    numeric NOT NULL,
    points        numeric,
    basis         text    NOT NULL CHECK (basis IN ('data', 'manual', 'missing')),
    numerator     numeric,
    denominator   numeric,
    note          text,
    computed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (month, department_id, item_id),
    CHECK (points IS NULL OR points BETWEEN 0 AND max_points)
);

-- The total per department and month: points of the scored items (附加分 capped), out of the base maximum.
CREATE TABLE mart.scorecard_totals (
    month          date    NOT NULL,
    department_id  text    NOT NULL,
    annex          text    NOT NULL,
    points         numeric NOT NULL,
    max_points     numeric NOT NULL,
    items_missing  integer NOT NULL,
    grade          text,                -- 优秀 / 良好 / 合格 / 不合格; NULL while an item is missing
    computed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (month, department_id)
);

-- Reporting-deadline alerts sent, one per month: a re-run after the deadline does not send it again.
CREATE TABLE mart.deadline_alerts (
    month        date        PRIMARY KEY,
    deadline     timestamptz NOT NULL,
    departments  jsonb       NOT NULL,   -- [{"id": ..., "name": ...}] with nothing received by the deadline
    notifier     text        NOT NULL,
    sent_at      timestamptz NOT NULL DEFAULT now()
);

-- Feeds the indicators need besides 双公示 and credit lists (include/config/fields.yaml: credit_commitment, objection,
-- credit_repair). Staging rows as text; core record versions keyed like the other datasets (datasets.py), with an
-- index on the date each indicator selects a month or a window by.

-- 信用承诺
CREATE TABLE staging.credit_commitment_rows (
    batch_id     bigint  NOT NULL REFERENCES landing.batches,
    source_row   integer NOT NULL,
    reported_on  date    NOT NULL,
    cn_zt_mc text, cn_zt_lb text, cn_shxym text, cn_zjhm text, cn_lx text, cn_sx text, cn_wsh text, cn_rq text, cn_slbm text, cn_slbmdm text, bz text,
    extra        jsonb,
    PRIMARY KEY (batch_id, source_row)
);
CREATE TABLE core.credit_commitment (
    record_id     bigserial PRIMARY KEY,
    department_id text        NOT NULL,
    batch_id      bigint      NOT NULL REFERENCES landing.batches,
    source_row    integer     NOT NULL,
    reported_on   date        NOT NULL,
    subject_key   text        NOT NULL,
    content_hash  text        NOT NULL,
    version       integer     NOT NULL,
    is_current    boolean     NOT NULL,
    supersedes    bigint      REFERENCES core.credit_commitment,
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    cn_zt_mc text, cn_zt_lb text, cn_shxym text, cn_zjhm text, cn_lx text, cn_sx text, cn_wsh text, cn_rq date, cn_slbm text, cn_slbmdm text, bz text,
    extra         jsonb,
    UNIQUE (batch_id, source_row)
);
CREATE UNIQUE INDEX credit_commitment_current_key ON core.credit_commitment (cn_slbm, cn_wsh, subject_key) WHERE is_current;
CREATE INDEX credit_commitment_cn_rq ON core.credit_commitment (cn_rq);

-- 信用信息异议
CREATE TABLE staging.objection_rows (
    batch_id     bigint  NOT NULL REFERENCES landing.batches,
    source_row   integer NOT NULL,
    reported_on  date    NOT NULL,
    yy_bh text, yy_zt_mc text, yy_shxym text, yy_zjhm text, yy_xxlx text, yy_xxbh text, yy_xxly text, yy_slrq text, yy_bjrq text, yy_jg text, bz text,
    extra        jsonb,
    PRIMARY KEY (batch_id, source_row)
);
CREATE TABLE core.objection (
    record_id     bigserial PRIMARY KEY,
    department_id text        NOT NULL,
    batch_id      bigint      NOT NULL REFERENCES landing.batches,
    source_row    integer     NOT NULL,
    reported_on   date        NOT NULL,
    subject_key   text        NOT NULL,
    content_hash  text        NOT NULL,
    version       integer     NOT NULL,
    is_current    boolean     NOT NULL,
    supersedes    bigint      REFERENCES core.objection,
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    yy_bh text, yy_zt_mc text, yy_shxym text, yy_zjhm text, yy_xxlx text, yy_xxbh text, yy_xxly text, yy_slrq date, yy_bjrq date, yy_jg text, bz text,
    extra         jsonb,
    UNIQUE (batch_id, source_row)
);
CREATE UNIQUE INDEX objection_current_key ON core.objection (yy_bh, subject_key) WHERE is_current;
CREATE INDEX objection_yy_bjrq ON core.objection (yy_bjrq);

-- 信用修复
CREATE TABLE staging.credit_repair_rows (
    batch_id     bigint  NOT NULL REFERENCES landing.batches,
    source_row   integer NOT NULL,
    reported_on  date    NOT NULL,
    xf_bh text, xf_zt_mc text, xf_shxym text, xf_zjhm text, xf_xxlx text, xf_xxbh text, xf_slbm text, xf_slrq text, xf_bjrq text, xf_jg text, bz text,
    extra        jsonb,
    PRIMARY KEY (batch_id, source_row)
);
CREATE TABLE core.credit_repair (
    record_id     bigserial PRIMARY KEY,
    department_id text        NOT NULL,
    batch_id      bigint      NOT NULL REFERENCES landing.batches,
    source_row    integer     NOT NULL,
    reported_on   date        NOT NULL,
    subject_key   text        NOT NULL,
    content_hash  text        NOT NULL,
    version       integer     NOT NULL,
    is_current    boolean     NOT NULL,
    supersedes    bigint      REFERENCES core.credit_repair,
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    xf_bh text, xf_zt_mc text, xf_shxym text, xf_zjhm text, xf_xxlx text, xf_xxbh text, xf_slbm text, xf_slrq date, xf_bjrq date, xf_jg text, bz text,
    extra         jsonb,
    UNIQUE (batch_id, source_row)
);
CREATE UNIQUE INDEX credit_repair_current_key ON core.credit_repair (xf_bh, subject_key) WHERE is_current;
CREATE INDEX credit_repair_xf_slrq ON core.credit_repair (xf_slrq);
CREATE INDEX credit_repair_xf_bjrq ON core.credit_repair (xf_bjrq);
