"""The feed registry names the key of every configuration mistake."""

import pytest
import yaml

from citycredit.core import config
from citycredit.feeds import registry

GOOD = {
    "city": {"name": "平顶山市", "timezone": "Asia/Shanghai"},
    "departments": [
        {
            "id": "scjg",
            "name": "市场监管局",
            "uscc": "11410400005260186J",
            "feeds": [{"id": "scjg_license", "kind": "file", "dataset": "license"}],
        }
    ],
}


def write(tmp_path, data) -> object:
    path = tmp_path / "departments.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_shipped_registry_loads():
    reg = registry.load()
    assert len(reg.departments) >= 4
    assert {f.dataset for f in reg.feeds} >= {"license", "penalty"}


def test_a_good_registry_gives_feeds_with_their_department(tmp_path):
    feed = registry.load(write(tmp_path, GOOD)).feed("scjg_license")
    assert (feed.department_id, feed.department_uscc, feed.kind) == ("scjg", "11410400005260186J", "file")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["departments"][0]["feeds"][0].update(kind="ftp"),
            r"departments\[scjg\]\.feeds\[scjg_license\]\.kind",
        ),
        (lambda d: d["departments"][0]["feeds"][0].update(dataset="x"), r"feeds\[scjg_license\]\.dataset"),
        (lambda d: d["departments"][0]["feeds"][0].update(kind="http"), r"feeds\[scjg_license\]\.conn_id: missing"),
        (lambda d: d["departments"][0].update(uscc="11410400005260186A"), r"departments\[scjg\]\.uscc"),
        (lambda d: d["departments"][0].pop("name"), r"departments\[scjg\]\.name: missing"),
        (
            lambda d: d["departments"][0]["feeds"][0].update(schedule="every monday"),
            r"feeds\[scjg_license\]\.schedule: 'every monday' is not a cron expression",
        ),
        (lambda d: d["departments"].append(dict(d["departments"][0])), r"departments\[scjg\]\.id: used twice"),
        (lambda d: d["departments"][0].update(id="../市监"), r"departments\[0\]\.id: '\.\./市监' is not an id"),
        (
            lambda d: d["departments"][0]["feeds"][0].update(id="scjg license"),
            r"departments\[scjg\]\.feeds\[0\]\.id: 'scjg license' is not an id",
        ),
        (lambda d: d["city"].pop("timezone"), r"city\.timezone: missing"),
        (lambda d: d["city"].update(timezone="Asia/Pingdingshan"), r"city\.timezone: unknown time zone"),
    ],
)
def test_mistakes_name_the_key(tmp_path, change, message):
    data = yaml.safe_load(yaml.safe_dump(GOOD, allow_unicode=True))
    change(data)
    with pytest.raises(config.ConfigError, match=message):
        registry.load(write(tmp_path, data))


def test_broken_yaml_names_the_file(tmp_path):
    path = tmp_path / "departments.yaml"
    path.write_text("departments: [\n", encoding="utf-8")
    with pytest.raises(config.ConfigError, match="departments.yaml: not valid YAML"):
        registry.load(path)


HTTP_FEED = {"id": "jtys_penalty_api", "kind": "http", "dataset": "penalty", "conn_id": "jtys_api", "path": "/api/cf"}
SQL_FEED = {"id": "jtys_license_db", "kind": "sql", "dataset": "license", "conn_id": "jtys_db", "table": "gs.xk"}


def with_feeds(*feeds: dict) -> dict:
    data = yaml.safe_load(yaml.safe_dump(GOOD, allow_unicode=True))
    data["departments"][0]["feeds"] = [dict(f) for f in feeds]
    return data


def test_http_and_sql_feeds_get_their_pull_settings(tmp_path):
    http = {**HTTP_FEED, "pagination": "cursor", "page_size": 500, "records_path": "data.items", "auth": "token",
            "watermark": {"field": "updated_at", "param": "updated_since"}, "params": {"region": "410400"}}  # fmt: skip
    sql = {**SQL_FEED, "dataset": "credit_list", "mode": "snapshot", "watermark_column": "gxsj", "chunk_size": 2000}
    reg = registry.load(write(tmp_path, with_feeds(GOOD["departments"][0]["feeds"][0], http, sql)))
    source = reg.feed("jtys_penalty_api").source
    assert (source.path, source.pagination, source.page_size, source.records_path, source.auth) == (
        "/api/cf", "cursor", 500, "data.items", "token"
    )  # fmt: skip
    assert (source.watermark_field, source.watermark_param, source.params) == (
        "updated_at", "updated_since", {"region": "410400"}
    )  # fmt: skip
    assert (source.retries, source.page_param, source.size_param) == (5, "page", "size")  # defaults
    expected_sql = registry.SqlSource(table="gs.xk", watermark_column="gxsj", chunk_size=2000)
    assert reg.feed("jtys_license_db").source == expected_sql
    assert reg.feed("jtys_license_db").options == {"mode": "snapshot"}  # a pulled credit list may be a snapshot
    assert reg.feed("scjg_license").source is None


@pytest.mark.parametrize(
    ("feed", "message"),
    [
        ({**HTTP_FEED, "pagination": "offset"}, r"feeds\[jtys_penalty_api\]\.pagination: expected page or cursor"),
        ({**HTTP_FEED, "page_size": 0}, r"feeds\[jtys_penalty_api\]\.page_size: expected a positive whole number"),
        ({**HTTP_FEED, "timeout": "30s"}, r"feeds\[jtys_penalty_api\]\.timeout: expected a positive number"),
        ({**HTTP_FEED, "auth": "oauth"}, r"feeds\[jtys_penalty_api\]\.auth: expected one of none, basic, token"),
        ({**HTTP_FEED, "pagnation": "cursor"}, r"feeds\[jtys_penalty_api\]\.pagnation: unknown key for a http feed"),
        ({**HTTP_FEED, "watermark": "updated_at"}, r"feeds\[jtys_penalty_api\]\.watermark: expected a mapping"),
        ({**HTTP_FEED, "watermark": {"field": "", "param": "since"}}, r"\.watermark\.field: expected a non-empty"),
        ({k: v for k, v in HTTP_FEED.items() if k != "path"}, r"feeds\[jtys_penalty_api\]\.path: missing"),
        ({**HTTP_FEED, "password": "secret"}, r"feeds\[jtys_penalty_api\]\.password: unknown key"),
        ({**SQL_FEED, "query": "SELECT 1"}, r"feeds\[jtys_license_db\]: give exactly one of query and table"),
        ({k: v for k, v in SQL_FEED.items() if k != "table"}, r"feeds\[jtys_license_db\]: give exactly one of query"),
        ({**SQL_FEED, "chunk_size": -5}, r"feeds\[jtys_license_db\]\.chunk_size: expected a positive whole number"),
        ({**SQL_FEED, "pagination": "page"}, r"feeds\[jtys_license_db\]\.pagination: unknown key for a sql feed"),
    ],
)
def test_pull_setting_mistakes_name_the_key(tmp_path, feed, message):
    with pytest.raises(config.ConfigError, match=message):
        registry.load(write(tmp_path, with_feeds(feed)))


def test_the_registry_can_be_named_by_an_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("CITYCREDIT_REGISTRY", str(write(tmp_path, with_feeds(HTTP_FEED))))
    assert [f.id for f in registry.load().feeds] == ["jtys_penalty_api"]
