"""The web app the Airflow plugin (plugins/citycredit_reports.py) mounts: a Chinese page listing the published
files by month, and the files themselves.

Only files inside the data directory's published folders (reports/, feedback/, datadocs/) are served; a path
that leads anywhere else (``..``, an absolute path, a symlink out) is answered 404 (month_files.resolve). Every
request needs a signed-in Airflow user (the api-server's JWT cookie or bearer token), like the Airflow UI itself.

Every response says X-Content-Type-Options: nosniff, and every page a Content-Security-Policy, a second line of
defence behind the escaping of department text (jinja2 autoescape here and in the report; datadocs.file_label):
- our pages (this index, the quality report: inline CSS and SVG, no script) may run no script at all (`PAGE_POLICY`);
- the GX Data Docs need their inline scripts and CDN libraries, so they run sandboxed (`DATADOCS_POLICY`): an
  opaque origin without the Airflow session, no requests, no forms, no navigation of the Airflow window.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import quote

from citycredit.core import paths

URL_PREFIX = "/citycredit-reports"
SECTION_NAMES = {"reports": "质量报告与反馈表", "feedback": "部门反馈表"}
_TYPES = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf",
          ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip

PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none';"
    " frame-ancestors 'self'"
)
_CDNS = (
    "https://cdn.jsdelivr.net https://cdnjs.cloudflare.com https://code.jquery.com https://stackpath.bootstrapcdn.com"
    " https://maxcdn.bootstrapcdn.com https://unpkg.com"
)  # where GX's Data Docs template loads bootstrap, jquery and vega from
DATADOCS_POLICY = (
    f"sandbox allow-scripts allow-popups; default-src 'none'; script-src 'self' 'unsafe-inline' {_CDNS};"
    f" style-src 'self' 'unsafe-inline' {_CDNS}; font-src 'self' data: {_CDNS}; img-src 'self' data:;"
    " connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
_ACTIVE = ("text/html", "image/svg+xml", "text/xml", "application/xml", "application/xhtml+xml")


def security_headers(relative: str | None, media: str) -> dict[str, str]:
    """The headers of a response: `relative` is the served file's path under the data directory (None: a page
    of this app)."""
    headers = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
    if relative is None or media.startswith(_ACTIVE):
        datadocs = relative is not None and relative.split("/", 1)[0] == "datadocs"
        headers["Content-Security-Policy"] = DATADOCS_POLICY if datadocs else PAGE_POLICY
    return headers


INDEX = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>信用数据质量报告</title>
<style>body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5em;color:#222}
h2{border-left:5px solid #1f5f99;padding-left:.5em;font-size:1.15em}li{margin:.2em 0}</style></head>
<body><h1>信用数据质量报告</h1>
{% if datadocs %}<p><a href="files/datadocs/index.html">校验规则与结果（GX Data Docs）</a></p>{% endif %}
{% for month, sections in months %}<h2>{{ month }}</h2>
{% for section, files in sections %}<h3>{{ section_names[section] }}</h3><ul>
{% for f in files %}<li><a href="files/{{ f.href }}">{{ f.name }}</a></li>{% endfor %}</ul>{% endfor %}
{% else %}<p>尚未生成任何报告。运行月度 DAG 或 <code>citycredit report --month YYYY-MM</code> 生成。</p>{% endfor %}
</body></html>"""


def _index(home: Path) -> str:
    import jinja2

    from citycredit.publish import month_files  # at request time: loading the plugin must not import pandas

    grouped: dict[str, dict[str, list[dict]]] = {}
    for f in month_files.published_files(home):
        path = Path(f["path"])
        entry = {"href": "/".join(quote(p) for p in path.parts), "name": path.name}
        grouped.setdefault(f["month"], {}).setdefault(f["section"], []).append(entry)
    months = [(m, sorted(s.items(), key=lambda kv: kv[0] != "reports")) for m, s in grouped.items()]
    template = jinja2.Environment(autoescape=True).from_string(INDEX)
    return template.render(
        months=months, section_names=SECTION_NAMES, datadocs=(home / "datadocs" / "index.html").is_file()
    )


def create_app(require_login: bool = True):
    from fastapi import Depends, FastAPI, HTTPException
    from fastapi.responses import FileResponse, HTMLResponse

    login = None
    if require_login:
        from airflow.api_fastapi.core_api.security import requires_authenticated

        login = requires_authenticated()
    dependencies = [Depends(login)] if login else []
    app = FastAPI(title="citycredit reports", dependencies=dependencies, docs_url=None, redoc_url=None)
    app.state.login_dependency = login  # what a test overrides to act as a signed-in user

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        return HTMLResponse(_index(paths.home()), headers=security_headers(None, "text/html"))

    @app.get("/files/{relative:path}")
    def serve(relative: str):
        from citycredit.publish import month_files

        path = month_files.resolve(paths.home(), relative)
        if path is None:
            raise HTTPException(status_code=404, detail="文件不存在")
        media = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        inline = path.suffix in (".html", ".pdf", ".svg", ".css", ".js", ".png")
        return FileResponse(
            path,
            media_type=media,
            filename=path.name,
            content_disposition_type="inline" if inline else "attachment",
            headers=security_headers(path.relative_to(paths.home().resolve()).as_posix(), media),
        )

    return app
