-- The rows with an error, quarantined.
INSERT INTO quality.quarantine (batch_id, source_row, dataset, row_data, rule_ids)
SELECT batch_id, source_row, dataset,
       jsonb_build_object(CASE dataset WHEN 'license' THEN 'xk_xdr_mc' ELSE 'cf_xdr_mc' END, name,
                          CASE dataset WHEN 'license' THEN 'xk_wsh' ELSE 'cf_wsh' END, document_no,
                          'reported_on', reported_on),
       ARRAY['BENCH-REQUIRED']
FROM bench_rows WHERE has_error
