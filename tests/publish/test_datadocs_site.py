"""The Data Docs site is rebuilt when what it shows changed, not at every ingest run (most validate nothing new)."""

from __future__ import annotations

from datetime import UTC, datetime

from citycredit.publish import datadocs
from citycredit.validate.suites import suite_definition


def _outcome(batch_id: int, failed: int = 0) -> datadocs.BatchOutcome:
    rules = [e["meta"]["rule_id"] for e in suite_definition("license")["expectations"]][:3]
    counts = {rule: (5, failed) for rule in rules}
    return datadocs.BatchOutcome(batch_id, "license", f"许可{batch_id}.csv", datetime(2025, 9, 5, tzinfo=UTC), counts)


def _pages(target) -> list[str]:
    return sorted(p.name for p in (target / "validations" / "license").rglob("*.html"))


def test_the_site_is_rebuilt_only_when_its_batches_or_counts_changed(tmp_path):
    target = tmp_path / "datadocs"
    index = datadocs.build([_outcome(1)], target)
    built = index.stat().st_mtime_ns

    assert datadocs.build([_outcome(1)], target) == index
    assert index.stat().st_mtime_ns == built  # the same outcomes: left as it was

    datadocs.build([_outcome(1, failed=2)], target)  # a batch validated again with other counts
    assert index.stat().st_mtime_ns != built
    rebuilt = index.stat().st_mtime_ns
    datadocs.build([_outcome(1, failed=2), _outcome(2)], target)  # a new batch
    assert index.stat().st_mtime_ns != rebuilt
    assert len(_pages(target)) == 2 and "batch-2" in index.read_text(encoding="utf-8")
