-- HTTP and database feeds pull only what is new since their last pull: each feed's high-water mark, the largest
-- value of its watermark field (HTTP) or column (database) among the records pulled so far. It moves in the same
-- transaction that records the pull's delivery and batch, so a failed pull leaves it where it was.
CREATE TABLE landing.feed_watermarks (
    feed_id    text        PRIMARY KEY,
    watermark  text        NOT NULL,
    batch_id   bigint      REFERENCES landing.batches,
    updated_at timestamptz NOT NULL DEFAULT now()
);
