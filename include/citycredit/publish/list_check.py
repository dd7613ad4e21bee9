"""联合奖惩 核查: is each of these subjects on a credit list on a given day, since when, by whose decision, and which
measures apply (docs/list_check.md).

A subject is asked by 统一社会信用代码 (or a natural person's 身份证号码) and/or by name. The code decides when there is
one: it is checked first (check digits, core.checkdigits) and an invalid one is answered as such, in Chinese,
without touching the warehouse's answer for the name. A name alone is resolved to the subjects it may mean: the
codes the credit lists (any period) and the market-subject register hold under that name, compared as
``quality.name_key`` folds names. Several codes: the name is ambiguous and the answer lists the candidates; one
code: that subject, with any list entry of the same name that has no code; none: the entries of that name without
a code.

A listing counts on day d when its period's current version (core.credit_list ``is_current``, sql/migrations/0002)
has 列入日期 ≤ d and no 移出日期 or one after d, and no granted 信用修复 in force on d withdraws it (export.yaml
`credit_repair`, applied as citycredit.publish.repairs applies it to the export and the subject report: 移出名单
from the 办结日期, and, as there, never named: a repair ends the sharing of what it withdraws). Its class
(严重失信 / 重点关注 / 红名单) is that of include/config/credit_lists.yaml as this process read it (what the loader
writes into core.credit_list_kinds); kinds of class 不归集 are no credit list and never answered. Measures come
from sanction_measures.yaml.

Every subject asked gets an answer: 在列, 无记录, 名称不唯一 or 代码无效, never an empty row. The whole list is
answered by one SQL statement, however many subjects it holds. A natural person's entries are named only by the
masked 身份证 number, and never with their name or 列入依据 (which may name them).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from citycredit.core import checkdigits, collector, privacy
from citycredit.load import creditlists
from citycredit.publish import repairs, sanction_measures
from citycredit.publish.list_check_subjects import Subject, problems
from citycredit.publish.sanction_measures import MeasureGroup, MeasuresTable

__all__ = ["AMBIGUOUS", "INVALID", "LISTED", "NOT_LISTED", "Answer", "Report", "Subject", "check"]

LISTED, NOT_LISTED, AMBIGUOUS, INVALID = "listed", "not_listed", "ambiguous_name", "invalid_code"
RESULT_NAMES = {LISTED: "在列", NOT_LISTED: "无记录", AMBIGUOUS: "名称不唯一", INVALID: "代码无效"}
CLASS_ORDER = ("严重失信", "重点关注", "红名单")
NATURAL_PERSON = "自然人"  # 主体类别 of a natural person's entry
NOTHING_ASKED = "没有给出代码或名称"
DATASET = "credit_list"


@dataclass(frozen=True, slots=True)
class Party:
    """A subject as an answer names it: an organisation by name and 统一社会信用代码, a natural person only by the
    masked 身份证 number."""

    code: str | None
    name: str | None
    natural_person: bool = False

    @property
    def label(self) -> str:
        if self.natural_person:
            return f"自然人 {self.code or '（无证件号码）'}"
        return f"{self.name or '（无名称）'}（{self.code or '无代码'}）"

    def as_json(self) -> dict:
        return {"code": self.code, "name": self.name, "natural_person": self.natural_person}


@dataclass(frozen=True, slots=True)
class Listing:
    """One listing period in force on the day asked."""

    record_id: int  # the current version in core.credit_list: where the answer traces back to
    list_type: str  # 名单类型
    list_class: str | None  # 严重失信 / 重点关注 / 红名单; None for a kind credit_lists.yaml does not sort
    listed_on: dt.date
    authority: str  # 认定部门
    authority_code: str | None
    basis: str | None  # 列入依据; None for a natural person
    party: Party
    measures: tuple[MeasureGroup, ...]

    @property
    def kind_label(self) -> str:
        if self.list_class == self.list_type:  # 红名单 is its own class: say it once
            return self.list_type
        return f"{self.list_type}（{self.list_class or '未归类'}）"

    def as_json(self) -> dict:
        return {
            "record_id": self.record_id, "list_type": self.list_type, "list_class": self.list_class,
            "listed_on": self.listed_on.isoformat(), "authority": self.authority,
            "authority_code": self.authority_code, "basis": self.basis, "subject": self.party.as_json(),
            "measures": [{"heading": g.heading, "scope": g.scope, "text": m.text, "source": m.source}
                         for g in self.measures for m in g.measures],
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Candidate:
    """A subject an ambiguous name may mean, with the lists it is on that day."""

    party: Party
    lists: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.party.label}，{'在列：' + '、'.join(self.lists) if self.lists else '无记录'}"


@dataclass(frozen=True, slots=True)
class Answer:
    position: int  # 1-based, in the order asked
    asked: Subject
    result: str  # LISTED / NOT_LISTED / AMBIGUOUS / INVALID
    as_of: dt.date
    reason: str | None = None  # why a code is invalid
    listings: tuple[Listing, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    party: Party | None = None  # the subject the answer is about, when the warehouse names one

    @property
    def result_name(self) -> str:
        return RESULT_NAMES[self.result]

    @property
    def message(self) -> str:
        """The answer in a sentence, in Chinese."""
        if self.result == INVALID:
            return f"{self.reason}" + ("；可去掉代码按名称核查" if self.asked.name else "")
        if self.result == AMBIGUOUS:
            return (f"名称对应{len(self.candidates)}个主体，请按统一社会信用代码核查："
                    + "；".join(c.label for c in self.candidates))  # fmt: skip
        if self.result == NOT_LISTED:
            about = f"{self.party.label}" if self.party else ""
            return f"{about}截至{self.as_of.isoformat()}不在严重失信、重点关注、红名单等信用名单中"
        parties = list(dict.fromkeys(listing.party.label for listing in self.listings))
        unsorted = [x.list_type for x in self.listings if x.list_class is None]
        note = f"；{'、'.join(unsorted)}未在 credit_lists.yaml 中归类，无适用措施" if unsorted else ""
        return f"列入主体：{'、'.join(parties)}{note}"

    def measure_groups(self) -> list[MeasureGroup]:
        """The measures of all its listings, each group once, in the order of the listings."""
        return list(dict.fromkeys(g for listing in self.listings for g in listing.measures))

    def as_json(self) -> dict:
        return {
            "position": self.position,
            "query": {"code": self.asked.shown_code, "name": self.asked.name},
            "result": self.result,
            "result_zh": self.result_name,
            "as_of": self.as_of.isoformat(),
            "message": self.message,
            "subject": self.party.as_json() if self.party else None,
            "listings": [x.as_json() for x in self.listings],
            "candidates": [{**c.party.as_json(), "lists": list(c.lists)} for c in self.candidates],
        }


@dataclass(frozen=True)
class Report:
    as_of: dt.date
    lists_reported_through: dt.date | None  # the latest reporting day of a loaded credit-list batch
    answers: list[Answer] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {r: sum(a.result == r for a in self.answers) for r in RESULT_NAMES}

    def as_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "lists_reported_through": self.lists_reported_through and self.lists_reported_through.isoformat(),
            "counts": self.counts(),
            "results": [a.as_json() for a in self.answers],
        }


def measures_by_position(answers: Sequence[Answer]) -> list[tuple[MeasureGroup, list[int]]]:
    """Each group of measures once, with the 序号 (positions) of the answers it applies to, in order."""
    groups: dict[MeasureGroup, list[int]] = {}
    for a in answers:
        for g in a.measure_groups():
            groups.setdefault(g, []).append(a.position)
    return list(groups.items())


# One statement for the whole list, reading only the rows of the subjects asked (the indexes of
# sql/migrations/0026): `asked`, each subject by its ordinal among those asked (`pos`); `keys`, the names asked
# without a code as quality.name_key folds them; `names`: for each, the identities (统一社会信用代码, else 证件号码)
# that carry it in the lists (any period) or in the register; `periods`: the current listing periods of a credit
# list of an identity asked or named, or under a name asked (a period's name key only where it has no identity: the
# one match that needs it); `matched`: the periods of each subject asked, a code matching either of a period's two
# (`period_codes`, one join). `repaired`: the repairs in force on the day (repairs.effects_sql), joined to the
# periods they withdraw or mask. Rows: 'listing' (a matched period in force on %(as_of)s that no repair withdraws),
# 'candidate' (an identity a name may mean, with a name to show), one 'meta' row (the latest reporting day of a
# loaded credit-list batch). Lookups by a list of values are written `= ANY(ARRAY(...))`: an index condition, where
# `IN (subquery)` under an OR is a filter over every row.
QUERY = """
WITH repaired AS ({repaired}), asked AS (
    SELECT a.pos, a.code, CASE WHEN a.code IS NULL THEN quality.name_key(a.name) END AS name_key
    FROM unnest(CAST(%(code)s AS text[]), CAST(%(name)s AS text[])) WITH ORDINALITY AS a(code, name, pos)
), keys AS MATERIALIZED (
    SELECT DISTINCT name_key FROM asked WHERE name_key IS NOT NULL
), kinds AS (
    SELECT * FROM unnest(CAST(%(kinds)s AS text[]), CAST(%(classes)s AS text[])) AS k(list_type, list_class)
), register AS (
    SELECT r.subject_key AS identity, r.zt_mc AS subject_name, quality.name_key(r.zt_mc) AS name_key
    FROM core.subject_registry r
    WHERE r.is_current AND quality.name_key(r.zt_mc) = ANY(ARRAY(SELECT name_key FROM keys))
      AND r.subject_key = r.zt_shxym AND r.zt_shxym <> %(placeholder)s
), listed_names AS (
    SELECT quality.name_key(c.md_zt_mc) AS name_key,
           COALESCE(NULLIF(c.md_shxym, %(placeholder)s), c.md_zjhm) AS identity
    FROM core.credit_list c LEFT JOIN kinds k ON k.list_type = c.md_lx
    WHERE c.is_current AND quality.name_key(c.md_zt_mc) = ANY(ARRAY(SELECT name_key FROM keys))
      AND k.list_class IS DISTINCT FROM %(not_a_list)s
), names AS (
    SELECT DISTINCT a.pos, s.identity
    FROM asked a
    JOIN (SELECT name_key, identity FROM listed_names WHERE identity IS NOT NULL
          UNION SELECT name_key, identity FROM register) s ON s.name_key = a.name_key
), wanted AS MATERIALIZED (
    SELECT code AS identity FROM asked WHERE code IS NOT NULL UNION SELECT identity FROM names
), periods AS MATERIALIZED (
    SELECT c.record_id, c.md_lx AS list_type, k.list_class, c.md_rdbm AS authority, c.md_rdbmdm AS authority_code,
           c.md_lrrq AS listed_on, c.md_ycrq AS removed_on, {basis} AS basis, c.md_zt_mc AS subject_name,
           COALESCE(r.effect = 'withdraw', false) AS withdrawn, NULLIF(c.md_shxym, %(placeholder)s) AS uscc,
           c.md_zjhm AS id_number,
           COALESCE(NULLIF(c.md_shxym, %(placeholder)s), c.md_zjhm) AS identity,
           COALESCE(c.md_zt_lb = %(person)s, false)
               OR (NULLIF(c.md_shxym, %(placeholder)s) IS NULL AND c.md_zjhm IS NOT NULL) AS person,
           CASE WHEN COALESCE(NULLIF(c.md_shxym, %(placeholder)s), c.md_zjhm) IS NULL
                THEN quality.name_key(c.md_zt_mc) END AS name_key
    FROM core.credit_list c LEFT JOIN kinds k ON k.list_type = c.md_lx
    LEFT JOIN repaired r ON r.record_id = c.record_id
    WHERE c.is_current AND k.list_class IS DISTINCT FROM %(not_a_list)s
      AND (c.md_shxym = ANY(ARRAY(SELECT identity FROM wanted)) OR c.md_zjhm = ANY(ARRAY(SELECT identity FROM wanted))
           OR quality.name_key(c.md_zt_mc) = ANY(ARRAY(SELECT name_key FROM keys)))
), period_codes AS (
    SELECT record_id, uscc AS code FROM periods WHERE uscc IS NOT NULL
    UNION ALL SELECT record_id, id_number FROM periods WHERE id_number IS NOT NULL
), matched AS (
    SELECT a.pos, p.record_id FROM asked a JOIN period_codes p ON p.code = a.code
    UNION SELECT n.pos, p.record_id FROM names n JOIN periods p ON p.identity = n.identity
    UNION SELECT a.pos, p.record_id FROM asked a JOIN periods p ON p.identity IS NULL AND p.name_key = a.name_key
), shown_names AS (
    SELECT DISTINCT ON (identity) identity, subject_name, person FROM periods
    WHERE identity IS NOT NULL ORDER BY identity, listed_on DESC, record_id DESC
)
SELECT 'listing' AS row_kind, m.pos, p.identity, p.record_id, p.list_type, p.list_class, p.authority,
       p.authority_code, p.listed_on, p.basis, p.subject_name, p.uscc, p.id_number, p.person
FROM matched m JOIN periods p USING (record_id)
WHERE p.listed_on <= %(as_of)s AND (p.removed_on IS NULL OR p.removed_on > %(as_of)s) AND NOT p.withdrawn
UNION ALL
SELECT 'candidate', n.pos, n.identity, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       COALESCE(r.subject_name, s.subject_name), CASE WHEN NOT COALESCE(s.person, false) THEN n.identity END,
       CASE WHEN s.person THEN n.identity END, COALESCE(s.person, false)
FROM names n
LEFT JOIN (SELECT DISTINCT ON (identity) identity, subject_name FROM register ORDER BY identity, subject_name) r
       ON r.identity = n.identity
LEFT JOIN shown_names s ON s.identity = n.identity
UNION ALL
SELECT 'meta', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       (SELECT max(b.reported_on) FROM landing.batches b WHERE b.dataset = 'credit_list' AND b.status = 'loaded'),
       NULL, NULL, NULL, NULL, NULL
"""


def _party(row) -> Party:
    if row["person"]:
        return Party(privacy.mask_id(row["id_number"]), None, natural_person=True)
    return Party(row["uscc"], row["subject_name"])


Groups = Callable[[str | None, str], tuple[MeasureGroup, ...]]  # MeasuresTable.groups, cached for one 核查


def _listing(row, groups: Groups) -> Listing:
    list_class, list_type = row["list_class"], row["list_type"]
    return Listing(
        row["record_id"], list_type, list_class, row["listed_on"], row["authority"], row["authority_code"],
        basis=None if row["person"] else row["basis"],
        party=_party(row),
        measures=groups(list_class, list_type),
    )  # fmt: skip


def _order(listing: Listing) -> tuple:
    rank = CLASS_ORDER.index(listing.list_class) if listing.list_class in CLASS_ORDER else len(CLASS_ORDER)
    return rank, listing.listed_on, listing.list_type, listing.authority, listing.record_id


def check(
    engine: sa.Engine,
    subjects: Sequence[Subject],
    as_of: dt.date,
    measures: MeasuresTable | None = None,
    rules: repairs.RepairRules | None = None,
) -> Report:
    """Answer every subject for the day `as_of` (see the module's docstring); one SQL statement for them all."""
    measures = measures or sanction_measures.load()
    rules = rules or repairs.load_rules()
    with collector.paused():  # thousands of rows and answers, none of them in a cycle
        wrong = problems([s.code for s in subjects if s.code])
        faults = [wrong[s.code] if s.code else None if s.name else NOTHING_ASKED for s in subjects]
        asked = [(i, s) for i, (s, p) in enumerate(zip(subjects, faults, strict=True)) if not p]
        listings, candidates, reported_through = _found(engine, asked, as_of, rules)
        groups = functools.cache(measures.groups)  # a few kinds among thousands of listings
        return Report(as_of, reported_through, [
            _answer(i, s, p, as_of, listings.get(i, ()), candidates.get(i, ()), groups)
            for i, (s, p) in enumerate(zip(subjects, faults, strict=True))
        ])  # fmt: skip


def _found(
    engine: sa.Engine, asked: list[tuple[int, Subject]], as_of: dt.date, rules: repairs.RepairRules
) -> tuple[dict[int, list], dict[int, list], dt.date | None]:
    """The statement's rows for the subjects asked (by position): their listings, their candidates; and the latest
    reporting day of a loaded credit-list batch."""
    repaired, repair_params = repairs.effects_sql(rules, DATASET)
    basis = repairs.column_sql(rules, DATASET, "md_lryj", "c.md_lryj", True)
    kinds = creditlists.classes().list_class
    with engine.connect() as conn:
        # The estimates over the arrays asked are far too large at scale, and JIT compilation then costs more than
        # the statement (10M history records: 2.5 s of 2.7 s) and saves nothing.
        conn.execute(sa.text("SET LOCAL jit = off"))
        rows = conn.exec_driver_sql(
            QUERY.replace("{repaired}", repaired).replace("{basis}", basis),
            {
                **repair_params,
                "code": [s.code for _, s in asked],
                "name": [s.name for _, s in asked],
                "kinds": list(kinds),
                "classes": list(kinds.values()),
                "as_of": as_of,
                "placeholder": checkdigits.USCC_PLACEHOLDER,
                "person": NATURAL_PERSON,
                "not_a_list": sanction_measures.NOT_A_LIST,
            },
        ).mappings()
        listings: dict[int, list] = {}
        candidates: dict[int, list] = {}
        reported_through = None
        for row in rows:
            if row["row_kind"] == "meta":
                reported_through = row["listed_on"]
            else:  # pos: the ordinal of the subject among those asked
                found = listings if row["row_kind"] == "listing" else candidates
                found.setdefault(asked[row["pos"] - 1][0], []).append(row)
    return listings, candidates, reported_through


def _answer(
    i: int, subject: Subject, problem: str | None, as_of: dt.date, rows: Sequence, named: Sequence, groups: Groups
) -> Answer:
    position = i + 1
    if problem:
        return Answer(position, subject, INVALID, as_of, reason=problem)
    if not rows and not named:  # most of a long list: nothing to build
        return Answer(position, subject, NOT_LISTED, as_of)
    found = tuple(sorted((_listing(r, groups) for r in rows), key=_order))
    if len(named) > 1:
        on_lists: dict[str, list[str]] = {r["identity"]: [] for r in named}
        for r in sorted(rows, key=lambda r: (r["listed_on"], r["list_type"])):
            if r["identity"] in on_lists:
                on_lists[r["identity"]].append(r["list_type"])
        options = [Candidate(_party(r), tuple(dict.fromkeys(on_lists[r["identity"]]))) for r in named]
        options.sort(key=lambda c: (not c.lists, c.party.code or ""))
        return Answer(position, subject, AMBIGUOUS, as_of, candidates=tuple(options))
    party = _party(named[0]) if named else (found[0].party if found else None)
    return Answer(position, subject, LISTED if found else NOT_LISTED, as_of, listings=found, party=party)
