"""``citycredit bench``: what ``make bench`` runs; speed, memory and scale against their goals."""

from __future__ import annotations

import json

from citycredit.cli import arguments
from citycredit.cli.output import text_table
from citycredit.core import paths
from citycredit.tools.bench import figures, run


def render(result: dict) -> str:
    def number(value: float | None) -> str:
        return "missing" if value is None else f"{value:,.3f}" if value < 100 else f"{value:,.0f}"

    rows = [
        {
            "label": f["label"],
            "value": f"{number(f['value'])} {f['unit']}",
            "goal": "" if f["goal"] is None else f"≤ {f['goal']} {f['unit']}",
            "result": {True: "pass", False: "FAIL", None: ""}[f["passed"]],
            "note": f["note"] or "",
        }
        for f in result["figures"]
    ]
    m = result["machine"]
    postgresql = f", PostgreSQL {m['postgresql']}" if m["postgresql"] else ""
    head = (
        f"{m['cores']} cores, {m['memory_bytes'] / figures.GIB:.1f} GiB, {m['cpu_model']}, Python {m['python']}"
        f"{postgresql}; load average {result['load_average']['start'][0]:.2f} at start, "
        f"{result['load_average']['end'][0]:.2f} at end"
    )
    columns = [("label", "figure"), ("value", "value"), ("goal", "goal"), ("result", "pass/fail"), ("note", "")]
    return head + "\n" + text_table(rows, columns)


def cmd_bench(args) -> int:
    if args.small_check:
        result, path = run.run_small(), paths.home() / run.SMALL_CHECK_FILE
    else:
        sizes = dict(run.QUICK if args.quick else run.FULL)
        for key in ("rows", "big_rows", "history_rows"):
            if getattr(args, key) is not None:
                sizes[key] = getattr(args, key)
        result, path = run.run(**sizes), paths.home() / run.RESULTS_FILE
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(render(result))
    print(f"\nwritten to {path}")
    return 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("bench", help="measure speed, memory and scale on generated feeds")
    p.add_argument("--rows", type=arguments.count, help=f"rows of the ingest file (default {run.FULL['rows']:,})")
    p.add_argument(
        "--big-rows", type=arguments.count, help=f"rows of the memory file (default {run.FULL['big_rows']:,})"
    )
    p.add_argument(
        "--history-rows",
        type=arguments.count,
        help=f"records of the large indicator history (default {run.FULL['history_rows']:,})",
    )
    p.add_argument("--quick", action="store_true", help="tiny sizes, one DAG parse run: a smoke run")
    p.add_argument(
        "--small-check",
        action="store_true",
        help="only `citycredit check` of a 1-row file against `python -c 'import pandas'` (no warehouse)",
    )
    p.set_defaults(func=cmd_bench)
