"""The 反馈表's configuration: include/config/feedback_form.yaml (the current version and what versions share) and
include/config/feedback_forms/<version>.yaml (a version: its document, items, deadline), checked when first read;
and the footnote naming where each indicator's definition comes from."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from citycredit.core import city, config, paths
from citycredit.core.months import add_months, month_start
from citycredit.indicators import definitions

FORM_FILE = "feedback_form.yaml"
VERSIONS = "feedback_forms"
DIGITS = dict(zip("一二三四五六七八九", range(1, 10), strict=True))
NUMERAL = "[一二三四五六七八九十]+"
NO_SOURCE = "无文件出处：本系统口径，待市信用中心确认"
WORKING_DEFINITION = "（计算细则为本系统拟定，待市信用中心确认）"


def numeral(text: str) -> int:
    """一 … 九十九 as a number; ValueError for anything else."""
    tens, ten, ones = text.partition("十")
    if not ten:
        tens, ones = "", text
    if (tens and tens not in DIGITS) or (ones and ones not in DIGITS) or (not ten and not ones):
        raise ValueError(text)
    return (DIGITS[tens] if tens else 1 if ten else 0) * 10 + (DIGITS[ones] if ones else 0)


def numbers(text: str) -> list[int]:
    """The numbers an item covers: 三 → [3], 二十七至三十 → [27, 28, 29, 30]."""
    first, _, last = str(text).partition("至")
    a, b = numeral(first), numeral(last or first)
    if b < a:
        raise ValueError(text)
    return list(range(a, b + 1))


def _text(raw: dict, key: str, where: str) -> str:
    value = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(value, str | int) or not str(value).strip():
        raise config.ConfigError(f"{where}.{key}: missing")
    return str(value).strip()


def _mapping(raw: object, where: str) -> dict:
    if not isinstance(raw, dict):
        raise config.ConfigError(f"{where}: expected a mapping")
    return raw


def _items(raw: dict, name: str, known: dict, texts: dict) -> list[dict]:
    items: list[dict] = []
    seen: dict[int, str] = {}
    groups = raw.get("groups")
    if not isinstance(groups, list) or not groups:
        raise config.ConfigError(f"{name}: groups: expected a list of groups")
    for g, group in enumerate(groups):
        heading = _text(group, "name", f"{name}: groups[{g}]")
        for i, item in enumerate(group.get("items") or []):
            where = f"{name}: groups[{g}].items[{i}]"
            number, label = _text(item, "number", where), _text(item, "name", where)
            try:
                covered = numbers(number)
            except ValueError:
                raise config.ConfigError(f"{where}.number: {number!r} is not a Chinese numeral or range") from None
            for n in covered:
                if n in seen:
                    raise config.ConfigError(f"{where}.number: {number} repeats {seen[n]}")
                seen[n] = f"groups[{g}].items[{i}].number"
            indicators = item.get("indicators") or []
            if not isinstance(indicators, list):
                raise config.ConfigError(f"{where}.indicators: expected a list")
            for ind in indicators:
                if ind not in known:
                    raise config.ConfigError(f"{where}.indicators: unknown indicator {ind!r} (not in indicators.yaml)")
                if not texts.get(ind):
                    raise config.ConfigError(f"{FORM_FILE}: explanations.{ind}: missing ({where} lists it)")
            items.append({"number": number, "name": label, "group": heading, "indicators": list(indicators)})
    count = raw["indicator_system"].get("items")
    if not isinstance(count, int) or sorted(seen) != list(range(1, count + 1)):
        missing = sorted(set(range(1, count + 1)) - set(seen)) if isinstance(count, int) else []
        raise config.ConfigError(
            f"{name}: indicator_system.items: {count!r} items, the items cover {len(seen)}"
            + (f" (missing numbers {missing})" if missing else "")
        )
    return items


def _deadline(raw: dict, name: str) -> dict:
    spec = _mapping(_mapping(raw.get("period"), f"{name}: period").get("deadline"), f"{name}: period.deadline")
    where = f"{name}: period.deadline"
    try:
        after, day = int(spec.get("months_after", 1)), int(spec["day"])
        hour, minute = (int(x) for x in str(spec["time"]).split(":"))
        time(hour, minute)
    except (KeyError, TypeError, ValueError):
        raise config.ConfigError(f"{where}: expected {{months_after, day, time: 'HH:MM'}}, got {spec!r}") from None
    if not 1 <= day <= 28 or after < 0:
        raise config.ConfigError(f"{where}.day: {day} (1 to 28, a day every month has)")
    return {"months_after": after, "day": day, "hour": hour, "minute": minute}


def load(directory: Path | None = None) -> dict:
    """The current version, checked, with what versions share: title, document, indicator_system, deadline,
    wording, scope, items [{number, name, group, indicators}], explanations, number_formats, documents."""
    directory = directory or paths.CONFIG_DIR
    shared = _mapping(config.load_yaml(FORM_FILE, directory), FORM_FILE)
    version = _text(shared, "current", FORM_FILE)
    name = f"{VERSIONS}/{version}.yaml"
    try:
        raw = _mapping(config.load_yaml(f"{version}.yaml", directory / VERSIONS), name)
    except config.ConfigError as exc:
        raise config.ConfigError(f"{FORM_FILE}: current: version {version!r} has no file {name} ({exc})") from None
    known = definitions.definitions()
    texts = _mapping(shared.get("explanations") or {}, f"{FORM_FILE}: explanations")
    for ind, text in texts.items():
        if ind not in known:
            raise config.ConfigError(f"{FORM_FILE}: explanations: unknown indicator {ind!r}")
        try:
            str(text).format(**known[ind].params)
        except (KeyError, IndexError, ValueError) as exc:
            raise config.ConfigError(f"{FORM_FILE}: explanations.{ind}: not a text of its params: {exc}") from None
    document = _mapping(raw.get("document"), f"{name}: document")
    system = _mapping(raw.get("indicator_system"), f"{name}: indicator_system")
    scope = _mapping(raw.get("scope"), f"{name}: scope")
    return {
        "version": version,
        "title": _text(raw, "title", name),
        "document": {k: _text(document, k, f"{name}: document") for k in ("number", "attachment", "name")},
        "indicator_system": {k: _text(system, k, f"{name}: indicator_system") for k in ("name", "numbered_by")},
        "deadline": _deadline(raw, name),
        "wording": _text(raw["period"], "wording", f"{name}: period"),
        "scope": {k: _text(scope, k, f"{name}: scope") for k in ("city", "department")},
        "items": _items(raw, name, known, texts),
        "explanations": texts,
        "number_formats": dict(shared.get("number_formats") or {}),
        "documents": {str(k): str(v) for k, v in (shared.get("documents") or {}).items()},
    }


@functools.cache
def form() -> dict[str, Any]:
    return load()


def period(month: str | date) -> tuple[date, date, datetime]:
    """The month's first and last day and the instant its form is due (the city's time zone)."""
    first = month_start(month)
    spec = form()["deadline"]
    due = add_months(first, spec["months_after"]).replace(day=spec["day"])
    moment = datetime.combine(due, time(spec["hour"], spec["minute"]), city.timezone())
    return first, add_months(first, 1) - timedelta(days=1), moment


def explanation(indicator: str) -> str | None:
    """The indicator's 口径说明 as the form states it, its params filled in (None: the form states none)."""
    text = form()["explanations"].get(indicator)
    return None if text is None else str(text).format(**definitions.definition(indicator).params)


def citation(indicator: str) -> str:
    """Where the indicator's definition comes from, as a clerk reads it: "济信用办〔2020〕14号 第三项", from the
    ``source:`` text of indicators.yaml (its short document names mapped to 文号 by feedback_form.yaml)."""
    source = definitions.definition(indicator).source
    documents = form()["documents"]
    names = "|".join(re.escape(k) for k in sorted({*documents, *documents.values()}, key=len, reverse=True))
    cited: list[str] = []
    for match in re.finditer(rf"({names})(?:\s*(?:items?\s+|第)({NUMERAL}(?:至{NUMERAL})?))?", source):
        doc = documents.get(match.group(1), match.group(1))
        text = f"{doc} 第{match.group(2)}项" if match.group(2) else doc
        if text not in cited and not (not match.group(2) and any(c.startswith(doc) for c in cited)):
            cited.append(text)
    if not cited:
        return NO_SOURCE
    return "、".join(cited) + (WORKING_DEFINITION if "[U]" in source else "")
