"""Airflow UI plugin: the published quality reports, 反馈表, department feedback workbooks and GX Data Docs, and the
web front door (公共信用信息报告, 联合奖惩 核查, 数据自查, 报送记录).

The api-server mounts two apps, each with an entry in the Airflow navigation shown inside the UI:
- /citycredit-reports lists the files of $CITYCREDIT_HOME/reports and /feedback (a Chinese page) and serves them,
  and the Data Docs under /datadocs (citycredit.publish.webapp: sign-in, the published folders only, a
  Content-Security-Policy on every page);
- /citycredit-web is the front door of `citycredit web`, where the Airflow sign-in is the operator's sign-in
  (citycredit.web.airflow_mount; built on its first request).
This file only registers them.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from citycredit.publish import webapp
from citycredit.web import airflow_mount


class CitycreditReportsPlugin(AirflowPlugin):
    name = "citycredit_reports"
    fastapi_apps = [
        {"app": webapp.create_app(), "url_prefix": webapp.URL_PREFIX, "name": "信用数据质量报告"},
        {"app": airflow_mount.MountedApp(), "url_prefix": airflow_mount.URL_PREFIX, "name": "公共信用信息平台"},
    ]
    external_views = [
        {
            "name": "信用数据质量报告",
            "href": f"{webapp.URL_PREFIX}/",
            "destination": "nav",
            "url_route": "citycredit-reports",
            "category": "browse",
        },
        {
            "name": "公共信用信息平台",
            "href": f"{airflow_mount.URL_PREFIX}/",
            "destination": "nav",
            "url_route": "citycredit-web",
            "category": "browse",
        },
    ]
