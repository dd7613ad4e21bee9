"""``citycredit web``: the web front door (docs/web.md). ``web`` / ``web serve [--host] [--port]`` serve it with
uvicorn; ``web user add NAME --role ROLE [--department ID]`` opens an account (the password from a prompt, or one
line of stdin with ``--password-stdin``); ``web token add NAME --days N`` prints a new API token once.

Exit status: 0 done; 2 a mistake (an unknown role or department, a user who exists, a short password).
"""

from __future__ import annotations

import getpass
import sys

from citycredit.cli import arguments
from citycredit.cli.output import migrated_engine

PROG = "citycredit web"


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return arguments.EXIT_USAGE


def _password(args) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码：")
    if first != getpass.getpass("再次输入密码："):
        return None
    return first


def cmd_user_add(args) -> int:
    from citycredit.web import accounts

    password = _password(args)
    if password is None:
        return _fail("两次输入的密码不一致")
    try:
        user = accounts.add_user(migrated_engine(), args.name, args.role, password, args.department)
    except accounts.AccountError as exc:
        return _fail(str(exc))
    where = f"，部门 {user.department_id}" if user.department_id else ""
    print(f"已创建用户 {user.name}（{user.role_name}{where}）")
    return 0


def cmd_token_add(args) -> int:
    from citycredit.core import city
    from citycredit.web import accounts

    try:
        user, token, expires = accounts.add_token(migrated_engine(), args.name, args.days)
    except accounts.AccountError as exc:
        return _fail(str(exc))
    until = f"{expires.astimezone(city.timezone()):%Y-%m-%d %H:%M}"
    print(f"用户 {user.name}（{user.role_name}）的 API 令牌，有效至 {until}（只显示这一次，请妥善保存）：",
          file=sys.stderr)  # fmt: skip
    print(token)
    return 0


def cmd_serve(args) -> int:
    from citycredit.web import server

    print(f"公共信用信息平台：http://{args.host}:{args.port}/（Ctrl+C 停止）", file=sys.stderr)
    server.serve(migrated_engine(), args.host, args.port)
    return 0


def _serve_options(p) -> None:
    from citycredit.web.server import DEFAULT_HOST, DEFAULT_PORT

    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    p.add_argument("--port", type=arguments.port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")


def add_parser(subparsers) -> None:
    from citycredit.web.accounts import ADMIN, CLERK, STAFF

    p = subparsers.add_parser("web", help="the web front door: serve it, add users and API tokens")
    _serve_options(p)
    p.set_defaults(func=cmd_serve)
    sub = p.add_subparsers(dest="web_command")
    serve = sub.add_parser("serve", help="serve the web app with uvicorn")
    _serve_options(serve)
    serve.set_defaults(func=cmd_serve)
    user = sub.add_parser("user", help="web accounts").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="add a user who signs in with a password")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[CLERK, STAFF, ADMIN],
                     help="clerk 部门填报员, staff 信用中心工作人员, admin 管理员")  # fmt: skip
    add.add_argument("--department", help="a clerk's department id (include/config/departments.yaml)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    add.set_defaults(func=cmd_user_add)
    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="token_command", required=True)
    new = token.add_parser("add", help="a new API token for NAME (an API client is created when there is none)")
    new.add_argument("name")
    new.add_argument("--days", type=float, required=True, help="days until the token expires")
    new.set_defaults(func=cmd_token_add)
