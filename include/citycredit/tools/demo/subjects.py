"""Synthetic companies, 个体工商户 and people, with codes that pass their check digits, and the subject
columns of a record drawn from them (mistyped codes, wrong check digits and placeholders included)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from citycredit.core.identifiers import (
    ID_CHECK,
    USCC_ALPHABET,
    USCC_PLACEHOLDER,
    id_check_char,
    org_check_char,
    regno_check_char,
    uscc_check_char,
)
from citycredit.tools.demo.arrays import blank, quota
from citycredit.tools.demo.faults import (
    INVALID_ID_CHECK_RATE,
    PLACEHOLDER_RATE,
    PLACEHOLDER_WITHOUT_REGNO_RATE,
    WRONG_USCC_CHECK_RATE,
)
from citycredit.tools.demo.vocabulary import (
    BRANDS,
    BUSINESS,
    COMPANY_FORMS,
    DISTRICTS,
    GIVEN,
    INDUSTRIES,
    KIND_LABELS,
    LEGAL,
    PERSON,
    ROUND_FINES,
    SHOPS,
    SURNAMES,
)


def uscc_code(prefix: str, region: str, body8: str) -> str:
    head = prefix + region + body8 + org_check_char(body8)
    return head + uscc_check_char(head)


def _mistyped(code: str, position: int, shift: int) -> str:
    """One character replaced by another of the USCC alphabet: the check digit no longer matches."""
    value = (USCC_ALPHABET.index(code[position]) + shift) % len(USCC_ALPHABET)
    return code[:position] + USCC_ALPHABET[value] + code[position + 1 :]


@dataclass(frozen=True)
class People:
    names: np.ndarray
    ids: np.ndarray
    bad_ids: np.ndarray  # the same numbers with a wrong check digit


@dataclass(frozen=True)
class Organisations:
    names: np.ndarray
    uscc: np.ndarray
    bad_uscc: np.ndarray  # the same codes with one character mistyped
    regno: np.ndarray  # 工商注册号 (used by 个体工商户 reported under the placeholder)
    representative: np.ndarray  # index into the people pool


@dataclass(frozen=True)
class Pools:
    people: People
    companies: Organisations
    businesses: Organisations
    fines: np.ndarray  # 元
    gains: np.ndarray  # 元


def _people(rng: np.random.Generator, n: int) -> People:
    surname = rng.integers(0, len(SURNAMES), n)
    given = rng.integers(0, len(GIVEN), (n, 2))
    two = rng.random(n) < 0.7
    names = [
        SURNAMES[s] + GIVEN[g[0]] + (GIVEN[g[1]] if t else "") for s, g, t in zip(surname, given, two, strict=False)
    ]
    region = rng.integers(1, len(DISTRICTS), n)
    born = (np.datetime64("1955-01-01") + rng.integers(0, 49 * 365, n)).astype(object)
    sequence = np.arange(n) % 999 + 1  # with the random birth date, numbers stay distinct
    ids, bad = [], []
    for r, b, s, shift in zip(region, born, sequence, rng.integers(1, 11, n), strict=False):
        body = f"{DISTRICTS[r][0]}{b:%Y%m%d}{s:03d}"
        check = id_check_char(body)
        ids.append(body + check)
        bad.append(body + ID_CHECK[(ID_CHECK.index(check) + shift) % 11])
    return People(np.array(names, dtype=object), np.array(ids, dtype=object), np.array(bad, dtype=object))


def _bodies(rng: np.random.Generator, n: int) -> list[str]:
    """组织机构代码 bodies: old all-digit ones and post-2015 'MA' ones with letters."""
    letters = np.array(list(USCC_ALPHABET))
    new = rng.random(n) < 0.6
    tails = letters[rng.integers(0, len(letters), (n, 5))]
    digits = rng.integers(0, 10, (n, 8)).astype(str)
    return [
        ("MA" + str(d[0]) + "".join(t)) if is_new else (str(3 + int(d[0]) % 5) + "".join(d[1:]))
        for is_new, t, d in zip(new, tails, digits, strict=False)
    ]


def company_names(rng: np.random.Generator, region: np.ndarray, city: str) -> list[str]:
    brand = rng.integers(0, len(BRANDS), (len(region), 2))
    industry = rng.integers(0, len(INDUSTRIES), len(region))
    form = rng.integers(0, len(COMPANY_FORMS), len(region))
    return [
        (city if r < 5 else DISTRICTS[r][1]) + BRANDS[b[0]] + BRANDS[b[1]] + INDUSTRIES[i] + COMPANY_FORMS[f]
        for r, b, i, f in zip(region, brand, industry, form, strict=False)
    ]


def _business_names(rng: np.random.Generator, region: np.ndarray, city: str) -> list[str]:
    """个体工商户: district, then 2 characters or 'X记', then the kind of shop."""
    brand = rng.integers(0, len(BRANDS), (len(region), 2))
    surname = rng.integers(0, len(SURNAMES), len(region))
    shop = rng.integers(0, len(SHOPS), len(region))
    return [
        (DISTRICTS[r][1] or "新华区")
        + (SURNAMES[s] + "记" if b[0] % 3 == 0 else BRANDS[b[0]] + BRANDS[b[1]])
        + SHOPS[k]
        for r, s, b, k in zip(region, surname, brand, shop, strict=False)
    ]


def organisations(
    rng: np.random.Generator, n: int, prefix: str, namer: Callable[..., list[str]], city: str, people: int
) -> Organisations:
    region = rng.integers(0, len(DISTRICTS), n)
    names = np.empty(n, dtype=object)
    todo = np.arange(n)
    while len(todo):  # one name per code: redraw the repeats
        names[todo] = namer(rng, region[todo], city)
        repeated = np.ones(n, dtype=bool)
        repeated[np.unique(names, return_index=True)[1]] = False
        todo = np.flatnonzero(repeated)
    codes = [uscc_code(prefix, DISTRICTS[r][0], body) for r, body in zip(region, _bodies(rng, n), strict=False)]
    bad = [
        _mistyped(c, int(p), int(s))
        for c, p, s in zip(codes, rng.integers(8, 18, n), rng.integers(1, 31, n), strict=False)
    ]
    serial = [f"{DISTRICTS[r][0]}6{s:07d}" for r, s in zip(region, rng.permutation(n) + 1, strict=False)]
    return Organisations(
        names,
        np.array(codes, dtype=object),
        np.array(bad, dtype=object),
        np.array([s + regno_check_char(s) for s in serial], dtype=object),
        rng.integers(0, people, n),
    )


def subject_pools(rng: np.random.Generator, rows: int, city: str) -> Pools:
    companies = min(max(rows // 6, 300), 6_000)
    people = _people(rng, 3 * companies)
    fines = np.sort(np.where(rng.random(400) < 0.7, rng.choice(ROUND_FINES, 400), rng.integers(4, 3000, 400) * 50))
    return Pools(
        people=people,
        companies=organisations(rng, companies, "91", company_names, city, len(people.ids)),
        businesses=organisations(rng, companies // 2, "92", _business_names, city, len(people.ids)),
        fines=fines,
        gains=rng.integers(2, 2000, 200) * 100,
    )


def subject_columns(
    prefix: str, kinds: np.ndarray, pools: Pools, rng: np.random.Generator, placeholder_codes: bool = True
) -> dict[str, np.ndarray]:
    """Subject columns, with mistyped USCCs and wrong 身份证 check digits, and (the 双公示 templates, which have a
    工商注册号 column for it) placeholder codes."""
    n = len(kinds)
    out = {k: blank(n) for k in ("xdr_mc", "xdr_shxym", "xdr_gszc", "frdb", "fr_zjlx", "fr_zjhm", "xdr_zjlx",
                                 "xdr_zjhm")}  # fmt: skip
    out["xdr_lb"] = KIND_LABELS[kinds]
    people = pools.people
    placeholder = quota(rng, kinds == BUSINESS, PLACEHOLDER_RATE) if placeholder_codes else np.zeros(n, dtype=bool)
    no_regno = quota(rng, placeholder, PLACEHOLDER_WITHOUT_REGNO_RATE)
    mistyped = quota(rng, (kinds != PERSON) & ~placeholder, WRONG_USCC_CHECK_RATE)
    for kind, orgs in ((LEGAL, pools.companies), (BUSINESS, pools.businesses)):
        rows = kinds == kind
        pick = rng.integers(0, len(orgs.names), int(rows.sum()))
        out["xdr_mc"][rows] = orgs.names[pick]
        out["xdr_shxym"][rows] = np.where(mistyped[rows], orgs.bad_uscc[pick], orgs.uscc[pick])
        out["xdr_gszc"][rows] = np.where(placeholder[rows] & ~no_regno[rows], orgs.regno[pick], "")
        out["frdb"][rows] = people.names[orgs.representative[pick]]
        out["fr_zjlx"][rows] = "身份证"
        out["fr_zjhm"][rows] = people.ids[orgs.representative[pick]]
    out["xdr_shxym"][placeholder] = USCC_PLACEHOLDER
    rows = kinds == PERSON
    pick = rng.integers(0, len(people.names), int(rows.sum()))
    wrong = quota(rng, rows, INVALID_ID_CHECK_RATE)[rows]
    out["xdr_mc"][rows] = people.names[pick]
    out["xdr_zjlx"][rows] = "身份证"
    out["xdr_zjhm"][rows] = np.where(wrong, people.bad_ids[pick], people.ids[pick])
    return {f"{prefix}_{k}": v for k, v in out.items()}
