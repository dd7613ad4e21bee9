-- The web front door (citycredit.web, docs/web.md): its accounts, sessions, API tokens and audit log.
-- Passwords are Argon2id hashes (argon2-cffi); session and API tokens are random and stored only as their SHA-256,
-- so a copy of this schema signs no one in. Every session and token expires.
CREATE SCHEMA IF NOT EXISTS web;

CREATE TABLE web.users (
    user_id       bigserial PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    -- clerk: 部门填报员 (one department of departments.yaml); staff: 信用中心工作人员; admin: 管理员; api: API client
    role          text NOT NULL CHECK (role IN ('clerk', 'staff', 'admin', 'api')),
    department_id text,
    password_hash text,  -- NULL for an API client, which signs in only with a token
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'clerk') = (department_id IS NOT NULL)),
    CHECK (role = 'api' OR password_hash IS NOT NULL)
);

CREATE TABLE web.sessions (
    token_hash  text PRIMARY KEY,  -- SHA-256 of the cookie's value
    user_id     bigint NOT NULL REFERENCES web.users ON DELETE CASCADE,
    csrf_token  text NOT NULL,     -- what every form of the session must send back
    subjects    jsonb NOT NULL DEFAULT '{}',  -- subjects looked up in the session, by an opaque reference
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX ON web.sessions (expires_at);

CREATE TABLE web.api_tokens (
    token_hash  text PRIMARY KEY,  -- SHA-256 of the token
    user_id     bigint NOT NULL REFERENCES web.users ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);

-- Who asked for what about whom: every report, PDF, lookup, verification, 核查 and self-check, and every sign-in.
-- Subjects are kept as shown (身份证 numbers masked).
CREATE TABLE web.audit_log (
    entry_id    bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    user_name   text NOT NULL,
    role        text NOT NULL,
    action      text NOT NULL,
    subjects    text[] NOT NULL DEFAULT '{}',
    address     text,
    detail      text
);
CREATE INDEX ON web.audit_log (at DESC, entry_id DESC);
