-- The class of each credit-list kind and the category of each exit reason, as include/config/credit_lists.yaml
-- states them; the loader (citycredit.load.creditlists.record_classes) writes the file's content here at every
-- credit-list load, so these tables follow the configuration, never the other way round.
--   core.credit_list_kinds             名单类型 (list_type) -> list_class: 严重失信 / 重点关注 / 红名单 / 不归集
--   core.credit_list_removal_reasons   移出原因 (removal_reason) -> category: 信用修复 / 期满 / 注销吊销 / 司法 / 其他
-- core.credit_list_periods gains list_class and removal_category (NULL for a kind or reason the file does not
-- know, e.g. one loaded before it was configured). The stored 名单类型 and 移出原因 values do not change.
CREATE TABLE core.credit_list_kinds (
    list_type  text PRIMARY KEY,
    list_class text NOT NULL
);

CREATE TABLE core.credit_list_removal_reasons (
    removal_reason text PRIMARY KEY,
    category       text NOT NULL
);

CREATE OR REPLACE VIEW core.credit_list_periods AS
SELECT c.record_id, c.department_id, b.feed_id, c.subject_key, c.md_zt_mc AS subject_name, c.md_zt_lb AS subject_type,
       c.md_shxym AS uscc, c.md_lx AS list_type, c.md_rdbm AS authority, c.md_rdbmdm AS authority_code,
       c.md_lrrq AS listed_on, c.md_lryj AS basis, c.md_ycrq AS removed_on, c.md_ycyy AS removal_reason,
       c.inferred_exit, c.version, c.batch_id, c.reported_on,
       k.list_class, r.category AS removal_category
FROM core.credit_list c
JOIN landing.batches b USING (batch_id)
LEFT JOIN core.credit_list_kinds k ON k.list_type = c.md_lx
LEFT JOIN core.credit_list_removal_reasons r ON r.removal_reason = c.md_ycyy
WHERE c.is_current;
