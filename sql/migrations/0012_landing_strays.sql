-- What lies in the landing inbox where no file feed reads it (issue #18): under a folder that is not a registered
-- department, under a department's folder that is not one of its file feeds, or outside any feed's folder.
-- Such files are left where they are (they land once the registry has their feed, or someone moves them), named
-- in the log on every scan and kept here, one row per path, so that the monthly quality report can list them.
-- (Strays inside a file feed's folder, such as links and files in subfolders, are rejected deliveries of the feed
-- and are in landing.deliveries.)
CREATE TABLE landing.strays (
    path          text        PRIMARY KEY,  -- below the inbox, as the department wrote it
    department_id text,                     -- the registered department whose folder it is in, if any
    reason        text        NOT NULL,     -- why it is not read and where it belongs, in Chinese
    size_bytes    bigint      NOT NULL,
    modified_at   timestamptz NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX strays_last_seen_at ON landing.strays (last_seen_at);
