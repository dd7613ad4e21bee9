"""``citycredit batches``: every batch with its accounting and source file."""

from __future__ import annotations

import sqlalchemy as sa

from citycredit.cli.output import migrated_engine, print_json, text_table


def batch_rows(engine) -> list[dict]:
    query = """
        SELECT b.batch_id, b.department_id, b.feed_id, b.dataset, b.source_name, b.sha256, b.status,
               b.received_at, a.received, a.loaded, a.quarantined, a.duplicate, a.revised, a.with_warnings,
               a.corrected, a.inferred_exits
        FROM landing.batches b LEFT JOIN quality.batch_accounting a USING (batch_id)
        ORDER BY b.batch_id"""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(query)).mappings()]


def cmd_batches(args) -> int:
    rows = batch_rows(migrated_engine())
    if args.json:
        print_json(rows)
        return 0
    print(
        text_table(
            rows,
            [
                ("batch_id", "批次"),
                ("department_id", "部门"),
                ("feed_id", "数据源"),
                ("source_name", "文件"),
                ("sha256", "SHA-256"),
                ("status", "状态"),
                ("received", "接收"),
                ("loaded", "入库"),
                ("quarantined", "隔离"),
                ("duplicate", "重复"),
                ("corrected", "纠正"),
            ],
        )
    )
    return 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("batches", help="list batches with their accounting")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_batches)
