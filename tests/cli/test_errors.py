"""The command line turns the domain's errors into a message and an exit code, never a traceback."""

from citycredit import cli


def test_an_unknown_indicator_is_named_with_the_known_ones(capsys):
    assert cli.main(["explain", "shuanggongshi_accuracyy", "--month", "2025-09"]) == cli.EXIT_CONFIG
    err = capsys.readouterr().err
    assert "未知指标 'shuanggongshi_accuracyy'" in err and "shuanggongshi_accuracy" in err
    assert "Traceback" not in err


def test_a_broken_registry_names_its_key(tmp_path, monkeypatch, capsys):
    registry = tmp_path / "departments.yaml"
    registry.write_text("city: {name: 平顶山市}\ndepartments: []\n", encoding="utf-8")
    monkeypatch.setenv("CITYCREDIT_REGISTRY", str(registry))
    assert cli.main(["check", str(tmp_path / "missing.csv")]) == cli.EXIT_CONFIG
    assert "departments.yaml: city.timezone: missing" in capsys.readouterr().err


def test_an_unknown_department_is_named_with_the_known_ones(capsys):
    assert cli.main(["indicators", "--month", "2025-09", "--department", "平顶山市不存在局"]) == cli.EXIT_CONFIG
    err = capsys.readouterr().err
    assert "未知部门：平顶山市不存在局" in err and "平顶山市市场监督管理局" in err
