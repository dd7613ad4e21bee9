"""The generator's entry points: ``generate_feeds`` (a month of deliveries for every file feed of the registry)
and ``write_large_csv`` (one large file of one department, for benchmarks). Both draw their 双公示 and 信用承诺 rows
from the same builders, so the fault mix is the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from citycredit.core import datasets
from citycredit.core.config import fields
from citycredit.feeds.registry import Feed, Registry
from citycredit.feeds.registry import load as load_registry
from citycredit.tools.demo.arrays import feed_rng
from citycredit.tools.demo.case_register import case_register_files
from citycredit.tools.demo.cases import CASE_KINDS, case_files
from citycredit.tools.demo.commitments import commitment_records
from citycredit.tools.demo.credit_list import credit_list_files
from citycredit.tools.demo.faults import paste_twice, with_faults
from citycredit.tools.demo.issuers import Issuer, issuer_of
from citycredit.tools.demo.joint_sanctions import joint_sanction_files
from citycredit.tools.demo.license import license_records
from citycredit.tools.demo.penalty import penalty_records
from citycredit.tools.demo.register import register_files
from citycredit.tools.demo.schedule import decision_dates, delivered_at, deliveries_for, delivery_days, month_bounds
from citycredit.tools.demo.styles import Style, as_written, style_for
from citycredit.tools.demo.subjects import Pools, subject_pools
from citycredit.tools.demo.writers import DeliveredFile, deliver, feed_folder, write_csv, write_delivery

BLOCK_ROWS = 100_000  # rows generated and written at a time by write_large_csv
# The datasets of decisions, built row by row from a department's domain; the other feeds write their own files.
BUILDERS = {"license": license_records, "penalty": penalty_records, "credit_commitment": commitment_records}
# generate_history numbers decisions from here up; generate_feeds's numbers (month × records_per_feed + rank) stay
# below it up to 7,000 records a feed.
HISTORY_NUMBERS = 100_000
# Registers of cases, written a case at a time in the weekly file after it happened (or changed).
CASE_REGISTERS = {"joint_sanction": joint_sanction_files, "case_register": case_register_files}


def _file_feeds(reg: Registry) -> list[Feed]:
    """The *file* feeds of the registry, in registry order."""
    return [f for f in reg.feeds if f.kind == "file"]


def _department_index(reg: Registry, feed: Feed) -> int:
    return [d.id for d in reg.departments].index(feed.department_id)


def _records(dataset: str, decided: np.ndarray, seq: np.ndarray, issuer: Issuer, pools: Pools, rng) -> dict:
    """All canonical columns (fields.yaml order) for rows decided on the given days, faults included."""
    if dataset not in BUILDERS:
        raise ValueError(f"样例数据只支持行政许可、行政处罚和信用承诺（{'、'.join(BUILDERS)}），不支持 {dataset!r}")
    return with_faults(dataset, BUILDERS[dataset](decided, seq, issuer, pools, rng), len(decided), rng)


def generate_feeds(
    inbox: Path,
    *,
    month: str = "2025-09",
    seed: int = 20250930,
    records_per_feed: int = 400,
    until: dt.date | None = None,
) -> list[DeliveredFile]:
    """One month of deliveries for every file feed of the registry, into inbox/<department>/<feed>/.

    Each feed delivers weekly on its department's weekday (the next working day when that is a holiday),
    up to the first delivery after the month; every file's mtime is its delivery time. The rows of a feed
    (records_per_feed, duplicates included) are decisions of the month, mostly reported on time. until: no
    delivery after that day (a month that has just ended has not been delivered in full yet).
    """
    registry = load_registry()
    tz = registry.timezone
    pools = _pools(registry, seed, records_per_feed)
    delivered = []
    for feed in _file_feeds(registry):
        rng = feed_rng(seed, feed.id)
        style = style_for(feed, _department_index(registry, feed))
        if feed.dataset not in BUILDERS:
            days = [d for d in delivery_days(month, _department_index(registry, feed) % 5) if _due(d, until)]
            if feed.dataset in CASE_KINDS:
                delivered += case_files(inbox, feed, style, days, pools, records_per_feed, rng, tz, month)
                continue
            if feed.dataset in CASE_REGISTERS:
                write_cases = CASE_REGISTERS[feed.dataset]
                delivered += write_cases(inbox, feed, style, days, pools, records_per_feed, rng, tz, month)
                continue
            write = {"credit_list": credit_list_files, "subject_registry": register_files}[feed.dataset]
            delivered += write(inbox, feed, style, days, pools, records_per_feed, rng, tz)
            continue
        deliveries = [d for d in deliveries_for(month, _department_index(registry, feed) % 5) if _due(d.day, until)]
        seq_base = month_bounds(month)[0].month * records_per_feed
        delivered += _decision_files(inbox, registry, feed, deliveries, records_per_feed, seq_base, pools, seed, rng)
    return delivered


def generate_history(
    inbox: Path, *, months: list[str], seed: int = 20250930, records_per_feed: int = 400
) -> list[DeliveredFile]:
    """Earlier months of 双公示 deliveries, one file a month from the registry's first 行政许可 and first 行政处罚
    file feed, each as many rows as all that dataset's file feeds deliver in a month of generate_feeds.

    The city's monthly figures (volume, accuracy, late reports) so continue over the months at about the level of
    the last one, in two batches a month: every batch costs seconds of validation whatever its size. Each file is
    delivered on the feed's last delivery day within its month (a month counts what it received), with the
    decisions made before it. The 文书号 numbers start above those generate_feeds gives (HISTORY_NUMBERS), so that
    no two months' decisions share one.
    """
    registry = load_registry()
    pools = _pools(registry, seed, records_per_feed)
    feeds = _file_feeds(registry)
    delivered = []
    for dataset in ("license", "penalty"):
        feed = next(f for f in feeds if f.dataset == dataset)
        rows = records_per_feed * sum(f.dataset == dataset for f in feeds)
        for month in months:
            rng = feed_rng(seed, f"{feed.id}/{month}")
            deliveries = deliveries_for(month, _department_index(registry, feed) % 5, single=True, in_month=True)
            seq_base = HISTORY_NUMBERS + month_bounds(month)[0].month * rows
            delivered += _decision_files(inbox, registry, feed, deliveries, rows, seq_base, pools, seed, rng)
    return delivered


def _due(day: dt.date, until: dt.date | None) -> bool:
    return until is None or day <= until


def _pools(registry: Registry, seed: int, records_per_feed: int) -> Pools:
    """The subjects the decisions concern: the same for every month of one seed."""
    return subject_pools(feed_rng(seed, "pools"), records_per_feed * len(_file_feeds(registry)), registry.city["name"])


def _decision_files(
    inbox: Path,
    registry: Registry,
    feed: Feed,
    deliveries: list,
    records: int,
    seq_base: int,
    pools: Pools,
    seed: int,
    rng: np.random.Generator,
) -> list[DeliveredFile]:
    """A 双公示 or 信用承诺 feed's deliveries: `records` decisions spread over them, numbered from seq_base + 1."""
    if not deliveries:
        return []
    issuer = issuer_of(feed, registry, seed)
    weights = np.array([len(d.on_time) for d in deliveries], dtype=float)
    counts = rng.multinomial(records, weights / weights.sum())
    decided = decision_dates(deliveries, counts, rng)
    seq = seq_base + np.argsort(np.argsort(decided, kind="stable")) + 1
    frame = _records(feed.dataset, decided, seq, issuer, pools, rng)
    folder = feed_folder(inbox, feed)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    delivered = []
    for k, delivery in enumerate(deliveries):
        if counts[k] == 0:
            continue
        part = {name: col[offsets[k] : offsets[k + 1]] for name, col in frame.items()}
        order = np.argsort(part[datasets.get(feed.dataset).decision_date], kind="stable")
        part = {name: col[order] for name, col in part.items()}
        at = delivered_at(delivery.day, rng, registry.timezone)
        delivered.append(write_delivery(folder, feed, style_for(feed, _department_index(registry, feed)), part, at,
                                        k + 1, rng))  # fmt: skip
    return delivered


def write_large_csv(
    path: Path, dataset: str, rows: int, *, seed: int = 1, encoding: str = "utf-8", month: str = "2025-09"
) -> int:
    """A benchmark file: `rows` data rows of one department, national labels as headers, ISO dates.

    Generated and written in blocks of BLOCK_ROWS rows with the fault mix of generate_feeds. The file stands
    for one delivery after the month (its mtime), so LATE_RATE of the rows are late relative to it.
    Returns the number of data rows written.
    """
    registry = load_registry()
    feed = next((f for f in _file_feeds(registry) if f.dataset == dataset), None)
    if feed is None:
        raise ValueError(f"departments.yaml 中没有数据集 {dataset!r} 的文件报送渠道")
    style = Style("labels", ("iso",), path.name, encoding=encoding)
    issuer = issuer_of(feed, registry, seed)
    pools = subject_pools(feed_rng(seed, "pools"), rows, registry.city["name"])
    (delivery,) = deliveries_for(month, _department_index(registry, feed) % 5, single=True)
    header = [f.label for f in fields(dataset)]

    def blocks() -> Iterator[list[np.ndarray]]:
        for start in range(0, rows, BLOCK_ROWS):
            rng = np.random.default_rng([seed, 1, start])
            size = min(BLOCK_ROWS, rows - start)
            decided = decision_dates([delivery], np.array([size]), rng)
            frame = _records(dataset, decided, start + np.arange(size) + 1, issuer, pools, rng)
            yield paste_twice(as_written(dataset, frame, style, rng)[1], rng)

    path.parent.mkdir(parents=True, exist_ok=True)
    written = write_csv(path, header, blocks(), style)
    deliver(path, delivered_at(delivery.day, np.random.default_rng([seed, 2]), registry.timezone))
    return written
