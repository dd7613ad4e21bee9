"""The README's commands work as typed after its set-up: its activation line puts `citycredit` on PATH, and every
`citycredit …` and `make …` it shows names a command or target that exists."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from citycredit.cli import build_parser
from citycredit.core import paths

README = (paths.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
SET_UP = README.split("## Set-up", 1)[1].split("\n## ", 1)[0]


def _setup_block() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", SET_UP, re.S).group(1)
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_the_set_up_activates_the_virtualenv_before_any_command_that_needs_it():
    lines = _setup_block()
    activate = lines.index("source .venv/bin/activate")
    assert lines[:activate] == ["make demo", "make test"], "the two set-up commands come first"
    assert "make up" in lines and "make down" in lines


def test_after_the_activation_line_citycredit_and_airflow_are_the_projects(tmp_path):
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CITYCREDIT_HOME": str(tmp_path / "home")}
    script = "source .venv/bin/activate && command -v citycredit airflow && citycredit --help"
    done = subprocess.run(["bash", "-c", script], cwd=paths.PROJECT_ROOT, env=bare, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = done.stdout.splitlines()[:2]
    assert found == [str(paths.PROJECT_ROOT / ".venv" / "bin" / name) for name in ("citycredit", "airflow")]
    assert "usage: citycredit" in done.stdout


def _subcommands() -> set[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")  # the subparsers of build_parser
    return set(action.choices)


@pytest.mark.parametrize("command", sorted(set(re.findall(r"`citycredit ([a-z][\w-]*)", README))))
def test_every_citycredit_command_the_readme_shows_exists(command):
    assert command in _subcommands()


@pytest.mark.parametrize("target", sorted(set(re.findall(r"`make ([a-z]+)", README))))
def test_every_make_target_the_readme_shows_exists(target):
    done = subprocess.run(["make", "-n", "-C", str(paths.PROJECT_ROOT), target], capture_output=True, text=True,
                          env={**os.environ, "CITYCREDIT_HOME": "/nonexistent"})  # fmt: skip
    assert done.returncode == 0, done.stderr
