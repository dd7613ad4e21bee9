"""Stage 6, publish: what the credit center publishes for people who read rather than query, and the province.

- ``monthly``: the month's figures gathered from the warehouse (indicator values, accounting, rule outcomes,
  scorecard, 重错码, what is still missing), read from the mart and quality tables, never recomputed here;
- ``quality_report``: the monthly quality report, one self-contained HTML file (inline SVG charts, no CDN);
- ``indicator_form``: the month's 城市信用指标数据反馈表 (XLSX), prefilled where the warehouse can answer;
- ``feedback``: one workbook per department and month (rejected rows as sent, findings, warnings, summary);
- ``month_files``: writes all of them under ``$CITYCREDIT_HOME``; ``webapp`` serves them in the Airflow UI;
- ``export`` … ``province_push``: the provincial export, as outbox files and an HTTP push;
- ``publication``: what of a record is public on a day (window, exclusion, 信用修复), for the export and the
  subject report; ``subject_report`` (+ ``_view``, ``_pdf``): one subject's 公共信用信息报告 with its checksum;
- ``datadocs``: the GX Data Docs of the rule suites and each batch's outcomes.
Department-provided text is escaped in HTML (jinja2 autoescape) and neutralized in XLSX (``cells``); 身份证
numbers are masked everywhere (citycredit.core.privacy).
"""
