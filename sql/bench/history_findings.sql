-- The findings of the late rows (a timeliness warning) and of the rows with an error.
INSERT INTO quality.findings (batch_id, source_row, dataset, rule_id, field, label, category, severity, message)
SELECT batch_id, source_row, dataset, :late_rule, NULL, NULL, 'timeliness', 'warning', '超过7个工作日报送'
FROM bench_rows WHERE late
UNION ALL
SELECT batch_id, source_row, dataset, 'BENCH-REQUIRED', NULL, NULL, 'required', 'error', '必填项为空'
FROM bench_rows WHERE has_error
