-- 重错码率 as 济信用办〔2020〕14号 item 九 defines it: the city's 重错码 over the city's total of codes. That total is
-- the figure the national 统一社会信用代码 center gives the city (departments.yaml city.code_total, :code_total);
-- until it is configured, the codes the platform has received (the stock rows) stand in for it, which reads higher
-- than the national figure would (the stock holds fewer codes than the city has).
SELECT 'city' AS scope, 'city' AS scope_id, 'all' AS dataset,
       {numerator_count} AS numerator,
       COALESCE(CAST(:code_total AS bigint), {denominator_count}) AS denominator,
       CASE WHEN COALESCE(CAST(:code_total AS bigint), {denominator_count}) > 0
            THEN round({numerator_count}::numeric / COALESCE(CAST(:code_total AS bigint), {denominator_count}), 6)
       END AS value
FROM rows
