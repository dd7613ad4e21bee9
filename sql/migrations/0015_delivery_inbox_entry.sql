-- Which inbox entry a delivery was (device:inode), to tell a run killed between recording a delivery and moving
-- its file out of the inbox (the same entry, seen again: already recorded) from a department sending the same
-- file again with the same name and modification time (a new entry: a delivery of its own). Moving a landed file
-- to archive/ keeps its inode, so a later copy in the inbox cannot have it. NULL for pulls and older rows.
ALTER TABLE landing.deliveries ADD COLUMN inbox_entry text;
