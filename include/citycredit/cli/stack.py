"""``citycredit up`` and ``citycredit down``: the local Airflow (api-server, scheduler, dag-processor, triggerer) on
the demo's warehouse, with the citycredit DAGs and the reports plugin."""

from __future__ import annotations

import sys

from citycredit.cli import arguments

DEFAULT_PORT = 8080


def cmd_up(args) -> int:
    from citycredit.tools import stack
    from citycredit.web import airflow_mount

    try:
        started = stack.start(port=args.port)
    except stack.StackError as exc:
        print(f"citycredit up: {exc}", file=sys.stderr)
        return 1
    user, password, passwords = stack.login()
    if started.already_running:
        print(f"Airflow is already running at {started.url}")
    else:
        print(f"Airflow is running at {started.url}")
    print(f"  sign in as    {user} / {password} (kept in {passwords})")
    print("  services     " + ", ".join(f"{name} (pid {pid})" for name, pid in started.pids.items()))
    print(f"  front door   {started.url}{airflow_mount.URL_PREFIX}/ (公共信用信息平台 in Browse, with this sign-in)")
    print(f"  their logs   {stack.log_folder()}")
    print("  the DAGs start paused: unpause them in the UI (the switch beside each DAG)")
    print("  stop with    citycredit down (or make down)")
    return 0


def cmd_down(args) -> int:
    from citycredit.tools import stack

    try:
        stopped = stack.stop()
    except stack.StackError as exc:
        print(f"citycredit down: {exc}", file=sys.stderr)
        return 1
    print(f"stopped: {', '.join(stopped.stopped)}" if stopped.stopped else "nothing was running")
    return 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("up", help="start the local Airflow (UI, scheduler, ...) on the demo's warehouse")
    p.add_argument(
        "--port", type=arguments.port, default=DEFAULT_PORT, help=f"the UI's port on 127.0.0.1 (default {DEFAULT_PORT})"
    )
    p.set_defaults(func=cmd_up)
    p = subparsers.add_parser("down", help="stop the local Airflow and the embedded warehouse")
    p.set_defaults(func=cmd_down)
