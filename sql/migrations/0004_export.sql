-- The provincial export (citycredit.export): batches, the record versions each delivered, and pushed chunks.
--
-- A destination is 'outbox' (files under $CITYCREDIT_HOME/outbox) or 'province' (the HTTP push). Each is tracked
-- on its own: what a destination holds is the last item per record key with status written / accepted.

CREATE TABLE export.batches (
    batch_id     bigserial   PRIMARY KEY,
    destination  text        NOT NULL CHECK (destination IN ('outbox', 'province')),
    profile      text        NOT NULL,                 -- the export.yaml profile (the exchange format)
    as_of        date        NOT NULL,                 -- the day publication windows were evaluated for
    batch_key    uuid        NOT NULL UNIQUE,          -- prefix of the chunks' idempotency keys
    status       text        NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'failed', 'completed')),
    last_error   text,
    summary      jsonb,                                -- counts by dataset and action, held back by reason, files
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz
);
-- A destination has at most one unfinished batch: it is resumed before anything new is planned.
CREATE UNIQUE INDEX batches_one_open ON export.batches (destination) WHERE status <> 'completed';

-- One item per record version and action per destination, ever: the UNIQUE constraint is the "sent once".
-- A held-back version (action 'hold') is recorded once too, with its reason, in the batch that first met it.
CREATE TABLE export.items (
    item_id      bigserial PRIMARY KEY,
    batch_id     bigint    NOT NULL REFERENCES export.batches,
    destination  text      NOT NULL,
    dataset      text      NOT NULL,
    record_id    bigint    NOT NULL,                   -- the version in core.<dataset>
    record_key   text      NOT NULL,                   -- md5 of its natural key (which may hold a 证件号码)
    item_key     text      NOT NULL,                   -- the id the province sees (per version and action)
    action       text      NOT NULL CHECK (action IN ('add', 'update', 'withdraw', 'hold')),
    reason       text,                                 -- why withdrawn or held back
    chunk_no     integer,                              -- NULL for held-back items
    payload      jsonb,                                -- the provincial record, masked; NULL for held-back items
    status       text      NOT NULL CHECK (status IN ('planned', 'written', 'accepted', 'rejected', 'held')),
    province_reason text,                              -- the province's reason for a rejection
    UNIQUE (destination, dataset, record_id, action)
);
CREATE INDEX items_key ON export.items (destination, dataset, record_key, item_id);
CREATE INDEX items_batch_chunk ON export.items (batch_id, chunk_no);

-- Pushed chunks: acknowledged one by one, each with the receipt the province returned.
CREATE TABLE export.chunks (
    batch_id        bigint  NOT NULL REFERENCES export.batches,
    chunk_no        integer NOT NULL,
    idempotency_key text    NOT NULL UNIQUE,
    records         integer NOT NULL,
    status          text    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acknowledged')),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    receipt         jsonb,
    acknowledged_at timestamptz,
    PRIMARY KEY (batch_id, chunk_no)
);
