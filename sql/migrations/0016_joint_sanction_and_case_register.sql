-- Two monitoring datasets departments feed like any other (include/config/fields.yaml: joint_sanction,
-- case_register; issue #19): the 联合奖惩 cases (济信用办〔2020〕14号 item 二十六) and the cases the city reports
-- itself (平信用办〔2020〕2号 二.2). Staging rows as text; core record versions keyed like the other datasets
-- (core/datasets.py). As migration 0009 asks of new staging and core tables: no foreign key to landing.batches.
-- Indexes: the current key; every version of a key (its first delivery is the month a case counts as reported in);
-- the dates the indicators select a month by.

-- 联合奖惩案例
CREATE TABLE staging.joint_sanction_rows (
    batch_id     bigint  NOT NULL,
    source_row   integer NOT NULL,
    reported_on  date    NOT NULL,
    jc_bh text, jc_zt_mc text, jc_zt_lb text, jc_shxym text, jc_zjhm text, jc_mdlx text, jc_mdwh text, jc_jclx text,
    jc_cs text, jc_yj text, jc_ssbm text, jc_ssbmdm text, jc_ssrq text, jc_fkrq text, bz text,
    extra        jsonb,
    PRIMARY KEY (batch_id, source_row)
);
CREATE TABLE core.joint_sanction (
    record_id     bigserial PRIMARY KEY,
    department_id text        NOT NULL,
    batch_id      bigint      NOT NULL,
    source_row    integer     NOT NULL,
    reported_on   date        NOT NULL,
    subject_key   text        NOT NULL,
    content_hash  text        NOT NULL,
    version       integer     NOT NULL,
    is_current    boolean     NOT NULL,
    supersedes    bigint      REFERENCES core.joint_sanction,
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    jc_bh text, jc_zt_mc text, jc_zt_lb text, jc_shxym text, jc_zjhm text, jc_mdlx text, jc_mdwh text, jc_jclx text,
    jc_cs text, jc_yj text, jc_ssbm text, jc_ssbmdm text, jc_ssrq date, jc_fkrq date, bz text,
    extra         jsonb,
    UNIQUE (batch_id, source_row)
);
CREATE UNIQUE INDEX joint_sanction_current_key ON core.joint_sanction (jc_ssbm, jc_bh, subject_key) WHERE is_current;
CREATE INDEX joint_sanction_key ON core.joint_sanction (jc_ssbm, jc_bh, subject_key, reported_on);
CREATE INDEX joint_sanction_jc_ssrq ON core.joint_sanction (jc_ssrq);
CREATE INDEX joint_sanction_reported_on ON core.joint_sanction (reported_on);

-- 城市上报案例
CREATE TABLE staging.case_register_rows (
    batch_id     bigint  NOT NULL,
    source_row   integer NOT NULL,
    reported_on  date    NOT NULL,
    al_bh text, al_lb text, al_mc text, al_zt_mc text, al_shxym text, al_zjhm text, al_bsdw text, al_bsdwdm text,
    al_fsrq text, al_zy text, al_lj text, bz text,
    extra        jsonb,
    PRIMARY KEY (batch_id, source_row)
);
CREATE TABLE core.case_register (
    record_id     bigserial PRIMARY KEY,
    department_id text        NOT NULL,
    batch_id      bigint      NOT NULL,
    source_row    integer     NOT NULL,
    reported_on   date        NOT NULL,
    subject_key   text        NOT NULL,
    content_hash  text        NOT NULL,
    version       integer     NOT NULL,
    is_current    boolean     NOT NULL,
    supersedes    bigint      REFERENCES core.case_register,
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    al_bh text, al_lb text, al_mc text, al_zt_mc text, al_shxym text, al_zjhm text, al_bsdw text, al_bsdwdm text,
    al_fsrq date, al_zy text, al_lj text, bz text,
    extra         jsonb,
    UNIQUE (batch_id, source_row)
);
CREATE UNIQUE INDEX case_register_current_key ON core.case_register (al_bsdw, al_bh, subject_key) WHERE is_current;
CREATE INDEX case_register_key ON core.case_register (al_bsdw, al_bh, subject_key, reported_on);
CREATE INDEX case_register_reported_on ON core.case_register (reported_on);
