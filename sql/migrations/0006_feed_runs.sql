-- A feed with a `schedule` in the registry is landed or pulled only when its cron expression has fired since its
-- last completed run: when that run was. A failed run records nothing, so the next DAG run tries again.
CREATE TABLE landing.feed_runs (
    feed_id     text        PRIMARY KEY,
    last_run_at timestamptz NOT NULL
);
