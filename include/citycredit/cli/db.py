"""``citycredit db``: warehouse administration."""

from __future__ import annotations

from citycredit.core import migrations, warehouse


def cmd_db_upgrade(args) -> int:
    engine = warehouse.engine()
    applied = migrations.upgrade(engine)
    print(f"warehouse: {warehouse.describe(str(engine.url))}")
    print(f"applied {len(applied)} migration(s); schema version {migrations.current_version(engine)}")
    return 0


def add_parser(subparsers) -> None:
    db = subparsers.add_parser("db", help="warehouse administration")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply pending migrations").set_defaults(func=cmd_db_upgrade)
