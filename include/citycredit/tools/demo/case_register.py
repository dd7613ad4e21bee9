"""The register of the cases the city reports itself on the monitoring platform (平信用办〔2020〕2号 二.2), kept by
市发改委 (信用办) from what the member departments send it: each case in the first weekly file after it happened."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from citycredit.feeds.registry import Feed
from citycredit.feeds.registry import load as load_registry
from citycredit.tools.demo.arrays import blank, quota, take
from citycredit.tools.demo.faults import LOCAL_CODE_RATE, with_faults
from citycredit.tools.demo.schedule import delivered_at, month_bounds, workdays
from citycredit.tools.demo.styles import Style
from citycredit.tools.demo.subjects import Pools, subject_columns
from citycredit.tools.demo.vocabulary import PREFIXES, SUBJECT_SHARES
from citycredit.tools.demo.writers import DeliveredFile, feed_folder, write_delivery

# 案例类别 (code_tables.yaml), its share, whether it names a subject, the title and the summary ({s}: the subject,
# {d}: the department, {e}: another department).
CATEGORIES = (
    ("行业信用监管领域", 0.10, False, "{d}开展行业信用分级分类监管",
     "{d}制定本行业信用分级分类监管办法，按信用等级确定抽查比例和频次。"),
    ("地方红黑名单", 0.10, False, "{d}发布“红黑榜”",
     "{d}通过门户网站和信用平顶山网站发布本行业守信红名单和失信黑名单。"),
    ("联合惩戒案例", 0.25, True, "{s}被{d}、{e}联合惩戒",
     "{s}被列入严重失信主体名单后，{d}、{e}依据联合惩戒备忘录在行政审批、招标投标中对其依法予以限制。"),
    ("信用修复培训案例", 0.15, True, "{s}参加信用修复专题培训",
     "{s}主动参加{d}组织的信用修复专题培训并提交信用报告，申请信用修复。"),
    ("注销吊销退出黑名单案例", 0.10, True, "{s}注销后移出严重违法失信名单",
     "{s}依法办理注销登记，{d}将其移出严重违法失信名单。"),
    ("主动信用承诺案例", 0.20, True, "{s}在信用中国（河南平顶山）网站作出信用承诺",
     "{s}在信用中国（河南平顶山）网站主动作出信用承诺，承诺依法诚信经营并接受社会监督。"),
    ("主动修正退出黑名单案例", 0.10, True, "{s}限期整改后移出经营异常名录",
     "{s}在规定期限内补报年度报告并公示，{d}将其移出经营异常名录。"),
)  # fmt: skip
LOCAL_CATEGORY = "典型案例"  # a clerk's word, not one of the seven kinds: validation names it
PER_RECORDS = 20  # one case a month per this many records of a 双公示 feed
SITE = "http://www.xypds.gov.cn/staticPage/"  # 信用平顶山 (平信用办〔2020〕2号)


def case_register_files(
    inbox: Path, feed: Feed, style: Style, days: list[dt.date], pools: Pools, records: int, rng, tz, month: str
) -> list[DeliveredFile]:
    """Weekly files of the month's cases (发生日期 in the month), each in the first file after it happened.
    Faults: those of every feed, and a 案例类别 in the clerk's own words (LOCAL_CODE_RATE)."""
    if not days:
        return []
    start, end = month_bounds(month)
    n = max(records // PER_RECORDS, 20)
    happened = np.sort(rng.choice(workdays(start, end - dt.timedelta(days=1)), n))
    weights = np.array([c[1] for c in CATEGORIES])
    category = np.concatenate([np.arange(len(CATEGORIES)), rng.choice(len(CATEGORIES), n - len(CATEGORIES),
                                                                      p=weights / weights.sum())])  # fmt: skip
    rng.shuffle(category)
    named = np.array([CATEGORIES[c][2] for c in category.tolist()])
    subjects = subject_columns(PREFIXES["case_register"], rng.choice(3, n, p=SUBJECT_SHARES["case_register"]), pools,
                               rng, placeholder_codes=False)  # fmt: skip
    departments = [d for d in load_registry().departments if d.id != feed.department_id]
    unit, other = rng.integers(0, len(departments), n), rng.integers(1, len(departments), n)
    cases = {f"al_{k}": blank(n) for k in ("mc", "zt_mc", "shxym", "zjhm", "zy")}
    for k in range(n):
        kind = CATEGORIES[category[k]]
        words = {"s": subjects["al_xdr_mc"][k], "d": departments[unit[k]].name,
                 "e": departments[(unit[k] + other[k]) % len(departments)].name}  # fmt: skip
        cases["al_mc"][k], cases["al_zy"][k] = kind[3].format(**words), kind[4].format(**words)
        if named[k]:
            for field, column in (("zt_mc", "xdr_mc"), ("shxym", "xdr_shxym"), ("zjhm", "xdr_zjhm")):
                cases[f"al_{field}"][k] = subjects[f"al_{column}"][k]
    local = quota(rng, np.ones(n, dtype=bool), LOCAL_CODE_RATE)
    cases |= {
        "al_bh": np.array([f"ALBS-{d:%Y%m}-{k:03d}" for k, d in enumerate(happened.tolist(), start=1)], dtype=object),
        "al_lb": np.where(local, LOCAL_CATEGORY, [CATEGORIES[c][0] for c in category.tolist()]).astype(object),
        "al_bsdw": np.array([departments[u].name for u in unit.tolist()], dtype=object),
        "al_bsdwdm": np.array([departments[u].uscc for u in unit.tolist()], dtype=object),
        "al_fsrq": np.array(happened, dtype="datetime64[D]"),
        "al_lj": np.array([f"{SITE}{rng.bytes(16).hex()}.html" for _ in range(n)], dtype=object),
    }
    delivery = np.array(days, dtype="datetime64[D]")
    reported = np.searchsorted(delivery, cases["al_fsrq"], side="right")
    folder = feed_folder(inbox, feed)
    delivered = []
    for k, day in enumerate(days):
        rows = np.flatnonzero(reported == k)
        if not len(rows):
            continue
        part = with_faults("case_register", take(cases, rows), len(rows), rng)
        delivered.append(write_delivery(folder, feed, style, part, delivered_at(day, rng, tz), k + 1, rng))
    return delivered
