-- Speed (issue #21), no change in meaning.
--
-- The code observations' index on the normalized name (0002) served one reader: the monthly report's list of
-- 一名多码, which finds the observations behind each such name. Every load paid for it (about 1.5 s of the 7.5 s a
-- 1M-row batch's observations take to insert). The report now reaches those observations through their codes (the
-- code index): the codes a name holds in the stock of a day are among those of its pairs (quality.uscc_pairs, the
-- observations not withdrawn) and of its observations withdrawn after that day (the withdrawn_on index). The pairs,
-- one row per code and name, get the name index instead.
DROP INDEX quality.uscc_observations_name;
CREATE INDEX uscc_pairs_name ON quality.uscc_pairs (name_key);
