"""Publishing a month: the quality report, the 反馈表 and every department's feedback workbook under
``$CITYCREDIT_HOME``, the ``citycredit report`` command and the monthly DAG's publish task.

    reports/<YYYY-MM>/质量报告_<YYYY-MM>.html        (and .pdf with --pdf, when chromium is installed)
    reports/<YYYY-MM>/城市信用指标数据反馈表_<YYYY-MM>.xlsx                  (the city's 反馈表)
    feedback/<YYYY-MM>/<department id>/数据质量反馈_<department id>_<YYYY-MM>.xlsx
    feedback/<YYYY-MM>/<department id>/城市信用指标数据反馈表_<department id>_<YYYY-MM>.xlsx  (its own)
    reports/<YYYY>Q<n>/季度通报_<YYYY>年第<n>季度.html   (with a quarter's last month: citycredit.publish.quarterly)

The report links the 反馈表 (the city's and each department's), the feedback workbooks and the GX Data Docs
(``datadocs/index.html``) by relative paths, so the links work from the folder and through the Airflow UI plugin alike.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

from citycredit.core import paths
from citycredit.core.months import month_start
from citycredit.publish import feedback, indicator_form, monthly, quality_report, quarterly

log = logging.getLogger(__name__)

SECTIONS = ("reports", "feedback", "datadocs")  # the folders of the data directory that are published
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


@dataclass
class Published:
    month: date
    report: Path
    form: Path
    feedback: dict[str, Path] = field(default_factory=dict)
    pdf: Path | None = None
    forms: dict[str, Path] = field(default_factory=dict)  # department id -> its own 反馈表
    quarter: Path | None = None  # the quarterly 通报, with a quarter's last month

    def paths(self) -> list[Path]:
        return [
            self.report,
            *([self.pdf] if self.pdf else []),
            self.form,
            *self.feedback.values(),
            *self.forms.values(),
            *([self.quarter] if self.quarter else []),
        ]


def report_path(month: str | date, home: Path | None = None) -> Path:
    """Where the month's quality report is written."""
    first = month_start(month)
    return Path(home or paths.home()) / "reports" / f"{first:%Y-%m}" / f"质量报告_{first:%Y-%m}.html"


def _href(path: Path, start: Path) -> str:
    return "/".join(quote(part) for part in path.relative_to(start).parts)


def publish(engine: sa.Engine, month: str | date, home: Path | None = None, pdf: bool = False) -> Published:
    """Write the month's report, the city's 反馈表, and each department's feedback workbook and own 反馈表 side by
    side (replacing earlier ones of the month)."""
    first = month_start(month)
    home = Path(home or paths.home())
    report = report_path(first, home)
    folder = report.parent
    folder.mkdir(parents=True, exist_ok=True)
    form = indicator_form.write(engine, first, folder)
    workbooks = feedback.write_all(engine, first, home / "feedback" / f"{first:%Y-%m}")
    forms = indicator_form.write_departments(engine, first, {d: p.parent for d, p in workbooks.items()})
    quarter = quarterly.write(engine, first, home) if quarterly.is_quarter_end(first) else None
    datadocs = home / "datadocs" / "index.html"
    links = {
        "quarter": "../../" + _href(quarter, home) if quarter else None,
        "form": quote(form.name),
        "datadocs": "../../" + _href(datadocs, home) if datadocs.is_file() else None,
        "feedback": {d: "../../" + _href(p, home) for d, p in workbooks.items()},
        "forms": {d: "../../" + _href(p, home) for d, p in forms.items()},
    }
    html = quality_report.render(monthly.gather(engine, first), links, indicator_form.indicator_table(engine, first))
    partial = report.with_name(report.name + ".part")
    partial.write_text(html, encoding="utf-8")
    partial.replace(report)
    published = Published(first, report, form, workbooks, forms=forms, quarter=quarter)
    if pdf:
        published.pdf = print_pdf(report)
    log.info("published %s: %s", f"{first:%Y-%m}", [str(p) for p in published.paths()])
    return published


def print_pdf(report: Path) -> Path | None:
    """The report printed to PDF by a headless chromium, or None when none is installed or it fails."""
    browser = next((shutil.which(name) for name in CHROMIUM if shutil.which(name)), None)
    if browser is None:
        log.warning("no chromium found: the PDF of %s is not written", report.name)
        return None
    target = report.with_suffix(".pdf")
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
               f"--print-to-pdf={target}", report.resolve().as_uri()]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0 or not target.is_file():
        log.warning("chromium could not print %s: %s", report.name, result.stderr[-500:])
        return None
    return target


def published_files(home: Path | None = None) -> list[dict]:
    """Every published file, newest month first: {"month", "kind", "path" (relative to the data directory)}."""
    home = Path(home or paths.home())
    files = []
    for section in ("reports", "feedback"):
        root = home / section
        for path in sorted(root.glob("*/**/*.*")) if root.is_dir() else []:
            if path.is_file() and path.suffix in (".html", ".xlsx", ".pdf"):
                month = path.relative_to(root).parts[0]
                files.append({"month": month, "section": section, "path": path.relative_to(home).as_posix()})
    return sorted(files, key=lambda f: (f["month"], f["section"], f["path"]), reverse=True)


def resolve(home: Path, relative: str) -> Path | None:
    """The published file a relative path names, or None when it names anything outside the published folders
    (``..``, absolute paths, symlinks leading out) or nothing."""
    home = home.resolve()
    candidate = (home / relative).resolve()
    allowed = [home / s for s in SECTIONS]
    if not any(candidate.is_relative_to(root) for root in allowed) or not candidate.is_file():
        return None
    return candidate
