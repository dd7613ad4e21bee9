-- Every 统一社会信用代码 of the rows, as the code checks observe it, counted per batch, code and name.
INSERT INTO quality.uscc_observations (batch_id, dataset, department_id, reported_on, code, subject_name, name_key,
    code_valid, loaded, observations)
SELECT batch_id, dataset, department_id, reported_on, code, name, name, NOT bad_code, NOT has_error, count(*)
FROM bench_rows WHERE code IS NOT NULL
GROUP BY batch_id, dataset, department_id, reported_on, code, name, bad_code, has_error
