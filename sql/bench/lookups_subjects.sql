-- The market subjects of the lookup figures (scratch): subject s has a valid 统一社会信用代码 (GB 32100, with the
-- GB 11714 组织机构代码 check of positions 9-17 computed here), an organisation's name (subjects 2k and 2k + 1
-- share one in every hundred: names that mean two codes) and a register type. Listed are the subjects with
-- s % 5 < 2 (lookups_credit_list.sql); the others are in the register only.
CREATE UNLOGGED TABLE bench_subjects AS
WITH body AS (
    SELECT s, '91410402' || lpad(s::text, 8, '0') AS b16 FROM generate_series(0, :subjects - 1) s
), org AS (
    SELECT s, b16 || substr('?123456789X0', 12 - mod((
        SELECT sum(substr(b16, 8 + i, 1)::int * (ARRAY[3, 7, 9, 10, 5, 8, 4, 2])[i]) FROM generate_series(1, 8) i
    )::int, 11), 1) AS b17 FROM body
)
SELECT s,
       b17 || substr('0123456789ABCDEFGHJKLMNPQRTUWXY', mod(31 - mod((
           SELECT sum((strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(b17, i, 1)) - 1)
                      * (ARRAY[1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])[i])
           FROM generate_series(1, 17) i
       )::int, 31), 31) + 1, 1) AS code,
       '平顶山市恒信' || CASE WHEN s % 100 < 2 THEN s - s % 2 ELSE s END || '实业有限公司' AS name,
       CASE WHEN s % 4 = 0 THEN '股份有限公司' ELSE '有限责任公司' END AS kind
FROM org
