"""Airflow UI plugin: the published quality reports, 反馈表, department feedback workbooks and GX Data Docs.

A FastAPI app mounted by the api-server under /citycredit-reports lists the files of
$CITYCREDIT_HOME/reports and /feedback (a Chinese page) and serves them, and the Data Docs under /datadocs; an
external view puts it in the Airflow navigation, shown inside the UI. The app itself lives in
citycredit.publish.webapp (sign-in, the published folders only, a Content-Security-Policy on every page); this file
only registers it.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from citycredit.publish import webapp


class CitycreditReportsPlugin(AirflowPlugin):
    name = "citycredit_reports"
    fastapi_apps = [{"app": webapp.create_app(), "url_prefix": webapp.URL_PREFIX, "name": "信用数据质量报告"}]
    external_views = [
        {
            "name": "信用数据质量报告",
            "href": f"{webapp.URL_PREFIX}/",
            "destination": "nav",
            "url_route": "citycredit-reports",
            "category": "browse",
        }
    ]
