"""`citycredit export run` where the city has no provincial push interface yet: the outbox files are the export, so
the command succeeds and warns; asking for the push itself is a usage error."""

from __future__ import annotations

import pytest

from citycredit import cli
from citycredit.publish import province_push

pytestmark = pytest.mark.db


@pytest.fixture
def no_province(engine, monkeypatch):
    monkeypatch.delenv(province_push.URL_ENV, raising=False)
    monkeypatch.delenv(f"AIRFLOW_CONN_{province_push.CONN_ID.upper()}", raising=False)
    return engine


def test_without_a_province_url_the_outbox_export_succeeds_with_a_warning(no_province, capsys):
    assert cli.main(["export", "run", "--as-of", "2025-10-01"]) == 0
    out, err = capsys.readouterr()
    assert "没有需要报送的新数据（公示日 2025-10-01）" in out
    assert err.startswith("警告：未推送到省级平台（未配置省级平台接口") and "可人工报送" in err
    assert "Traceback" not in err


def test_asking_for_the_push_without_a_province_url_is_exit_2_with_the_reason(no_province, capsys):
    assert cli.main(["export", "run", "--to", "province", "--as-of", "2025-10-01"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "citycredit export run: 未配置省级平台接口" in err
