"""The monthly quality report: one self-contained HTML file (inline CSS and SVG, no script, no CDN) that opens
offline and prints on A4. jinja2 autoescapes every value, so a department's text shows as text."""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path

from markupsafe import Markup

from citycredit.publish import charts, indicator_form, monthly

TEMPLATES = Path(__file__).parent / "templates"


def figure(value, kind: str = "rate") -> str:
    if value is None:
        return "-"
    if kind == "rate":
        return f"{Decimal(value) * 100:.1f}%"
    return count(value)


def count(value) -> str:
    if value is None:
        return "-"
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def _in_month(text: str, month) -> str:
    """A name or 口径说明 with its 本月 named (the report leaves no month to guess)."""
    return text.replace("本月", f"{month:%Y年%m月}")


@functools.cache
def environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.filters["figure"] = figure
    env.filters["count"] = count
    env.filters["local"] = monthly.local_time
    env.globals["explain"] = indicator_form.explanation
    env.globals["links_of"] = lambda links, key: links.get(key) or {}
    return env


def render(report: monthly.MonthReport, links: dict, indicators: list[dict] | None = None) -> str:
    """The report's HTML. links: form (the city's 反馈表), datadocs (or None), feedback and forms {department id:
    href} (the feedback workbook, the department's own 反馈表); indicators: every indicator with its city and
    department values, 口径说明 and 定义来源 (indicator_form.indicator_table), for the appendix."""
    names = {h["id"]: h["name"] for h in report.headline}
    kinds = dict(monthly.HEADLINE)
    trend_charts = [
        Markup(charts.trend(names[ind], points, kinds[ind] == "rate", f"trend-{ind}"))
        for ind, points in report.trend.items()
        if ind in names
    ]
    shown = next(iter(report.trend.values()), [(report.month, None)])
    span = [f"{shown[0][0]:%Y年%m月}", f"{shown[-1][0]:%Y年%m月}"]
    depts = report.departments
    department_chart = Markup(
        charts.department_bars([d["name"] for d in depts], [d["accuracy"] for d in depts], [d["late"] for d in depts])
    )
    return (
        environment()
        .get_template("quality_report.html")
        .render(
            r=report,
            links=links,
            charts=trend_charts,
            department_chart=department_chart,
            trend_months=monthly.TREND_MONTHS,
            trend_span=span[0] if span[0] == span[1] else "至".join(span),
            month=f"{report.month:%Y年%m月}",
            indicators=[
                {**i, "name": _in_month(i["name"], report.month), "source": _in_month(i["source"], report.month)}
                for i in indicators or []
            ],
        )
    )
