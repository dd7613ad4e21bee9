-- 主体平均信用记录数 = 企业信用记录数 / 存续企业数 + 自然人信用记录数 / 自然人人口数 (济信用办〔2020〕14号 item 六), for the city.
-- Three values: dataset 'enterprise' (企业信用记录数 / 存续企业数), 'person' (自然人信用记录数 / :population, from
-- departments.yaml city.population) and 'all', their sum, whose numerator and denominator are those of the two
-- parts (no single fraction gives a sum of two ratios).
WITH c AS (
    SELECT count(*) FILTER (WHERE enterprise_record) AS enterprise_records,
           count(*) FILTER (WHERE existing_enterprise) AS enterprises,
           count(*) FILTER (WHERE person_record) AS person_records,
           CAST(:population AS bigint) AS population
    FROM rows
), parts AS (
    SELECT 'enterprise' AS dataset, enterprise_records AS numerator, enterprises AS denominator FROM c
    UNION ALL
    SELECT 'person', person_records, population FROM c
)
SELECT 'city' AS scope, 'city' AS scope_id, dataset, numerator, denominator,
       CASE WHEN denominator > 0 THEN round(numerator::numeric / denominator, 10) END AS value
FROM parts
UNION ALL
SELECT 'city', 'city', 'all', NULL, NULL,
       CASE WHEN bool_and(denominator > 0) THEN sum(round(numerator::numeric / NULLIF(denominator, 0), 10)) END
FROM parts
