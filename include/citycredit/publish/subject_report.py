"""The subject's 公共信用信息报告 (平信用〔2021〕1号 item 9; docs/subject_report.md): one market subject's (or, when
allowed, one natural person's) public credit information as of a day, gathered from the warehouse's current record
versions as one JSON-ready document with a report number and a SHA-256 checksum over its content.

What is public on the day follows citycredit.publish.publication, as the provincial export does: 行政许可 and 行政处罚
in their publication windows, nothing a law does not allow as a credit record, and every 信用修复 in force applied
(withdrawn records are left out, masked ones show what the mask leaves, flagged ones carry the note). Credit-list
periods are shown current and past. 身份证 numbers are masked (core.privacy) in every value.

`find` resolves what a person typed (统一社会信用代码, 身份证 number or name) to one subject; `gather` builds the
document; `verify` rebuilds a document from the warehouse and says whether a stated checksum still holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa

from citycredit.core import checkdigits, city, config, datasets, privacy
from citycredit.publish import repairs
from citycredit.publish.export_format import load_exclusions, load_profile
from citycredit.publish.publication import current_versions_sql

FORMAT = "citycredit/subject-credit-report/1"  # bumped when the document's keys change: old PDFs then say so
NUMBER_PREFIX = "XYBG"  # 信用报告
NATURAL_PERSON = "自然人"
OPEN_END = "2099-12-31"  # 有效期至 of a license without end (fields.yaml open_end)

# The datasets a report shows records of, with the column naming the subject's 行政相对人类别 (or the like).
SOURCES = {
    "license": "xk_xdr_lb",
    "penalty": "cf_xdr_lb",
    "credit_list": "md_zt_lb",
    "credit_commitment": "cn_zt_lb",
    "joint_sanction": "jc_zt_lb",
}
# English key of the document -> canonical column, per section; the labels people read are those of fields.yaml.
LICENSE_FIELDS = {
    "document_no": "xk_wsh", "document_name": "xk_xkws", "category": "xk_xklb", "certificate": "xk_xkzs",
    "certificate_no": "xk_xkbh", "content": "xk_nr", "decided_on": "xk_jdrq", "valid_from": "xk_yxqz",
    "valid_until": "xk_yxqzi", "authority": "xk_xkjg", "source": "xk_lydw", "note": "bz",
}  # fmt: skip
PENALTY_FIELDS = {
    "document_no": "cf_wsh", "offence": "cf_wfxw", "facts": "cf_sy", "legal_basis": "cf_yj",
    "penalty_types": "cf_cflb", "content": "cf_nr", "fine": "cf_nr_fk", "confiscated": "cf_nr_wfff",
    "licence_action": "cf_nr_zkdx", "decided_on": "cf_jdrq", "published_until": "cf_gsjzq", "authority": "cf_cfjg",
    "source": "cf_sjly", "note": "bz",
}  # fmt: skip
CREDIT_LIST_FIELDS = {
    "list_type": "md_lx", "authority": "md_rdbm", "listed_on": "md_lrrq", "basis": "md_lryj", "removed_on": "md_ycrq",
    "removal_reason": "md_ycyy", "note": "bz",
}  # fmt: skip
COMMITMENT_FIELDS = {
    "commitment_no": "cn_wsh", "kind": "cn_lx", "matter": "cn_sx", "committed_on": "cn_rq", "accepted_by": "cn_slbm",
    "fulfilment": "cn_lyqk", "note": "bz",
}  # fmt: skip
JOINT_SANCTION_FIELDS = {
    "case_no": "jc_bh", "list_type": "jc_mdlx", "kind": "jc_jclx", "measure": "jc_cs", "basis": "jc_yj",
    "implemented_by": "jc_ssbm", "implemented_on": "jc_ssrq", "note": "bz",
}  # fmt: skip


class SubjectNotFound(LookupError):
    """No subject in the warehouse goes by what was typed."""


class AmbiguousSubject(LookupError):
    """A name several subjects go by; `candidates` are they."""

    def __init__(self, query: str, candidates: list[Subject]):
        super().__init__(query)
        self.query, self.candidates = query, candidates


@dataclass(frozen=True)
class Subject:
    """A subject as the warehouse knows it: by 统一社会信用代码, else (a natural person) by 证件号码."""

    code: str | None
    id_number: str | None  # the full number: never shown, only used to select the person's records
    name: str
    category: str | None  # 行政相对人类别 on the latest record: 法人及非法人组织 / 自然人 / 个体工商户
    kind: str | None  # 主体类型 in the register (有限责任公司 …)

    @property
    def natural_person(self) -> bool:
        return self.code is None or self.category == NATURAL_PERSON

    @property
    def identifier(self) -> str:
        return self.code or self.id_number or ""

    def shown(self) -> dict:
        """What identifies the subject to a reader: the 证件号码 masked."""
        return {"code": self.code, "id_number": privacy.mask_id(self.id_number), "name": self.name,
                "category": self.category, "type": self.kind}  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    """What `verify` found: whether the stated checksum holds, and which sections differ when it does not."""

    ok: bool
    checksum: str | None  # the checksum recomputed from the warehouse (None: the subject is gone)
    differing: list[str] = field(default_factory=list)  # section keys


def _appearances(match: str) -> str:
    """Every current record that names a subject as ``match`` asks: its code, 证件号码, name, category and register
    type. ``match`` is a condition on {code_is_q} (the record's code, the placeholder being none outside the
    register, is :q), {id_number} and {name}, written in each table's own columns: the indexes of
    sql/migrations/0026 then serve it, where a condition over the union's NULLIF reads every record."""
    parts = [
        "SELECT zt_shxym AS code, NULL::text AS id_number, zt_mc AS name, NULL::text AS category, zt_lx AS kind,"
        " true AS registered, reported_on FROM core.subject_registry"
        f" WHERE is_current AND {match.format(code_is_q='zt_shxym = :q', id_number='NULL', name='zt_mc')}"
    ]
    for name, category in SOURCES.items():
        ds = datasets.get(name)
        code_is_q = f"({ds.subject_code} = :q AND {ds.subject_code} <> :placeholder)"
        where = match.format(code_is_q=code_is_q, id_number=ds.id_number, name=ds.subject_name)
        parts.append(
            f"SELECT NULLIF({ds.subject_code}, :placeholder), {ds.id_number}, {ds.subject_name}, {category}, NULL,"
            f" false, reported_on FROM {ds.core_table} WHERE is_current AND {where}"
        )
    return " UNION ALL ".join(parts)


def _looks_like_code(text: str) -> bool:
    return len(text) == 18 and text.isascii() and text.isalnum()


def _subjects(conn: sa.Connection, match: str, params: dict) -> list[Subject]:
    # A long history's estimates for a name make a plan JIT compiles for longer than it runs (10M records, by
    # name: 0.10 s -> 0.013 s).
    conn.execute(sa.text("SET LOCAL jit = off"))
    rows = conn.execute(
        sa.text(f"SELECT * FROM ({_appearances(match)}) a ORDER BY registered DESC, reported_on DESC"),
        {**params, "placeholder": checkdigits.USCC_PLACEHOLDER},
    ).mappings()
    found: dict[tuple[str | None, str | None], dict] = {}
    for r in rows:  # the register's name first, else the latest record's; the latest category stated
        key = (r["code"], None) if r["code"] else (None, r["id_number"])
        if key == (None, None):
            continue  # a record that names its subject by name alone cannot be told apart from a namesake
        seen = found.setdefault(key, {"name": r["name"], "category": None, "kind": r["kind"]})
        seen["category"] = seen["category"] or r["category"]
    return sorted(
        (Subject(code, id_number, s["name"], s["category"], s["kind"]) for (code, id_number), s in found.items()),
        key=lambda s: (s.natural_person, s.name, s.identifier),
    )


def find(engine: sa.Engine, query: str) -> Subject:
    """The one subject `query` names: an 18-character 统一社会信用代码 or 证件号码, else a name (compared as
    quality.name_key does: case, blanks, brackets and dots ignored). SubjectNotFound, AmbiguousSubject."""
    text = query.strip()
    with engine.connect() as conn:
        if _looks_like_code(text):
            found = _subjects(conn, "({code_is_q} OR {id_number} = :q)", {"q": text.upper()})
        else:
            found = _subjects(conn, "quality.name_key({name}) = quality.name_key(:q)", {"q": text})
    if not found:
        raise SubjectNotFound(query)
    if len(found) > 1:
        raise AmbiguousSubject(query, found)
    return found[0]


def new_number(as_of: dt.date) -> str:
    """XYBG-<as-of yyyymmdd>-<8 hex>: the day in it, and random enough that two reports never share one."""
    return f"{NUMBER_PREFIX}-{as_of:%Y%m%d}-{secrets.token_hex(4)}"


def canonical(document: dict) -> bytes:
    """The document without its checksum as UTF-8 JSON with sorted keys and no blanks: what the checksum covers."""
    content = {k: v for k, v in document.items() if k != "checksum"}
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def checksum(document: dict) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(city.timezone()).isoformat(timespec="seconds")


def _masked(value):
    """Every string of a document with the numbers a person reads as 身份证 numbers masked."""
    if isinstance(value, str):
        return privacy.mask_ids_in_text(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _restrict(dataset: str, subject: Subject) -> str:
    ds = datasets.get(dataset)
    return f"c.{ds.subject_code if subject.code else ds.id_number} = %(subject)s"


def _repair(row) -> dict | None:
    if not row["shown_as"]:
        return None
    return {"effect": row["shown_as"], "completed_on": row["repaired_on"].isoformat()}


class _Gathering:
    """One report's reads, in one snapshot of the warehouse; `latest` collects the load times of what is shown."""

    def __init__(self, conn: sa.Connection, subject: Subject, as_of: dt.date, rules: repairs.RepairRules):
        self.conn, self.subject, self.as_of, self.rules = conn, subject, as_of, rules
        self.profile, self.exclusions = load_profile(), load_exclusions()
        self.latest: list[dt.datetime] = []

    def published(self, dataset: str) -> list[dict]:
        """The subject's current versions of a 双公示 or list dataset that no exclusion or repair withdraws, with
        whether each is in its publication window on the day."""
        query, params = current_versions_sql(
            self.profile.datasets[dataset], self.exclusions, self.rules, _restrict(dataset, self.subject)
        )
        rows = self.conn.exec_driver_sql(
            query, {**params, "as_of": self.as_of, "subject": self.subject.identifier}
        ).mappings()
        kept = []
        for r in rows:
            if r["repair_loaded_at"] is not None:  # a repair changed what is shown, withdrawn records included
                self.latest.append(r["repair_loaded_at"])
            if r["withheld"] is None:
                kept.append(dict(r))
        return kept

    def shown(self, rows: list[dict], fields: dict[str, str]) -> list[dict]:
        self.latest.extend(r["loaded_at"] for r in rows)
        return [{**{k: r[c] for k, c in fields.items()}, "repair": _repair(r)} for r in rows]

    def dated(self, dataset: str, fields: dict[str, str], date_column: str) -> list[dict]:
        """Current records of a dataset without a publication window, dated on or before the day."""
        dates = {f.name for f in config.fields(dataset) if f.type == "date"}
        columns = ", ".join(
            (f"to_char(c.{c}, 'YYYY-MM-DD')" if c in dates else f"c.{c}") + f" AS {k}" for k, c in fields.items()
        )
        rows = self.conn.exec_driver_sql(
            f"SELECT c.loaded_at, {columns} FROM core.{dataset} c WHERE c.is_current"
            f" AND {_restrict(dataset, self.subject)} AND c.{date_column} <= %(as_of)s"
            f" ORDER BY c.{date_column} DESC, c.record_id",
            {"as_of": self.as_of, "subject": self.subject.identifier},
        ).mappings()
        out = []
        for r in rows:
            self.latest.append(r["loaded_at"])
            out.append({k: r[k] for k in fields})
        return out

    def register(self) -> dict | None:
        if not self.subject.code:
            return None
        row = self.conn.execute(
            sa.text(
                "SELECT loaded_at, zt_mc, zt_lx, zt_djzt, to_char(zt_clrq, 'YYYY-MM-DD') AS founded_on,"
                " to_char(zt_zxrq, 'YYYY-MM-DD') AS closed_on, zt_djjg, zt_qhdm FROM core.subject_registry"
                " WHERE is_current AND zt_shxym = :code"
            ),
            {"code": self.subject.code},
        ).mappings().first()  # fmt: skip
        if row is None:
            return None
        self.latest.append(row["loaded_at"])
        return {"name": row["zt_mc"], "type": row["zt_lx"], "status": row["zt_djzt"], "founded_on": row["founded_on"],
                "closed_on": row["closed_on"], "authority": row["zt_djjg"], "region_code": row["zt_qhdm"]}  # fmt: skip

    def legal_representative(self) -> str | None:
        """法定代表人 as the latest 行政许可 or 行政处罚 decided by the day names it (the register has none)."""
        if not self.subject.code:
            return None
        return self.conn.execute(
            sa.text(
                "SELECT frdb FROM (SELECT xk_frdb AS frdb, xk_jdrq AS day, loaded_at FROM core.license"
                " WHERE is_current AND xk_xdr_shxym = :code UNION ALL SELECT cf_frdb, cf_jdrq, loaded_at"
                " FROM core.penalty WHERE is_current AND cf_xdr_shxym = :code) r"
                " WHERE NULLIF(trim(frdb), '') IS NOT NULL AND day <= :d ORDER BY day DESC, loaded_at DESC LIMIT 1"
            ),
            {"code": self.subject.code, "d": self.as_of},
        ).scalar()


def _credit_lists(rows: list[dict], kinds: dict[str, str], reasons: dict[str, str], as_of: dt.date) -> list[dict]:
    """Periods entered on or before the day; one that ended after it is shown as it stood then."""
    out = []
    for r in rows:
        if r["listed_on"] > as_of.isoformat():
            continue
        ended = r["removed_on"] is not None and r["removed_on"] <= as_of.isoformat()
        if not ended:
            r = {**r, "removed_on": None, "removal_reason": None}
        out.append({**r, "status": "removed" if ended else "listed", "list_class": kinds.get(r["list_type"]),
                    "removal_category": reasons.get(r["removal_reason"] or "")})  # fmt: skip
    out.sort(key=lambda r: r["listed_on"], reverse=True)
    return sorted(out, key=lambda r: r["status"] != "listed")  # stable: current periods first, latest first


def gather(
    engine: sa.Engine,
    subject: Subject,
    as_of: dt.date,
    number: str | None = None,
    issued_at: str | None = None,
    rules: repairs.RepairRules | None = None,
) -> dict:
    """The report's document, checksum included. `number` and `issued_at` are given when a report is rebuilt
    (verify); `rules`: the 信用修复 section of export.yaml, read when not given."""
    rules = rules or repairs.load_rules()
    with engine.connect() as conn, conn.begin():
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")  # every section from one snapshot
        g = _Gathering(conn, subject, as_of, rules)
        licenses = [r for r in g.published("license") if r["in_window"]]
        penalties = [r for r in g.published("penalty") if r["in_window"]]
        lists = g.shown(g.published("credit_list"), CREDIT_LIST_FIELDS)
        kinds: dict[str, str] = dict(
            conn.execute(sa.text("SELECT list_type, list_class FROM core.credit_list_kinds")).all()
        )
        reasons: dict[str, str] = dict(
            conn.execute(sa.text("SELECT removal_reason, category FROM core.credit_list_removal_reasons")).all()
        )
        commitments = g.dated("credit_commitment", COMMITMENT_FIELDS, "cn_rq")
        document = {
            "format": FORMAT,
            "report_no": number or new_number(as_of),
            "as_of": as_of.isoformat(),
            "issued_at": issued_at or _iso(dt.datetime.now(dt.UTC).replace(microsecond=0)),
            "issuer": _issuer(),
            "subject": {
                **subject.shown(),
                "legal_representative": g.legal_representative(),
                "registration": g.register(),
            },
            "licenses": _latest_first(g.shown(licenses, LICENSE_FIELDS)),
            "penalties": _latest_first(g.shown(penalties, PENALTY_FIELDS)),
            "credit_lists": _credit_lists(lists, kinds, reasons, as_of),
            "commitments": commitments,
            "joint_sanctions": g.dated("joint_sanction", JOINT_SANCTION_FIELDS, "jc_ssrq"),
        }
        document["data_as_of"] = _iso(max(g.latest, default=None))
    document = _masked(document)
    document["checksum"] = checksum(document)
    return document


def _latest_first(records: list[dict]) -> list[dict]:
    return sorted(records, key=lambda r: (r["decided_on"] or "", r["document_no"] or ""), reverse=True)


def _issuer() -> str:
    _, raw = city.registry_file(shared=True)
    name = (raw.get("city") or {}).get("name", "") if isinstance(raw, dict) else ""
    return f"{name}公共信用信息平台"


SECTIONS = ("subject", "licenses", "penalties", "credit_lists", "commitments", "joint_sanctions", "data_as_of")


def _rebuilt_subject(engine: sa.Engine, stated: dict) -> Subject | None:
    """The subject a document names: by its code; a natural person by name and the masked 证件号码 (the document
    holds no full number)."""
    try:
        if stated.get("code"):
            return find(engine, stated["code"])
        with engine.connect() as conn:
            namesakes = _subjects(conn, "quality.name_key({name}) = quality.name_key(:q)", {"q": stated["name"]})
    except (SubjectNotFound, AmbiguousSubject):
        return None
    same = [s for s in namesakes if s.code is None and privacy.mask_id(s.id_number) == stated.get("id_number")]
    return same[0] if len(same) == 1 else None


def verify(engine: sa.Engine, document: dict, rules: repairs.RepairRules | None = None) -> Verdict:
    """Rebuild `document` (same number, day, issue time and subject) from the warehouse and compare checksums."""
    subject = _rebuilt_subject(engine, document["subject"])
    if subject is None:
        return Verdict(False, None, ["subject"])
    as_of = dt.date.fromisoformat(document["as_of"])
    again = gather(engine, subject, as_of, document["report_no"], document["issued_at"], rules)
    differing = [s for s in SECTIONS if again.get(s) != document.get(s)]
    return Verdict(again["checksum"] == document.get("checksum"), again["checksum"], differing)
