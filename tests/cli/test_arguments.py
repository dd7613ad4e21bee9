"""A mistake on the command line is answered with one line and exit 2, before any warehouse is started."""

from __future__ import annotations

import subprocess
import sys

import pytest

from citycredit import cli


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["indicators", "--month", "2025-13"], "月份应为 YYYY-MM（如 2025-09），收到 '2025-13'"),
        (["explain", "shuanggongshi_accuracy", "--month", "2025/10"], "收到 '2025/10'"),
        (["explain", "shuanggongshi_accuracy", "--month", "2025-09", "--limit", "-5"], "应为不小于 0 的整数"),
        (["report", "--month", "九月"], "收到 '九月'"),
        (["export", "run", "--as-of", "2025-02-30"], "日期应为存在的 YYYY-MM-DD（如 2025-09-30），收到 '2025-02-30'"),
        (["bench", "--rows", "many"], "收到 'many'"),
        (["indicators"], "--month"),
        (["check", "x.csv", "--reported-on", "2025-02-30"], "报送日期 '2025-02-30' 格式不正确"),
        (["check", "x.csv", "--dataset", "nosuch"], "'nosuch'"),
        (["check"], "file"),
        (["batches", "--limit", "5"], "--limit 5"),
        (["db"], "db_command"),
        (["db", "downgrade"], "'downgrade'"),
        (["up", "--port", "abc"], "端口应为 1 到 65535 之间的整数，收到 'abc'"),
        (["up", "--port", "70000"], "收到 '70000'"),
        (["down", "now"], "now"),
        (["no-such-command"], "no-such-command"),
    ],
)
def test_a_bad_argument_is_one_line_and_exit_2(argv, said, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    assert stopped.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and said in err and "--help 查看用法" in err, err
    assert "Traceback" not in err and "usage:" not in err


def test_an_unknown_indicator_is_one_line_and_exit_2(capsys):
    assert cli.main(["explain", "no_such_indicator", "--month", "2025-09", "--json"]) == cli.EXIT_CONFIG
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "未知指标 'no_such_indicator'" in err


def test_the_module_form_answers_as_the_command(tmp_path):
    """``python -m citycredit.cli`` is what the console script runs; its exit status is the command's."""
    done = subprocess.run(
        [sys.executable, "-m", "citycredit.cli", "indicators", "--month", "2025-00"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "citycredit indicators: argument --month: 月份应为 YYYY-MM（如 2025-09），收到 '2025-00'"
        "（citycredit indicators --help 查看用法）"
    ]


def test_each_command_is_found_where_the_parser_of_one_command_looks_for_it():
    """``citycredit X`` imports only X's command group (cli.COMMANDS): that table names every command there is."""
    everything = next(a for a in cli.build_parser()._actions if a.dest == "command").choices
    assert set(everything) == set(cli.COMMANDS)
    for command in cli.COMMANDS:
        alone = next(a for a in cli.build_parser([command, "--help"])._actions if a.dest == "command").choices
        assert command in alone and set(alone) <= set(cli.COMMANDS)
