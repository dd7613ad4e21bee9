"""``citycredit batches``: every batch with its accounting and source file."""

from __future__ import annotations

from citycredit.cli.output import TERMINAL_WIDTH, clip, migrated_engine, print_json, shown, text_table
from citycredit.core import city, paths
from citycredit.feeds.batches import STATUS_NAMES, batch_rows

SHORT_HASH = 8  # enough to tell files apart on screen; --json and `explain` give the whole SHA-256


def _for_screen(row: dict, zone) -> dict:
    return {
        **row,
        "received_at": f"{row['received_at'].astimezone(zone):%Y-%m-%d %H:%M}",
        "status": STATUS_NAMES.get(row["status"], row["status"]),
        "sha256": row["sha256"][:SHORT_HASH],
    }


def cmd_batches(args) -> int:
    rows = batch_rows(migrated_engine())
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        inbox = paths.data_path("landing", "inbox")
        print(
            "还没有批次。部门文件放入收件箱（"
            f"{inbox}/<部门>/<数据源>/）后，由 citycredit_ingest DAG 接收；运行 make demo 可看示例数据。"
        )
        return 0
    zone = city.timezone()
    print(
        text_table(
            [_for_screen(r, zone) for r in rows],
            [
                ("batch_id", "批次"),
                ("feed_id", "数据源"),
                ("source_name", "文件"),
                ("received_at", "接收时间"),
                ("sha256", "SHA-256"),
                ("status", "状态"),
                ("received", "接收行"),
                ("loaded", "入库"),
                ("quarantined", "隔离"),
                ("duplicate", "重复"),
                ("corrected", "纠正"),
            ],
            shrink="source_name",
        )
    )
    rejected = [r for r in rows if r["status"] == "rejected"]
    if rejected:
        print(f"\n拒收原因（{len(rejected)} 个批次）：")
        for r in rejected:
            print(clip(shown(f"  批次 {r['batch_id']}：{r['status_reason'] or '未记录'}"), TERMINAL_WIDTH))
    return 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("batches", help="list batches with their accounting")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_batches)
