"""The 城市信用指标数据反馈表 as a clerk opens it (issue #19): the city's and each department's own form, the
statistical period and the deadline of the following month, the configured version, 待人工填报 marks, and where
each prefilled value's definition comes from; a broken version file is a ConfigError naming the key.

September 2025, two departments deliver 行政许可: 市场监管局 4 records of which 2 are rejected (准确率 2/4 = 50%),
生态环境局 2 good ones (2/2 = 100%); the city's 准确率 is (2 + 2) / 6 = 66.67%. 交通运输局 delivers nothing.
"""

from __future__ import annotations

import csv
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import yaml
from openpyxl import load_workbook

from citycredit.core import config, migrations, paths, warehouse
from citycredit.feeds import registry
from citycredit.indicators import compute, definitions
from citycredit.publish import form_config, indicator_form, month_files

CITY = ZoneInfo("Asia/Shanghai")
HEADERS = [
    "行政相对人名称", "行政相对人类别", "统一社会信用代码", "法定代表人", "证件类型", "证件号码",
    "行政许可决定文书名称", "行政许可决定文书号", "许可类别", "许可内容", "许可决定日期", "有效期自",
    "有效期至", "许可机关", "许可机关统一社会信用代码", "当前状态", "数据来源单位", "数据来源单位统一社会信用代码",
    "备注",
]  # fmt: skip
PERIOD = "统计期：2025年9月1日至9月30日；报送截止：2025年10月20日17:00（北京时间）"
ACCURACY = ("三", "双公示上报数据准确率")
SOURCE_OF_ACCURACY = "济信用办〔2020〕14号 第三项"


def record(department: registry.Department, name: str, code: str, number: int, **changes) -> list[str]:
    values = {
        "行政相对人名称": name, "行政相对人类别": "法人及非法人组织", "统一社会信用代码": code, "法定代表人": "李四",
        "证件类型": "", "证件号码": "", "行政许可决定文书名称": "准予行政许可决定书",
        "行政许可决定文书号": f"平许〔2025〕{number}号", "许可类别": "普通", "许可内容": "经营许可",
        "许可决定日期": "2025-09-01", "有效期自": "2025-09-01", "有效期至": "2030-08-31", "许可机关": department.name,
        "许可机关统一社会信用代码": department.uscc, "当前状态": "1", "数据来源单位": department.name,
        "数据来源单位统一社会信用代码": department.uscc, "备注": "", **changes,
    }  # fmt: skip
    return [values[h] for h in HEADERS]


def deliver(department: registry.Department, rows: list[list[str]]) -> None:
    path = paths.home() / "landing" / "inbox" / department.id / f"{department.id}_license" / "许可_2025-09.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([HEADERS, *rows])
    stamp = datetime(2025, 9, 5, 10, tzinfo=CITY).timestamp()
    os.utime(path, (stamp, stamp))


@pytest.fixture(scope="module")
def month(server_url, tmp_path_factory):
    from citycredit.tasks import ingest

    home = tmp_path_factory.mktemp("home")
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"cc_form_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    engine = warehouse.engine(url)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CITYCREDIT_HOME", str(home))
        mp.setenv("CITYCREDIT_WAREHOUSE_URL", url)
        migrations.upgrade(engine)
        reg = registry.load()
        scjg, sthj = reg.department("scjg"), reg.department("sthj")
        deliver(scjg, [
            record(scjg, "平顶山市示例一号有限公司", "91330100799655058B", 1),
            record(scjg, "平顶山市示例二号有限公司", "91110108551385082Q", 2),
            record(scjg, "平顶山市示例三号有限公司", "91330100799655058C", 3),  # check character wrong
            record(scjg, "平顶山市示例四号有限公司", "91440300708461136T", 4, 许可内容=""),  # required field empty
        ])  # fmt: skip
        deliver(sthj, [
            record(sthj, "平顶山市示例五号有限公司", "914403001922038216", 5),
            record(sthj, "平顶山市示例六号有限公司", "91440300708461136T", 6),
        ])  # fmt: skip
        for feed in ("scjg_license", "sthj_license"):
            for batch in ingest.land_feed(feed):
                ingest.load_batch(ingest.validate_batch(ingest.normalize_batch(batch)))
        compute.compute_month(engine, "2025-09")
        published = month_files.publish(engine, "2025-09")
        yield {"home": home, "engine": engine, "published": published}
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def sheet(path: Path):
    ws = load_workbook(path).active
    lines = {(r[0].value, r[3].value or None): r for r in ws.iter_rows(min_row=indicator_form.HEADER_ROW + 1)}
    return ws, lines


def texts(ws) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


@pytest.mark.db
def test_the_city_form_states_the_whole_month_and_the_next_months_deadline(month):
    path = month["published"].form
    assert path == month["home"] / "reports" / "2025-09" / "城市信用指标数据反馈表_2025-09.xlsx"
    ws, lines = sheet(path)
    assert ws["A1"].value == "城市信用指标数据反馈表（2025年9月）"
    assert ws["A2"].value == "填报单位：平顶山市；填报范围：全市汇总（各成员单位数据）"
    assert ws["A3"].value == PERIOD
    assert not [t for t in texts(ws) if "2025-09-20" in t or "9月20日" in t], "not due before the month ends"
    assert "平信用办〔2020〕2号" in ws["A4"].value and "附件3" in ws["A4"].value
    assert "城市信用状况监测预警指标（2020年版）" in ws["A4"].value and "济信用办〔2020〕14号" in ws["A4"].value
    assert [c.value for c in ws[indicator_form.HEADER_ROW]] == indicator_form.HEADERS
    numbers = [n for n, _ in lines if n and n != indicator_form.APPENDIX_NUMBER and not str(n).startswith("注")]
    covered = [k for n in dict.fromkeys(numbers) for k in form_config.numbers(n)]
    assert covered == list(range(1, 40)), "the 39 items of 济信用办〔2020〕14号, in order, each once"
    accuracy = lines[ACCURACY]
    assert accuracy[4].value == pytest.approx(4 / 6) and (accuracy[5].value, accuracy[6].value) == (4, 6)
    assert accuracy[7].value == indicator_form.PREFILLED and accuracy[4].number_format == "0.00%"
    assert accuracy[8].value.startswith("正确数据量 / 报送数据量")
    assert accuracy[9].value.startswith(SOURCE_OF_ACCURACY)
    assert accuracy[1].value == "信用信息公示情况"
    manual = lines[("十八", None)]
    assert manual[2].value == "开展各类诚信宣传活动次数" and manual[4].value is None
    assert manual[7].value == indicator_form.MANUAL and manual[4].fill.fgColor.rgb.endswith(indicator_form.ENTRY_FILL)
    assert lines[("二十七至三十", None)][7].value == indicator_form.MANUAL
    assert accuracy[4].fill.fgColor.rgb in ("00000000", None), "a prefilled value is not marked for entry"


@pytest.mark.db
def test_every_prefilled_value_names_its_definition_and_every_indicator_shows(month):
    ws, lines = sheet(month["published"].form)
    shown = {r[3].value: r for r in lines.values() if r[3].value}
    assert set(shown) == {d.name for d in definitions.definitions().values()}, "every computed indicator is on it"
    for ind, d in definitions.definitions().items():
        row = shown[d.name]
        assert row[9].value == form_config.citation(ind) and row[9].value, ind
        assert row[8].value, f"{ind} has a 口径说明"
    assert shown["双公示迟报率"][9].value.startswith("济信用办〔2020〕14号 第四项")
    assert shown["重错码率"][9].value.startswith("济信用办〔2020〕14号 第九项")
    assert not [t for t in texts(ws) if "seeds/" in t or ".yaml" in t or "include/" in t], "no file path for a clerk"


@pytest.mark.db
def test_each_department_has_its_own_form_beside_its_feedback_with_its_own_values(month):
    published = month["published"]
    departments = registry.load().departments
    assert sorted(published.forms) == sorted(d.id for d in departments)
    _, city = sheet(published.form)
    for d in departments:
        path = published.forms[d.id]
        assert path.parent == published.feedback[d.id].parent == month["home"] / "feedback" / "2025-09" / d.id
        assert path.name == f"城市信用指标数据反馈表_{d.id}_2025-09.xlsx"
        ws, lines = sheet(path)
        assert ws["A2"].value == f"填报单位：{d.name}；填报范围：本单位、本系统、本领域内"
        assert ws["A3"].value == PERIOD
        assert list(lines) == list(city), "the same items as the city's form"
    _, scjg = sheet(published.forms["scjg"])
    _, sthj = sheet(published.forms["sthj"])
    _, jtys = sheet(published.forms["jtys"])
    assert (scjg[ACCURACY][4].value, scjg[ACCURACY][5].value, scjg[ACCURACY][6].value) == (0.5, 2, 4)
    assert sthj[ACCURACY][4].value == 1.0 and city[ACCURACY][4].value == pytest.approx(4 / 6)
    assert scjg[ACCURACY][7].value == indicator_form.PREFILLED and scjg[ACCURACY][9].value.startswith(
        SOURCE_OF_ACCURACY
    )
    assert jtys[ACCURACY][4].value is None and jtys[ACCURACY][7].value == indicator_form.NO_DEPARTMENT_DATA
    assert jtys[ACCURACY][4].fill.fgColor.rgb.endswith(indicator_form.ENTRY_FILL)
    error_rate = scjg[("九", "重错码率")]
    assert city[("九", "重错码率")][4].value is not None, "the city's 重错码率 is computed"
    assert error_rate[4].value is None and error_rate[7].value == indicator_form.CITY_ONLY, "not the city's value"
    assert scjg[("十八", None)][7].value == indicator_form.MANUAL


@pytest.mark.db
def test_the_report_links_every_departments_form_and_footnotes_every_indicators_source(month):
    published = month["published"]
    html = published.report.read_text(encoding="utf-8")
    for d, path in published.forms.items():
        href = "../../" + "/".join(quote(p) for p in path.relative_to(month["home"]).parts)
        assert f'href="{href}"' in html, d
    notes = html[html.index('id="indicator-notes"') :]
    for ind, d in definitions.definitions().items():
        assert f"{d.name.replace('本月', '2025年09月')}：" in notes and form_config.citation(ind) in notes, ind
    appendix = html[html.index('id="all-indicators"') : html.index('id="indicator-notes"')]
    row = next(r for r in appendix.split("<tr>") if "双公示上报数据准确率" in r)
    assert "66.7%（4 / 6）" in row and "平顶山市市场监督管理局 50.0%（2 / 4）" in row
    assert "平顶山市生态环境局 100.0%（2 / 2）" in row
    assert "本月" not in appendix + notes[: notes.index("</ol>")], "the report names the month it means"
    assert "2025年09月末已纠正" in notes


# --- the configuration -----------------------------------------------------------------------------------------


def config_copy(tmp_path: Path, version: str = "2020", change=None) -> Path:
    """include/config's form files in tmp_path, the version file changed by change(raw)."""
    shutil.copy(paths.CONFIG_DIR / form_config.FORM_FILE, tmp_path / form_config.FORM_FILE)
    raw = yaml.safe_load((paths.CONFIG_DIR / form_config.VERSIONS / "2020.yaml").read_text(encoding="utf-8"))
    if change:
        change(raw)
    (tmp_path / form_config.VERSIONS).mkdir()
    (tmp_path / form_config.VERSIONS / f"{version}.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return tmp_path


def test_the_shipped_version_is_the_2020_one_with_39_items():
    spec = form_config.load()
    assert spec["version"] == "2020" and spec["document"]["number"] == "平信用办〔2020〕2号"
    assert spec["indicator_system"]["name"] == "城市信用状况监测预警指标（2020年版）"
    assert sum(len(form_config.numbers(i["number"])) for i in spec["items"]) == 39


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw["groups"][1]["items"][0]["indicators"].append("no_such"),
         "feedback_forms/2020.yaml: groups[1].items[0].indicators: unknown indicator 'no_such'"),
        (lambda raw: raw["groups"][0]["items"].append({"number": "三", "name": "重复"}),
         "feedback_forms/2020.yaml: groups[1].items[0].number: 三 repeats groups[0].items[2].number"),
        (lambda raw: raw["groups"][14]["items"].pop(),
         "feedback_forms/2020.yaml: indicator_system.items: 39 items, the items cover 38 (missing numbers [39])"),
        (lambda raw: raw["groups"][0]["items"][0].update(number="1"),
         "groups[0].items[0].number: '1' is not a Chinese numeral or range"),
        (lambda raw: raw["period"]["deadline"].update(time="25:00"), "feedback_forms/2020.yaml: period.deadline"),
        (lambda raw: raw.pop("document"), "feedback_forms/2020.yaml: document: expected a mapping"),
    ],
)  # fmt: skip
def test_a_broken_version_is_a_config_error_naming_the_key(tmp_path, change, message):
    with pytest.raises(config.ConfigError) as exc:
        form_config.load(config_copy(tmp_path, change=change))
    assert message in str(exc.value)


def test_a_current_version_without_its_file_is_a_config_error(tmp_path):
    directory = config_copy(tmp_path, version="2019")  # the file is 2019.yaml, current still says 2020
    with pytest.raises(config.ConfigError, match=r"feedback_form.yaml: current: version '2020' has no file"):
        form_config.load(directory)


def test_another_version_is_a_data_change(tmp_path):
    """An earlier 31-item form: a file and `current`, no code."""

    def earlier(raw):
        raw["indicator_system"] = {"name": "城市信用状况监测预警指标（2019年版）", "numbered_by": "附件3", "items": 31}
        items = [
            {"number": "一至三十", "name": "可上报事项"},
            {"number": "三十一", "name": "双公示", "indicators": ["shuanggongshi_accuracy"]},
        ]
        raw["groups"] = [{"name": "城市报送", "items": items}]

    directory = config_copy(tmp_path, version="2019", change=earlier)
    shared = (
        (directory / form_config.FORM_FILE).read_text(encoding="utf-8").replace('current: "2020"', 'current: "2019"')
    )
    (directory / form_config.FORM_FILE).write_text(shared, encoding="utf-8")
    spec = form_config.load(directory)
    assert spec["version"] == "2019" and [i["number"] for i in spec["items"]] == ["一至三十", "三十一"]
    assert spec["items"][1]["indicators"] == ["shuanggongshi_accuracy"]
