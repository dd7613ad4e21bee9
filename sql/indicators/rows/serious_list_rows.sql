-- Listing periods of the list kinds of class :serious_list_class (include/config/credit_lists.yaml) of 法人企业
-- (主体类别 in :listed_entity_kinds: the population the share's denominator counts in the register; 个体工商户 and
-- persons are neither; 济信用办〔2020〕14号 items 二十四 and 二十五) that touch the window (:window_from to :month_end,
-- both days included), as core.credit_list_periods has them now, and the 法人企业 of the register as it stood on
-- :month_end (core.subjects_on). Role columns, each about a period (subjects are counted distinct):
--   listed_at_month_end          列入 on or before :month_end and not 移出 by then (移出日期 is the first day off)
--   listed_at_window_start       on the list on :window_before, the day before the window
--   added_in_window / removed_in_window   列入日期 / 移出日期 inside the window
--   listed_in_window             on the list on some day of the window
--   legal_entity                 a register row: an existing 法人企业 (:legal_entity_types), the share's denominator
SELECT p.department_id, 'credit_list' AS dataset, p.subject_key, p.subject_name, p.uscc AS subject_code,
       p.subject_type, p.list_type, p.authority, p.listed_on, p.removed_on, p.removal_reason,
       p.batch_id, b.sha256, c.source_row,
       p.listed_on <= :month_end AND (p.removed_on IS NULL OR p.removed_on > :month_end) AS listed_at_month_end,
       p.listed_on <= :window_before AND (p.removed_on IS NULL OR p.removed_on > :window_before)
           AS listed_at_window_start,
       p.listed_on >= :window_from AS added_in_window,
       COALESCE(p.removed_on BETWEEN :window_from AND :month_end, false) AS removed_in_window,
       true AS listed_in_window,
       false AS legal_entity
FROM core.credit_list_periods p
JOIN core.credit_list c USING (record_id)
JOIN landing.batches b ON b.batch_id = p.batch_id
WHERE p.list_class = :serious_list_class AND p.subject_type = ANY(:listed_entity_kinds)
  AND p.listed_on <= :month_end AND (p.removed_on IS NULL OR p.removed_on >= :window_from)
UNION ALL
SELECT NULL, 'subject_registry', s.subject_key, s.subject_name, s.uscc, s.subject_type, NULL, NULL, s.founded_on,
       s.closed_on, NULL, NULL, NULL, NULL, false, false, false, false, false, true
FROM core.subjects_on(:month_end) s
WHERE s.active AND s.subject_type = ANY(:legal_entity_types)
