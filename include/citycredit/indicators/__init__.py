"""Stage 5, indicators: the monthly 城市信用状况监测 indicators of indicators.yaml computed by set-based SQL into
the mart (``compute``), the department scorecard and the reporting-deadline alert."""
