"""The 联合奖惩 measures table (include/config/sanction_measures.yaml): what applies to a subject on a credit list.

Each list class of credit_lists.yaml (严重失信, 重点关注, 红名单) has a heading (惩戒措施, 监管措施, 激励措施) and its
measures; a 名单类型 may add measures of its own, shown after its class's. The file is read afresh at every call
(``config.load_yaml`` parses it once per version of the file), so an edit counts from the next check on, also in a
process that keeps running. A mistake is a `config.ConfigError` naming the file and the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from citycredit.core import config
from citycredit.load import creditlists

CONFIG_FILE = "sanction_measures.yaml"
NOT_A_LIST = "不归集"  # the class of credit_lists.yaml for kinds that are no credit list


@dataclass(frozen=True)
class Measure:
    text: str
    source: str | None  # the document and item it rests on; None where the seeds give none


@dataclass(frozen=True)
class MeasureGroup:
    """Measures under one title: a class's (``惩戒措施（严重失信）``) or a kind's own (``惩戒措施（失信被执行人）``)."""

    heading: str
    scope: str  # the class or the 名单类型 the measures belong to
    measures: tuple[Measure, ...]

    @property
    def title(self) -> str:
        return f"{self.heading}（{self.scope}）"

    def lines(self) -> list[str]:
        """``1. 措施（依据：…）``, one line a measure."""
        return [f"{i}. {m.text}" + (f"（依据：{m.source}）" if m.source else "")
                for i, m in enumerate(self.measures, start=1)]  # fmt: skip


@dataclass(frozen=True)
class MeasuresTable:
    headings: dict[str, str]  # class → heading
    by_class: dict[str, tuple[Measure, ...]]
    by_kind: dict[str, tuple[Measure, ...]]

    def groups(self, list_class: str | None, list_type: str) -> tuple[MeasureGroup, ...]:
        """The measures of a listing: its class's, then its kind's own; none for a kind credit_lists.yaml does not
        sort into a class."""
        if list_class not in self.by_class:
            return ()
        heading = self.headings[list_class]
        out = [MeasureGroup(heading, list_class, self.by_class[list_class])]
        if list_type in self.by_kind:
            out.append(MeasureGroup(heading, list_type, self.by_kind[list_type]))
        return tuple(out)


def _only(mapping: dict, keys: tuple[str, ...], where: str) -> None:
    unknown = [str(k) for k in mapping if k not in keys]
    if unknown:
        raise config.ConfigError(f"{where}: 不认识的键 {'、'.join(unknown)}（只有 {' 和 '.join(keys)}）")


def _text(value: object, where: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise config.ConfigError(f"{where}: 缺少{what}")
    return value.strip()


def _measures(raw: object, where: str) -> tuple[Measure, ...]:
    if not isinstance(raw, list) or not raw:
        raise config.ConfigError(f"{where}: 应为措施列表（每项有 text，可有 source），不能为空")
    out = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise config.ConfigError(f"{at}: 应为一项措施（text: 措施内容，source: 依据）")
        _only(item, ("text", "source"), at)
        source = item.get("source")
        out.append(Measure(_text(item.get("text"), f"{at}.text", "措施内容"),
                           None if source is None else _text(source, f"{at}.source", "依据")))  # fmt: skip
    return tuple(out)


def load(directory: Path | None = None) -> MeasuresTable:
    """sanction_measures.yaml (in ``directory``, default include/config), checked against credit_lists.yaml."""
    raw = config.load_yaml(CONFIG_FILE, directory)
    if not isinstance(raw, dict):
        raise config.ConfigError(f"{CONFIG_FILE}: 应为包含 classes 和 kinds 的映射")
    _only(raw, ("classes", "kinds"), CONFIG_FILE)
    known = creditlists.classes()
    list_classes = [c for c in dict.fromkeys(known.list_class.values()) if c != NOT_A_LIST]
    classes = raw.get("classes")
    if not isinstance(classes, dict):
        raise config.ConfigError(f"{CONFIG_FILE}: classes: 缺少各名单类别的措施（{'、'.join(list_classes)}）")
    headings, by_class = {}, {}
    for name, spec in classes.items():
        where = f"{CONFIG_FILE}: classes.{name}"
        if name not in list_classes:
            raise config.ConfigError(
                f"{where}: 不是 {creditlists.CLASSES_FILE} 中的名单类别（应为 {'、'.join(list_classes)}）"
            )
        if not isinstance(spec, dict):
            raise config.ConfigError(f"{where}: 应有 heading（措施名称）和 measures（措施列表）")
        _only(spec, ("heading", "measures"), where)
        headings[name] = _text(spec.get("heading"), f"{where}.heading", "措施名称（如 惩戒措施、激励措施）")
        by_class[name] = _measures(spec.get("measures"), f"{where}.measures")
    missing = [c for c in list_classes if c not in by_class]
    if missing:
        raise config.ConfigError(f"{CONFIG_FILE}: classes: 缺少 {'、'.join(missing)} 的措施"
                                 f"（{creditlists.CLASSES_FILE} 的每个名单类别都要有）")  # fmt: skip
    kinds = raw.get("kinds") or {}
    if not isinstance(kinds, dict):
        raise config.ConfigError(f"{CONFIG_FILE}: kinds: 应为 名单类型 → 措施列表 的映射")
    by_kind = {}
    for kind, measures in kinds.items():
        where = f"{CONFIG_FILE}: kinds.{kind}"
        if known.list_class.get(str(kind), NOT_A_LIST) == NOT_A_LIST:
            raise config.ConfigError(f"{where}: 不是 {creditlists.CLASSES_FILE} 中某个名单类别下的名单类型")
        by_kind[str(kind)] = _measures(measures, where)
    return MeasuresTable(headings, by_class, by_kind)
