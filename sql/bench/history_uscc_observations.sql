-- Every 统一社会信用代码 of the rows, as the code checks observe it.
INSERT INTO quality.uscc_observations (batch_id, source_row, dataset, department_id, reported_on, code,
    subject_name, name_key, code_valid, loaded)
SELECT batch_id, source_row, dataset, department_id, reported_on, code, name, name, NOT bad_code, NOT has_error
FROM bench_rows WHERE code IS NOT NULL
