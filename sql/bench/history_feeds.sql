-- The 双公示 feeds of the registry, numbered; a history month holds one batch per feed.
CREATE TABLE bench_feeds (n int, feed_id text, department_id text, dataset text, uscc text)
