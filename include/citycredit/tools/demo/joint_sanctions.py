"""联合奖惩 cases a member department reports to 市发改委 (济信用办〔2020〕14号 item 二十六): a month's cases by
the 25th of the month after, and each case again, with its 反馈日期, once 市发改委 has fed it back to the national
联合奖惩系统 (due by the 30th of that month)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from citycredit.core.months import add_months
from citycredit.feeds.registry import Feed
from citycredit.tools.demo.arrays import concat, quota, take
from citycredit.tools.demo.faults import LOCAL_CODE_RATE, with_faults
from citycredit.tools.demo.schedule import delivered_at, month_bounds, workdays
from citycredit.tools.demo.styles import Style
from citycredit.tools.demo.subjects import Pools, subject_columns
from citycredit.tools.demo.vocabulary import PREFIXES, SUBJECT_SHARES
from citycredit.tools.demo.writers import DeliveredFile, feed_folder, write_delivery

# 奖惩类型, 主体所在名单, 措施, 依据 (the national 联合奖惩 memoranda), and how often.
MEASURES = (
    ("惩戒", "失信被执行人", "限制担任企业法定代表人、董事、监事、高级管理人员",
     "关于对失信被执行人实施联合惩戒的合作备忘录（发改财金〔2016〕141号）", 0.30),
    ("惩戒", "严重违法失信名单", "在政府采购、招标投标、行政审批中依法予以限制",
     "关于对严重违法失信企业实施联合惩戒的备忘录", 0.25),
    ("惩戒", "重大税收违法失信主体", "限制取得政府供应土地，从严审核行政许可",
     "关于对重大税收违法案件当事人实施联合惩戒措施的合作备忘录", 0.10),
    ("惩戒", "经营异常名录", "列为重点监管对象，提高抽查比例和频次", "企业经营异常名录管理暂行办法", 0.10),
    ("激励", "纳税信用A级纳税人", "行政审批“绿色通道”，容缺受理",
     "关于对纳税信用A级纳税人实施联合激励措施的合作备忘录（发改财金〔2016〕1467号）", 0.20),
    ("激励", "红名单", "优先办理、简化程序", "守信联合激励和失信联合惩戒制度（国发〔2016〕33号）", 0.05),
)  # fmt: skip
LOCAL_KINDS = {"惩戒": "惩戒类", "激励": "奖励性措施"}  # not in the code table: validation names them
PER_RECORDS = 20  # one case a month per this many records of a 双公示 feed
ON_TIME_REPORTS = 0.85  # of the month before's cases: reported by the 25th
FEEDBACK = (0.80, 0.12)  # fed back by the 30th, fed back later; the rest not at all
REPORT_DAY, FEEDBACK_DAY = 25, 30


def _due(implemented: dt.date, day: int) -> dt.date:
    """The day of the month after the case's month (its last day when shorter)."""
    following = add_months(implemented.replace(day=1), 1)
    return min(following.replace(day=1) + dt.timedelta(days=day - 1), add_months(following, 1) - dt.timedelta(days=1))


def _cases(feed: Feed, month: str, n: int, pools: Pools, rng) -> dict[str, np.ndarray]:
    """n cases implemented from the first day of the month before to the month's end."""
    start, end = month_bounds(month)
    implemented = np.sort(rng.choice(workdays(add_months(start, -1), end - dt.timedelta(days=1)), n))
    _, weights = zip(*((m[:4], m[4]) for m in MEASURES), strict=True)
    measure = rng.choice(len(MEASURES), n, p=np.array(weights) / sum(weights))
    table = [np.array([m[k] for m in MEASURES], dtype=object)[measure] for k in range(4)]
    subjects = subject_columns(PREFIXES["joint_sanction"], rng.choice(3, n, p=SUBJECT_SHARES["joint_sanction"]),
                               pools, rng, placeholder_codes=False)  # fmt: skip
    local = quota(rng, np.ones(n, dtype=bool), LOCAL_CODE_RATE)
    days = np.array(implemented, dtype="datetime64[D]")
    prefix = f"{feed.department_id.upper()}-LHJC"
    numbers = [f"{prefix}-{d:%Y%m}-{k:03d}" for k, d in enumerate(implemented.tolist(), start=1)]
    return {
        "jc_bh": np.array(numbers, dtype=object),
        "jc_zt_mc": subjects["jc_xdr_mc"],
        "jc_zt_lb": subjects["jc_xdr_lb"],
        "jc_shxym": subjects["jc_xdr_shxym"],
        "jc_zjhm": subjects["jc_xdr_zjhm"],
        "jc_mdlx": table[1],
        "jc_mdwh": np.array(
            [
                f"平信用认〔{d.year}〕{k}号"
                for k, d in zip(rng.integers(1, 300, n).tolist(), implemented.tolist(), strict=True)
            ],
            dtype=object,
        ),
        "jc_jclx": np.array([LOCAL_KINDS[t] if x else t for t, x in zip(table[0], local, strict=True)], dtype=object),
        "jc_cs": table[2],
        "jc_yj": table[3],
        "jc_ssbm": np.full(n, feed.department_name, dtype=object),
        "jc_ssbmdm": np.full(n, feed.department_uscc, dtype=object),
        "jc_ssrq": days,
        "jc_fkrq": np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
    }


def joint_sanction_files(
    inbox: Path, feed: Feed, style: Style, days: list[dt.date], pools: Pools, records: int, rng, tz, month: str
) -> list[DeliveredFile]:
    """Weekly files: the cases of the month before (most by the 25th, some later) and those of the month, each in
    the first file after it was implemented; then each case fed back, with its 反馈日期, in the first file after that.
    Faults: those of every feed, and 奖惩类型 in the clerk's words (LOCAL_CODE_RATE)."""
    if not days:
        return []
    n = max(records // PER_RECORDS, 12)
    cases = _cases(feed, month, n, pools, rng)
    start = np.datetime64(month_bounds(month)[0], "D")
    delivery = np.array(days, dtype="datetime64[D]")
    implemented = cases["jc_ssrq"]
    by_25th = np.flatnonzero(delivery <= start + (REPORT_DAY - 1))
    late = np.flatnonzero(delivery > start + (REPORT_DAY - 1))
    earlier = implemented < start
    on_time = ~quota(rng, earlier, 1 - ON_TIME_REPORTS)
    reported = np.searchsorted(delivery, implemented, side="right")  # the first file after the case
    pick_early = rng.choice(by_25th, n) if len(by_25th) else reported
    pick_late = rng.choice(late, n) if len(late) else pick_early
    reported = np.where(earlier, np.where(on_time | (len(late) == 0), pick_early, pick_late), reported)
    # 反馈日期: 市发改委 feeds a case back after it was reported, mostly by the 30th of the month after 实施.
    due = np.array([_due(d, FEEDBACK_DAY) for d in implemented.astype(object).tolist()], dtype="datetime64[D]")
    reported_day = delivery[np.minimum(reported, len(delivery) - 1)]
    fate = rng.random(n)
    room = np.maximum((due - reported_day).astype(int), 1)
    fed_back = np.where(fate < FEEDBACK[0], reported_day + 1 + rng.integers(0, room), due + rng.integers(1, 9, n))
    fed_back = np.where(fate < sum(FEEDBACK), fed_back, np.datetime64("NaT"))
    resent = np.where(np.isnat(fed_back), len(delivery), np.searchsorted(delivery, fed_back, side="right"))
    folder = feed_folder(inbox, feed)
    delivered = []
    for k, day in enumerate(days):
        first = take(cases, np.flatnonzero(reported == k))
        again = take(cases, np.flatnonzero((resent == k) & (reported < k)))
        again["jc_fkrq"] = fed_back[(resent == k) & (reported < k)]
        part = concat([first, again])
        if not len(part["jc_bh"]):
            continue
        part = with_faults("joint_sanction", part, len(part["jc_bh"]), rng)
        delivered.append(write_delivery(folder, feed, style, part, delivered_at(day, rng, tz), k + 1, rng))
    return delivered
