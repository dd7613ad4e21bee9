"""The feed registry names the key of every configuration mistake."""

import pytest
import yaml

from citycredit import config, registry

GOOD = {
    "city": {"name": "平顶山市"},
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
        (lambda d: d["departments"].append(dict(d["departments"][0])), r"departments\[scjg\]\.id: used twice"),
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
