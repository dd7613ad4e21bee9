"""Accounts of the web app (warehouse schema ``web``, migration 0022): users with a role, Argon2id passwords,
sessions and API tokens that expire.

A session's cookie and an API token are 256 random bits; the warehouse keeps only their SHA-256 (a high-entropy
secret needs no slow hash), so reading the tables signs no one in. Passwords are hashed with argon2-cffi's
defaults (Argon2id, RFC 9106's low-memory profile) and re-hashed at sign-in when those defaults change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

CLERK, STAFF, ADMIN, API = "clerk", "staff", "admin", "api"
ROLE_NAMES = {CLERK: "部门填报员", STAFF: "信用中心工作人员", ADMIN: "管理员", API: "API 客户端"}
MIN_PASSWORD = 10
TOKEN_PREFIX = "cct_"
OPERATOR_PREFIX = "airflow:"  # an Airflow user acting in the mounted app; no password of ours (migration 0027)
_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("citycredit: the hash a missing user is checked against")


class AccountError(ValueError):
    """A request the accounts cannot carry out; the message is Chinese, for the operator."""


@dataclass(frozen=True)
class User:
    user_id: int
    name: str
    role: str
    department_id: str | None

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    expires_at: dt.datetime


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _user(row) -> User:
    return User(row.user_id, row.name, row.role, row.department_id)


def add_user(engine: sa.Engine, name: str, role: str, password: str, department_id: str | None = None) -> User:
    """A new user who signs in with `password`; a clerk belongs to `department_id` (a department of
    departments.yaml), no one else does."""
    from citycredit.feeds import registry

    _refuse_operator_name(name)
    if role not in (CLERK, STAFF, ADMIN):
        raise AccountError(f"角色应为 {CLERK}、{STAFF} 或 {ADMIN}（API 客户端用 citycredit web token add）")
    if (role == CLERK) != (department_id is not None):
        raise AccountError("部门填报员（clerk）必须用 --department 指定所属部门；其他角色不属于某个部门")
    if department_id is not None and department_id not in {d.id for d in registry.load().departments}:
        raise AccountError(f"departments.yaml 中没有部门 {department_id}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
    with engine.begin() as conn:
        if conn.execute(sa.text("SELECT 1 FROM web.users WHERE name = :n"), {"n": name}).first():
            raise AccountError(f"用户 {name} 已存在")
        row = conn.execute(
            sa.text("INSERT INTO web.users (name, role, department_id, password_hash) VALUES (:n, :r, :d, :h)"
                    " RETURNING user_id, name, role, department_id"),
            {"n": name, "r": role, "d": department_id, "h": _HASHER.hash(password)},
        ).one()  # fmt: skip
    return _user(row)


def add_token(engine: sa.Engine, name: str, days: float) -> tuple[User, str, dt.datetime]:
    """A new API token for the user `name` (created as an API client when there is none): the token, shown once,
    and when it expires."""
    _refuse_operator_name(name)
    if days <= 0:
        raise AccountError("有效天数应大于 0")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = _now() + dt.timedelta(days=days)
    with engine.begin() as conn:
        row = conn.execute(
            sa.text("SELECT user_id, name, role, department_id FROM web.users WHERE name = :n"), {"n": name}
        ).first()
        if row is None:
            row = conn.execute(
                sa.text("INSERT INTO web.users (name, role) VALUES (:n, 'api') RETURNING user_id, name, role,"
                        " department_id"), {"n": name},
            ).one()  # fmt: skip
        conn.execute(
            sa.text("INSERT INTO web.api_tokens (token_hash, user_id, expires_at) VALUES (:h, :u, :e)"),
            {"h": digest(token), "u": row.user_id, "e": expires},
        )
    return _user(row), token, expires


def _refuse_operator_name(name: str) -> None:
    if name.startswith(OPERATOR_PREFIX):
        raise AccountError(f"以 {OPERATOR_PREFIX} 开头的用户名留给 Airflow 界面中的操作人员，请换一个名称")


def operator(engine: sa.Engine, airflow_name: str, role: str) -> User:
    """The web user of the Airflow user `airflow_name`, created on first use, with the role Airflow gives them now
    (STAFF or ADMIN)."""
    with engine.begin() as conn:
        row = conn.execute(
            sa.text("INSERT INTO web.users (name, role) VALUES (:n, :r)"
                    " ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role"
                    " RETURNING user_id, name, role, department_id"),
            {"n": OPERATOR_PREFIX + airflow_name, "r": role},
        ).one()  # fmt: skip
    return _user(row)


def authenticate(engine: sa.Engine, name: str, password: str) -> User | None:
    """The user when `password` is theirs; None otherwise (as slow for an unknown name as for a wrong password)."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT user_id, name, role, department_id, password_hash FROM web.users WHERE name = :n"),
            {"n": name},
        ).first()
    try:
        _HASHER.verify(row.password_hash if row is not None and row.password_hash else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.password_hash is None:
        return None
    if _HASHER.check_needs_rehash(row.password_hash):
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE web.users SET password_hash = :h WHERE user_id = :u"),
                         {"h": _HASHER.hash(password), "u": row.user_id})  # fmt: skip
    return _user(row)


def start_session(engine: sa.Engine, user: User, hours: float) -> str:
    """A new session of `user`, ending in `hours`: the cookie's value. Expired sessions are deleted on the way."""
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM web.sessions WHERE expires_at <= now()"))
        conn.execute(
            sa.text("INSERT INTO web.sessions (token_hash, user_id, csrf_token, expires_at) VALUES (:h, :u, :c, :e)"),
            {"h": digest(token), "u": user.user_id, "c": secrets.token_urlsafe(32),
             "e": _now() + dt.timedelta(hours=hours)},
        )  # fmt: skip
    return token


_SESSION = """
SELECT u.user_id, u.name, u.role, u.department_id, s.csrf_token, s.expires_at
FROM web.sessions s JOIN web.users u USING (user_id)
WHERE s.token_hash = :h AND s.expires_at > now()
"""


def session(engine: sa.Engine, cookie: str | None) -> Session | None:
    """The live session a cookie names; None when there is none or it expired."""
    if not cookie:
        return None
    with engine.connect() as conn:
        row = conn.execute(sa.text(_SESSION), {"h": digest(cookie)}).first()
    return None if row is None else Session(_user(row), row.csrf_token, row.expires_at)


def end_session(engine: sa.Engine, cookie: str | None) -> None:
    if cookie:
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM web.sessions WHERE token_hash = :h"), {"h": digest(cookie)})


def token_user(engine: sa.Engine, token: str) -> User | None:
    """The user an API token belongs to, while it has not expired."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT u.user_id, u.name, u.role, u.department_id FROM web.api_tokens t JOIN web.users u"
                    " USING (user_id) WHERE t.token_hash = :h AND t.expires_at > now()"), {"h": digest(token)},
        ).first()  # fmt: skip
    return None if row is None else _user(row)


def remember(engine: sa.Engine, cookie: str, value: dict) -> str:
    """Keep `value` (a subject looked up) in the session under a new opaque reference, so that no 证件号码 goes
    into a URL; the reference dies with the session."""
    ref = secrets.token_hex(8)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE web.sessions SET subjects = subjects || CAST(:v AS jsonb) WHERE token_hash = :h"),
            {"v": json.dumps({ref: value}, ensure_ascii=False), "h": digest(cookie)},
        )
    return ref


def recall(engine: sa.Engine, cookie: str, ref: str) -> dict | None:
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT subjects -> :r FROM web.sessions WHERE token_hash = :h AND expires_at > now()"),
            {"r": ref, "h": digest(cookie)},
        ).scalar()
