"""What the credit center publishes each month for people who read rather than query.

- ``monthly``: the month's figures gathered from the warehouse (indicator values, accounting, rule outcomes,
  scorecard, 重错码, what is still missing), read from the mart and quality tables, never recomputed here;
- ``quality_report``: the monthly quality report, one self-contained HTML file (inline SVG charts, no CDN);
- ``indicator_form``: the month's 城市信用指标数据反馈表 (XLSX), prefilled where the warehouse can answer;
- ``feedback``: one workbook per department and month (rejected rows as sent, findings, warnings, summary);
- ``publish``: writes all of them under ``$CITYCREDIT_HOME`` and the ``citycredit report`` command.
Department-provided text is escaped in HTML (jinja2 autoescape) and neutralized in XLSX (``cells``); 身份证
numbers are masked everywhere (citycredit.core.privacy).
"""
