"""信用修复 in the provincial export (export.yaml `credit_repair`, docs/domain.md §1.9): which current records a
granted repair names as of a day, and what it does to them there — withdrawn, sent masked, or sent flagged.

One SQL definition of "a repair in force names this record" (`_in_force_sql`, `_names_sql`) serves what is
published (publication: the export's candidates and the subject report) and the count of repairs that name no record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from citycredit.core import checkdigits, config

log = logging.getLogger(__name__)

EFFECTS = ("withdraw", "mask", "flag")  # strongest first: a record several repairs name takes the first
REASON = "已信用修复，终止公示"
NONE_SQL = (
    "SELECT NULL::bigint AS record_id, NULL::text AS effect, NULL::date AS repaired_on,"
    " NULL::timestamptz AS loaded_at WHERE false"
)


@dataclass(frozen=True)
class Target:
    """How a repair names a record of one dataset, and the columns its effects touch."""

    dataset: str
    document: str  # the column 被修复信息文书号 is matched on
    contains: bool  # the column contains the 文书号 (else equals it)
    subject_code: str
    id_number: str | None
    mask: tuple[str, ...]
    flag: str | None


@dataclass(frozen=True)
class RepairRules:
    completed: tuple[str, ...]  # 办理结果 spellings of a granted repair, whitespace removed
    kinds: dict[str, tuple[str, str]]  # 修复信息类别 spelling, whitespace removed -> (dataset, effect)
    targets: dict[str, Target]
    mask_text: str
    flag_text: str

    def kinds_of(self, dataset: str) -> tuple[list[str], list[str]]:
        pairs = [(k, e) for k, (d, e) in self.kinds.items() if d == dataset]
        return [k for k, _ in pairs], [e for _, e in pairs]


def _squeeze(value: object) -> str:
    return "".join(str(value).split())


def _target(dataset: str, raw: dict, where: str) -> Target:
    known = set(config.field_names(dataset))
    subject = raw.get("subject") or {}
    target = Target(
        dataset=dataset,
        document=str(raw.get("document")),
        contains=raw.get("match", "equals") == "contains",
        subject_code=str(subject.get("code")),
        id_number=subject.get("id_number"),
        mask=tuple(raw.get("mask", ())),
        flag=raw.get("flag"),
    )
    if raw.get("match", "equals") not in ("equals", "contains"):
        raise config.ConfigError(f"{where}.match: expected equals or contains")
    for name in (target.document, target.subject_code, target.id_number, target.flag, *target.mask):
        if name is not None and name not in known:
            raise config.ConfigError(f"{where}: {name!r} is not a column of {dataset} in fields.yaml")
    return target


def load_rules(directory: Path | None = None) -> RepairRules:
    """The `credit_repair` section of export.yaml, checked: every effect names what it needs."""
    where = "export.yaml: credit_repair"
    raw = config.load_yaml("export.yaml", directory)
    section = raw.get("credit_repair") if isinstance(raw, dict) else None
    if not isinstance(section, dict):
        raise config.ConfigError(f"{where}: missing")
    targets = {
        str(d): _target(str(d), spec or {}, f"{where}.datasets.{d}") for d, spec in section.get("datasets", {}).items()
    }
    kinds: dict[str, tuple[str, str]] = {}
    for name, spec in (section.get("categories") or {}).items():
        at = f"{where}.categories.{name}"
        dataset, effect = str((spec or {}).get("dataset")), (spec or {}).get("effect")
        if dataset not in targets:
            raise config.ConfigError(f"{at}.dataset: {dataset!r} is not under credit_repair.datasets")
        if effect not in EFFECTS:
            raise config.ConfigError(f"{at}.effect: expected one of {list(EFFECTS)}")
        if (effect == "mask" and not targets[dataset].mask) or (effect == "flag" and not targets[dataset].flag):
            raise config.ConfigError(f"{at}: effect {effect} needs datasets.{dataset}.{effect}")
        for spelling in (name, *spec.get("spellings", ())):
            kinds[_squeeze(spelling)] = (dataset, str(effect))
    completed = tuple(_squeeze(v) for v in section.get("completed", ()) if _squeeze(v))
    if not completed:
        raise config.ConfigError(f"{where}.completed: no spellings")
    flag_text = str(section.get("flag_text", "已信用修复（{date}）"))
    return RepairRules(completed, kinds, targets, str(section.get("mask_text", "已屏蔽")), flag_text)


def _doc_key(expr: str) -> str:
    """A 文书号 without whitespace, its brackets in one spelling."""
    return rf"translate(regexp_replace({expr}, '\s', '', 'g'), '[]［］【】()（）', '〔〕〔〕〔〕〔〕〔〕')"


def _in_force_sql(dataset: str) -> str:
    """Granted repairs of a category naming `dataset`, concluded on or before %(as_of)s, with their effect."""
    return rf"""
        SELECT r.xf_bh, r.xf_xxbh, r.xf_shxym, r.xf_zjhm, r.xf_bjrq, r.loaded_at, k.effect
        FROM core.credit_repair r
        JOIN unnest(%(rp_kinds_{dataset})s::text[], %(rp_effects_{dataset})s::text[]) AS k(kind, effect)
          ON regexp_replace(r.xf_xxlx, '\s', '', 'g') = k.kind
        WHERE r.is_current AND r.xf_bjrq <= %(as_of)s
          AND regexp_replace(r.xf_jg, '\s', '', 'g') = ANY(%(rp_completed)s::text[])
    """


def _names_sql(t: Target) -> str:
    """Whether repair x names record c: the 文书号, and the subject's 统一社会信用代码 or 证件号码."""
    doc, key = _doc_key(f"c.{t.document}"), _doc_key("x.xf_xxbh")
    same_doc = f"strpos({doc}, {key}) > 0" if t.contains else f"{doc} = {key}"
    subject = [f"(x.xf_shxym <> %(rp_placeholder)s AND x.xf_shxym = c.{t.subject_code})"]
    if t.id_number:
        subject.append(f"x.xf_zjhm = c.{t.id_number}")
    return f"{key} <> '' AND {same_doc} AND ({' OR '.join(subject)})"


def _params(rules: RepairRules) -> dict:
    params: dict = {"rp_completed": list(rules.completed), "rp_placeholder": checkdigits.USCC_PLACEHOLDER}
    for dataset in rules.targets:
        params[f"rp_kinds_{dataset}"], params[f"rp_effects_{dataset}"] = rules.kinds_of(dataset)
    return params


def effects_sql(rules: RepairRules, dataset: str, restrict: str = "true") -> tuple[str, dict]:
    """SQL of (record_id, effect, repaired_on, loaded_at) for the current records `c` of `dataset` a repair in force
    names on %(as_of)s (only those meeting `restrict`, a condition on `c`), and its parameters (those of column_sql
    and REASON as rp_reason too); a record several repairs name takes the strongest effect, then the earliest
    办结日期. loaded_at is when that repair was loaded."""
    t = rules.targets.get(dataset)
    params = {**_params(rules), "rp_order": list(EFFECTS), "rp_mask_text": rules.mask_text}
    params.update(rp_flag_text=rules.flag_text, rp_reason=REASON)
    if t is None or not rules.kinds_of(dataset)[0]:
        return NONE_SQL, params
    query = f"""
        SELECT DISTINCT ON (c.record_id) c.record_id, x.effect, x.xf_bjrq AS repaired_on, x.loaded_at
        FROM core.{dataset} c JOIN ({_in_force_sql(dataset)}) x ON {_names_sql(t)}
        WHERE c.is_current AND ({restrict})
        ORDER BY c.record_id, array_position(%(rp_order)s::text[], x.effect), x.xf_bjrq
    """
    return query, params


def column_sql(rules: RepairRules, dataset: str, name: str, expr: str, text: bool) -> str:
    """A column's SQL (`expr`, text) with the effect of repair `r` applied: masked, or flagged with the date."""
    t = rules.targets.get(dataset)
    if t is None:
        return expr
    if name in t.mask:
        expr = f"CASE WHEN r.effect = 'mask' THEN {'%(rp_mask_text)s' if text else 'NULL'} ELSE {expr} END"
    if name == t.flag:
        note = "replace(%(rp_flag_text)s, '{date}', to_char(r.repaired_on, 'YYYY-MM-DD'))"
        expr = f"CASE WHEN r.effect = 'flag' THEN concat_ws('；', NULLIF({expr}, ''), {note}) ELSE {expr} END"
    return expr


def unmatched(conn: sa.Connection, rules: RepairRules, as_of) -> list[str]:
    """The 修复申请编号 of repairs in force on `as_of`, of a category naming a dataset, that name no current record."""
    parts = [
        f"SELECT x.xf_bh FROM ({_in_force_sql(d)}) x"
        f" WHERE NOT EXISTS (SELECT 1 FROM core.{d} c WHERE c.is_current AND {_names_sql(t)})"
        for d, t in rules.targets.items()
        if rules.kinds_of(d)[0]
    ]
    if not parts:
        return []
    query = " UNION ALL ".join(parts) + " ORDER BY 1"
    found = [r[0] for r in conn.exec_driver_sql(query, {**_params(rules), "as_of": as_of}).all()]
    if found:
        shown = "、".join(str(b) for b in found[:20]) + (" …" if len(found) > 20 else "")
        log.warning("credit repair: %s granted repairs name no record (修复申请编号 %s)", len(found), shown)
    return found
