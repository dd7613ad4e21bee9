"""Security: no secret in the repository, feed credentials only from connections, SQL injection through the CLI.

Injection strings in every text field of department files, formulas in workbooks and files that are not what
their name says are in the bad-input corpus (test_bad_inputs.py); ID masking in logs in test_pipeline_e2e.py.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from support.deliveries import deliver, permits

from citycredit import cli
from citycredit.feeds import registry
from citycredit.load import merge

ROOT = Path(__file__).resolve().parents[2]
SQL_INJECTION = ["x' OR '1'='1", "'; DROP TABLE core.license; --", "scjg'); DELETE FROM landing.batches; --"]

SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Fernet or JWT secret": re.compile(r"(?i)(fernet_key|jwt_secret|secret_key)\s*[:=]\s*['\"]?[A-Za-z0-9+/_-]{20,}"),
    "password assignment": re.compile(r"(?i)\b\w*password\w*\s*[:=]\s*['\"][^'\"\s${}]{4,}['\"]"),
}
# Credentials inside URLs: only the documented placeholders (README, docstrings) and the fakes tests send to their
# own local servers.
URL_CREDENTIALS = re.compile(r"[a-z][a-z0-9+.-]*://([^/\s:@'\"`]+):([^/\s@'\"`]*)@")
PLACEHOLDER_PASSWORDS = {"secret", "pass", "p", "s3cret", "p%2Fw", ""}


def repository_files() -> list[Path]:
    """Tracked files and new files not ignored (what the next commit can hold)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    return [ROOT / name for name in listed if name and (ROOT / name).is_file()]


def test_no_secret_in_the_repository():
    files = repository_files()
    assert len(files) > 100
    found = []
    for path in files:
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary fixtures
        text = data.decode("utf-8", errors="replace")
        for kind, pattern in SECRET_PATTERNS.items():
            found += [f"{path.relative_to(ROOT)}: {kind}: {m.group()[:40]}" for m in pattern.finditer(text)]
        for m in URL_CREDENTIALS.finditer(text):
            if m.group(2) not in PLACEHOLDER_PASSWORDS:
                found.append(f"{path.relative_to(ROOT)}: password in a URL: {m.group()}")
    assert found == []


def test_the_secret_scan_finds_what_it_looks_for():
    # Assembled here, so that this file itself does not hold what the scan looks for.
    samples = {
        "private key": "-----BEGIN RSA " + "PRIVATE KEY-----",
        "AWS access key": "AKIA" + "IOSFODNN7EXAMPLE",
        "password assignment": "db_password = " + '"hunter22"',
    }
    for kind, sample in samples.items():
        assert SECRET_PATTERNS[kind].search(sample), kind
    assert URL_CREDENTIALS.search("postgresql://citycredit:" + "Xk2pq9@db.internal:5432/w").group(2) == "Xk2pq9"


def test_the_env_example_holds_no_secret_values():
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    secrets = [line for line in lines if re.match(r"^[A-Z_]*(PASSWORD|SECRET|FERNET_KEY)[A-Z_]*=", line)]
    assert len(secrets) >= 4
    assert [line for line in secrets if not line.endswith("=")] == []


def test_feed_credentials_come_from_connections_not_the_registry():
    feeds = registry.load().feeds
    assert all(f.conn_id for f in feeds if f.kind != "file")
    for feed in feeds:
        for key, value in feed.options.items():
            assert not re.search(r"(?i)password|passwd|secret|token|api_?key|credential", str(key)), (feed.id, key)
            for url in re.findall(r"[a-z]+://\S+", str(value)):
                assert urlsplit(url).password is None, (feed.id, key)


@pytest.mark.db
@pytest.mark.parametrize("text", SQL_INJECTION)
def test_injection_strings_on_the_command_line_are_values_not_sql(text, engine, capsys):
    with engine.begin() as conn:
        batch = deliver(conn, "scjg", permits("scjg", 5))
    merge.load_batch(engine, batch)

    for argv in (
        ["explain", "shuanggongshi_accuracy", "--month", "2025-09", "--department", text],
        ["indicators", "--month", "2025-09", "--recompute", "--department", text, "--json"],
    ):
        try:
            cli.main(argv)
        except SystemExit as exc:  # argparse or a command refusing the value with a message
            assert exc.code != 0
    output = capsys.readouterr()
    assert "syntax error" not in (output.out + output.err).lower()
    assert "Traceback" not in output.out + output.err
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM core.license")).scalar() == 5
        assert conn.execute(sa.text("SELECT count(*) FROM landing.batches")).scalar() == 1
