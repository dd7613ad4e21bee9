"""GX Data Docs: the rule suites and the per-batch rule outcomes as a static HTML site.

The site is built into ``$CITYCREDIT_HOME/datadocs`` (``index.html``) from the suite JSON files and the counts in
quality.rule_outcomes (how many rows each rule evaluated and failed per batch), so it can be rebuilt at any time,
once per DAG run, without keeping GX results between tasks. No row values enter the site (personal data stays in
the warehouse): a batch's page shows each rule with its counts. Rebuilding replaces the previous site.

GX writes run names raw into its HTML (breadcrumb, run table, index) and into directory names, so nothing a
department sent reaches GX as it is: a batch's run name is "batch-<id>" and its file name, reduced to letters,
digits and . - (`file_label`: no markup, no path, ID numbers masked, at most FILE_LABEL characters).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from citycredit.core import paths, privacy
from citycredit.validate.suites import suite_definition

SITE = "citycredit"
FILE_LABEL = 40  # characters of a file name shown in a run name (the run name is also a directory name)
_UNSAFE = re.compile(r"[^\w.-]")


def file_label(source_name: str) -> str:
    """A delivered file's name as GX may show it: ID numbers masked, other characters than letters, digits and
    . - replaced by _ (no markup, no path, no wildcard), at most FILE_LABEL characters."""
    return _UNSAFE.sub("_", privacy.mask_ids_in_text(source_name))[:FILE_LABEL]


@dataclass(frozen=True)
class BatchOutcome:
    """A validated batch and its per-rule counts (rule_id -> (evaluated, failed))."""

    batch_id: int
    dataset: str
    source_name: str
    received_at: datetime
    counts: dict[str, tuple[int, int]]


RECENT_BATCHES = 200  # batches shown when none are named: the site is rebuilt once per run and stays quick


def batch_outcomes(engine: sa.Engine, batch_ids: list[int] | None = None) -> list[BatchOutcome]:
    """The rule outcomes of the given batches (default: the RECENT_BATCHES latest that have any), by batch."""
    query = """
        WITH chosen AS (
            SELECT DISTINCT batch_id FROM quality.rule_outcomes
            WHERE CAST(:all AS boolean) OR batch_id = ANY(:ids)
            ORDER BY batch_id DESC LIMIT :n)
        SELECT b.batch_id, b.dataset, b.source_name, b.received_at, o.rule_id, o.evaluated, o.failed
        FROM chosen JOIN quality.rule_outcomes o USING (batch_id) JOIN landing.batches b USING (batch_id)
        ORDER BY b.batch_id, o.rule_id"""
    params = {"all": batch_ids is None, "ids": list(batch_ids or []), "n": len(batch_ids or []) or RECENT_BATCHES}
    with engine.connect() as conn:
        rows = conn.execute(sa.text(query), params).all()
    batches: dict[int, BatchOutcome] = {}
    for batch_id, dataset, source_name, received_at, rule_id, evaluated, failed in rows:
        batch = batches.setdefault(batch_id, BatchOutcome(batch_id, dataset, source_name, received_at, {}))
        batch.counts[rule_id] = (int(evaluated), int(failed))
    return list(batches.values())


def _documented(exp: dict) -> dict:
    """The expectation with its rule id, severity and Chinese message as its Data Docs notes."""
    meta = exp["meta"]
    return {
        **exp,
        "notes": f"{meta['rule_id']}（{'错误' if meta['severity'] == 'error' else '警告'}）：{meta['message']}",
    }


def _validation_result(outcome: BatchOutcome, run_id):
    from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    results = []
    for exp in suite_definition(outcome.dataset)["expectations"]:
        rule_id = exp["meta"]["rule_id"]
        if rule_id not in outcome.counts:
            continue
        evaluated, failed = outcome.counts[rule_id]
        results.append(
            ExpectationValidationResult(
                success=failed == 0,
                expectation_config=ExpectationConfiguration(**_documented(exp)),
                result={
                    "element_count": evaluated,
                    "unexpected_count": failed,
                    "unexpected_percent": 100.0 * failed / evaluated if evaluated else 0.0,
                    "missing_count": 0,
                },
            )
        )
    successful = sum(bool(r.success) for r in results)  # each is True or False: success=failed == 0 above
    return ExpectationSuiteValidationResult(
        success=successful == len(results),
        results=results,
        suite_name=outcome.dataset,
        statistics={
            "evaluated_expectations": len(results),
            "successful_expectations": successful,
            "unsuccessful_expectations": len(results) - successful,
            "success_percent": 100.0 * successful / len(results) if results else None,
        },
        meta={
            "active_batch_definition": {
                "datasource_name": "citycredit",
                "data_connector_name": "warehouse",
                "data_asset_name": outcome.dataset,
                "batch_identifiers": {"batch_id": str(outcome.batch_id), "file": file_label(outcome.source_name)},
            },
            "batch_markers": {},
            "batch_spec": {},
            "run_id": run_id,
        },
        batch_id=f"batch-{outcome.batch_id}",
    )


SITE_STAMP = "citycredit-site.sha256"  # in the site: what it was built from


def _stamp(outcomes: list[BatchOutcome], datasets: list[str]) -> str:
    """A digest of what a site shows: the batches' outcomes and the suites (a new version may change a rule)."""
    shown = {
        "batches": [[o.batch_id, o.dataset, o.source_name, o.received_at.isoformat(), sorted(o.counts.items())]
                    for o in outcomes],
        "suites": {d: suite_definition(d) for d in datasets},
    }  # fmt: skip
    return hashlib.sha256(json.dumps(shown, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def build(outcomes: list[BatchOutcome], target: Path | None = None) -> Path:
    """Write the Data Docs site (every suite, one page per batch) into ``target``; the path of its index.html.

    A site built from the same outcomes and suites is left as it is: GX takes about 20 s for 200 batches, and most
    ingest runs (a drop another run already took, a daily run with nothing new) validate no batch."""
    target = Path(target or paths.data_path("datadocs"))
    datasets = sorted({o.dataset for o in outcomes} | {"license", "penalty", "credit_list"})
    stamp = _stamp(outcomes, datasets)
    stamp_file = target / SITE_STAMP
    if (target / "index.html").exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return target / "index.html"
    _build(outcomes, datasets, target)
    stamp_file.write_text(stamp)
    return target / "index.html"


def _build(outcomes: list[BatchOutcome], datasets: list[str], target: Path) -> None:
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    import citycredit.validate.expectations  # noqa: F401 - registers the custom expectation types the suites name

    if target.exists():
        shutil.rmtree(target)
    context = gx.get_context(mode="ephemeral")
    context.add_data_docs_site(
        SITE,
        {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(target)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    for dataset in datasets:
        definition = suite_definition(dataset)
        expectations = [_documented(e) for e in definition["expectations"]]
        meta = dict(definition.get("meta") or {})  # GX adds its version to it: not to the cached suite
        context.suites.add(gx.ExpectationSuite(name=dataset, expectations=expectations, meta=meta))
    for outcome in outcomes:
        name = f"batch-{outcome.batch_id} {file_label(outcome.source_name)}"
        run_id = RunIdentifier(run_name=name, run_time=outcome.received_at)
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=outcome.dataset),
            run_id=run_id,
            batch_identifier=f"batch-{outcome.batch_id}",
        )
        context.validation_results_store.set(key, _validation_result(outcome, run_id))
    context.build_data_docs(site_names=[SITE])


def build_for_warehouse(engine: sa.Engine, batch_ids: list[int] | None = None, target: Path | None = None) -> Path:
    """The site for batches of the warehouse (default: the RECENT_BATCHES latest validated ones)."""
    return build(batch_outcomes(engine, batch_ids), target)
