"""Charts of the quality report as inline SVG (matplotlib, no external file, no CDN).

Text stays text in the SVG (``svg.fonttype: none``), so the browser draws the Chinese labels with its own CJK
fonts and the page prints sharply. Built on ``matplotlib.figure.Figure`` (no pyplot state), safe in any worker.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import warnings
from datetime import date
from decimal import Decimal

HEADROOM = 1.12  # above the highest tick, so a point at 100 % and its label stay inside the chart
TICK_SIZE, TITLE_SIZE = 9, 11  # points: about 12 and 15 px where a chart is drawn at its own size
FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", "sans-serif"]
_XML_HEADER = re.compile(r"^.*?(?=<svg)", re.DOTALL)


@contextlib.contextmanager
def _style():
    """Text kept as text, CJK fonts first (for measuring; a machine without them only warns, the browser draws)."""
    import matplotlib

    font_log = logging.getLogger("matplotlib.font_manager")  # it names every listed font a machine lacks
    level = font_log.level
    font_log.setLevel(logging.ERROR)
    try:
        with (
            matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "citycredit", "font.family": FONTS}),
            warnings.catch_warnings(),
        ):
            warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
            yield
    finally:
        font_log.setLevel(level)


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return _XML_HEADER.sub("", buffer.getvalue(), count=1)


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=96)
    fig.set_layout_engine("constrained")
    return fig


def trend(title: str, points: list[tuple[date, Decimal | None]], percent: bool, gid: str) -> str:
    """A line over the months (broken where a month has no value, every value marked, the latest labelled); the
    line is the SVG group ``gid``. Rates start at 0 % and stop at 100 %, counts start at 0 with whole ticks."""
    with _style():
        return _trend(title, points, percent, gid)


def _trend(title: str, points: list[tuple[date, Decimal | None]], percent: bool, gid: str) -> str:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig = _figure(3.8, 2.6)
    ax = fig.add_subplot()
    scale = 100 if percent else 1
    values = [None if v is None else float(v) * scale for _, v in points]
    xs = list(range(len(points)))
    (line,) = ax.plot(xs, [float("nan") if v is None else v for v in values], marker="o", markersize=4, color="#1f5f99")
    line.set_gid(gid)
    ax.set_title(title, fontsize=TITLE_SIZE)
    tilted = len(xs) > 4  # more month labels than fit side by side
    labels = [f"{m:%Y-%m}" for m, _ in points]
    ax.set_xticks(xs, labels, rotation=45 if tilted else 0, ha="right" if tilted else "center", rotation_mode="anchor")
    ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.tick_params(labelsize=TICK_SIZE)
    highest = max((v for v in values if v is not None), default=0.0)
    top = highest * 1.2 if highest > 0 else (10.0 if percent else 1.0)
    top = min(top, 100.0) if percent and highest <= 100 else top
    ax.set_ylim(0, top * HEADROOM)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10], integer=not percent, min_n_ticks=2))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: tick_text(v, percent)))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    last = next(((x, v) for x, v in reversed(list(zip(xs, values, strict=True))) if v is not None), None)
    if last is not None:
        text = f"{last[1]:.1f}%" if percent else f"{last[1]:,.0f}"
        ax.annotate(text, last, textcoords="offset points", xytext=(0, 6), ha="center", fontsize=TICK_SIZE)
    else:
        ax.text(
            0.5, 0.5, "暂无数据", transform=ax.transAxes, ha="center", va="center", color="#888", fontsize=TICK_SIZE
        )
    return _svg(fig)


def tick_text(value: float, percent: bool) -> str:
    """A tick's label: as few decimals as the step needs; a tick the locator puts a hair below 0 reads 0, never -0."""
    value = round(value, 6) + 0.0  # -0.0 + 0.0 is 0.0
    return f"{value:.4g}%" if percent else f"{value:,.0f}"


def department_bars(names: list[str], accuracy: list[Decimal | None], late: list[Decimal | None]) -> str:
    """Accuracy and late rate per department, side by side (percent)."""
    with _style():
        return _department_bars(names, accuracy, late)


def _department_bars(names: list[str], accuracy: list[Decimal | None], late: list[Decimal | None]) -> str:
    fig = _figure(7.5, 0.45 * max(len(names), 2) + 0.9)
    ax = fig.add_subplot()
    ys = list(range(len(names)))
    pct = [[0.0 if v is None else float(v) * 100 for v in series] for series in (accuracy, late)]
    ax.barh([y - 0.2 for y in ys], pct[0], height=0.4, color="#2e7d32", label="准确率")
    ax.barh([y + 0.2 for y in ys], pct[1], height=0.4, color="#c62828", label="迟报率")
    ax.set_yticks(ys, names, fontsize=TICK_SIZE)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
    ax.tick_params(axis="x", labelsize=TICK_SIZE)
    ax.legend(fontsize=TICK_SIZE, loc="lower right")
    ax.set_title("各部门双公示准确率与迟报率", fontsize=TITLE_SIZE)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _svg(fig)
