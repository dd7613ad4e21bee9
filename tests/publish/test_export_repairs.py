"""信用修复 in the provincial export (export.yaml `credit_repair`): a granted repair withdraws, masks or flags the
record it names from its 办结日期 on, in the outbox files the province reads and in what the push would send."""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import yaml

from citycredit.core import paths
from citycredit.core.config import ConfigError
from citycredit.load import merge
from citycredit.publish import export, repairs
from citycredit.publish.export_format import load_exclusions, load_profile
from citycredit.publish.outbox import export_outbox

pytestmark = pytest.mark.db

DEPT = "11410400MB0000000X"
REPAIRED_ON = date(2025, 10, 10)
DAY_BEFORE = date(2025, 10, 9)
COMPANY = {
    "cf_xdr_mc": "平顶山市示例商贸有限公司",
    "cf_xdr_lb": "法人及非法人组织",
    "cf_xdr_shxym": "914403001922038216",
    "cf_frdb": "赵一",
    "cf_wsh": "平市监罚〔2025〕1号",
    "cf_wfxw": "经营超过保质期的食品",
    "cf_sy": "当事人经营超过保质期的食品。",
    "cf_yj": "《中华人民共和国食品安全法》第一百二十四条",
    "cf_cflb": "警告;罚款",
    "cf_nr": "警告，罚款2000元",
    "cf_nr_fk": "0.2",
    "cf_jdrq": "2025-09-01",
    "cf_yxq": "2025-09-08",
    "cf_gsjzq": "2026-03-01",
    "cf_cfjg": "平顶山市市场监督管理局",
    "cf_cfjgdm": DEPT,
    "cf_sjly": "平顶山市市场监督管理局",
    "cf_sjlydm": DEPT,
}
OTHER = {**COMPANY, "cf_wsh": "平市监罚〔2025〕2号", "cf_sy": "另案。"}
PERSON = {
    **COMPANY,
    "cf_xdr_mc": "王五",
    "cf_xdr_lb": "自然人",
    "cf_xdr_shxym": None,
    "cf_frdb": None,
    "cf_xdr_zjlx": "身份证",
    "cf_xdr_zjhm": "410402199001011234",
    "cf_wsh": "平市监罚〔2025〕3号",
    "bz": "原备注",
}


def repair(n: int, document: str, **values) -> dict:
    """A granted 行政处罚 repair of the company's penalty `document`, concluded on REPAIRED_ON."""
    return {
        "xf_bh": f"XF2025{n:03d}",
        "xf_zt_mc": COMPANY["cf_xdr_mc"],
        "xf_shxym": COMPANY["cf_xdr_shxym"],
        "xf_xxlx": "行政处罚",
        "xf_xxbh": document,
        "xf_slbm": "平顶山市发展和改革委员会",
        "xf_slrq": "2025-10-05",
        "xf_bjrq": REPAIRED_ON.isoformat(),
        "xf_jg": "准予修复",
        **values,
    }


def load_rows(engine, dataset: str, rows: list[dict], sha: str) -> None:
    """Stage rows as one validated batch without findings and load them into core."""
    with engine.begin() as conn:
        batch_id = conn.execute(
            sa.text(
                "INSERT INTO landing.batches (department_id, feed_id, dataset, source_name, sha256, size_bytes,"
                " stored_path, received_at, reported_on, status) VALUES ('scjg', :feed, :dataset, 'x.csv', :sha, 1,"
                " '/dev/null', :t, (CAST(:t AS timestamptz) AT TIME ZONE 'Asia/Shanghai')::date, 'validated')"
                " RETURNING batch_id"
            ),
            {"feed": f"scjg_{dataset}", "dataset": dataset, "sha": sha, "t": datetime(2025, 9, 5, tzinfo=UTC)},
        ).scalar()
        for source_row, values in enumerate(rows, start=2):
            cols = ["batch_id", "source_row", "reported_on", *values]
            conn.execute(
                sa.text(
                    f"INSERT INTO staging.{dataset}_rows ({', '.join(cols)})"
                    f" VALUES ({', '.join(':' + c for c in cols)})"
                ),
                {"batch_id": batch_id, "source_row": source_row, "reported_on": "2025-09-05", **values},
            )
    merge.load_batch(engine, batch_id)
    with engine.connect() as conn:
        assert conn.execute(
            sa.text(f"SELECT count(*) FROM core.{dataset} WHERE batch_id = :b"), {"b": batch_id}
        ).scalar()


def penalty_ids(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT cf_wsh, record_id FROM core.penalty WHERE is_current")).all())


def outbox_rows(batch: export.BatchReport, code: str = "CF") -> tuple[list[dict], list[dict], dict]:
    """The batch's CSV rows (as a person opens them), JSON records (as the province reads them) and manifest."""
    outbox, stem = paths.data_path("outbox"), f"410400_{code}_{batch.as_of:%Y%m%d}_{batch.batch_id}"
    rows = list(csv.DictReader(io.StringIO((outbox / f"{stem}.csv").read_text(encoding="utf-8"), newline="")))
    records = json.loads((outbox / f"{stem}.json").read_text(encoding="utf-8"))["records"]
    manifest = json.loads((outbox / f"410400_{batch.as_of:%Y%m%d}_{batch.batch_id}_manifest.json").read_text())
    assert [{k: v or "" for k, v in r.items()} for r in records] == rows
    return rows, records, manifest


def rules_with(tmp_path, effect: str) -> repairs.RepairRules:
    raw = yaml.safe_load((paths.CONFIG_DIR / "export.yaml").read_text(encoding="utf-8"))
    raw["credit_repair"]["categories"]["行政处罚"]["effect"] = effect
    (tmp_path / "export.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return repairs.load_rules(tmp_path)


# --- withdraw (the default for 行政处罚) ----------------------------------------------------------------------


def test_a_repaired_penalty_is_sent_as_it_was_the_day_before_and_withdrawn_from_the_repair_date(engine, capsys):
    earlier = {**COMPANY, "cf_wsh": "平市监罚〔2025〕5号"}
    load_rows(engine, "penalty", [COMPANY, OTHER, earlier], sha="p")
    # The company's penalty repaired on REPAIRED_ON, the 文书号 spelled with other brackets and spaces; `earlier`
    # repaired before it was ever exported.
    load_rows(
        engine,
        "credit_repair",
        [repair(1, "平市监罚[2025] 1号"), repair(2, earlier["cf_wsh"], xf_bjrq="2025-10-01", xf_jg="同意 修复")],
        sha="r",
    )
    ids = penalty_ids(engine)

    [before] = export_outbox(engine, DAY_BEFORE)

    assert before.counts == {"penalty": {"add": 2}}
    assert before.held_back_reasons == {repairs.REASON: 1}
    rows, _, _ = outbox_rows(before)
    assert {r["CF_WSH"]: r["CF_SY"] for r in rows} == {COMPANY["cf_wsh"]: COMPANY["cf_sy"], OTHER["cf_wsh"]: "另案。"}

    [on_the_day] = export_outbox(engine, REPAIRED_ON)

    assert on_the_day.counts == {"penalty": {"withdraw": 1}}
    assert on_the_day.repairs == {"applied": {"withdraw": 1}, "unmatched": 0}
    rows, records, manifest = outbox_rows(on_the_day)
    assert [(r["SJID"], r["CZLX"], r["CF_WSH"]) for r in rows] == [
        (f"410400-CF-{ids[COMPANY['cf_wsh']]}-withdraw", "D", COMPANY["cf_wsh"])
    ]
    assert manifest["repairs"] == {"applied": {"withdraw": 1}, "unmatched": 0}
    with engine.connect() as conn:
        reason = conn.execute(sa.text("SELECT reason FROM export.items WHERE action = 'withdraw'")).scalar()
    assert reason == repairs.REASON
    assert "信用修复：撤下 1" in export.describe(on_the_day)
    assert export_outbox(engine, date(2025, 10, 11)) == []


def test_a_repaired_credit_list_entry_named_in_its_basis_is_withdrawn(engine):
    load_rows(
        engine,
        "credit_list",
        [
            {
                "md_zt_mc": COMPANY["cf_xdr_mc"],
                "md_zt_lb": "法人及非法人组织",
                "md_shxym": COMPANY["cf_xdr_shxym"],
                "md_lx": "严重失信主体名单",
                "md_rdbm": "平顶山市市场监督管理局",
                "md_lrrq": "2025-06-01",
                "md_lryj": "平市监列〔2025〕7号：食品安全严重违法",
            }
        ],
        sha="l",
    )
    load_rows(engine, "credit_repair", [repair(1, "平市监列〔2025〕7号", xf_xxlx="信用名单")], sha="r")
    [listed] = export_outbox(engine, DAY_BEFORE)
    assert listed.counts == {"credit_list": {"add": 1}}

    [repaired] = export_outbox(engine, REPAIRED_ON)

    assert repaired.counts == {"credit_list": {"withdraw": 1}}
    rows, _, _ = outbox_rows(repaired, "MD")
    assert [(r["CZLX"], r["MD_SHXYM"]) for r in rows] == [("D", COMPANY["cf_xdr_shxym"])]


# --- mask and flag (configured) ------------------------------------------------------------------------------


@pytest.mark.parametrize("effect", ["mask", "flag"])
def test_a_masked_or_flagged_repair_sends_the_record_again_changed_from_the_repair_date(engine, tmp_path, effect):
    rules = rules_with(tmp_path, effect)
    load_rows(engine, "penalty", [COMPANY, OTHER, PERSON], sha="p")
    person_repair = repair(2, PERSON["cf_wsh"], xf_zt_mc="王五", xf_shxym=None, xf_zjhm=PERSON["cf_xdr_zjhm"])
    load_rows(engine, "credit_repair", [repair(1, COMPANY["cf_wsh"]), person_repair], sha="r")
    ids = penalty_ids(engine)

    [before] = export_outbox(engine, DAY_BEFORE, rules=rules)
    rows, _, _ = outbox_rows(before)
    assert {r["CF_WSH"]: (r["CF_SY"], r["BZ"]) for r in rows}[COMPANY["cf_wsh"]] == (COMPANY["cf_sy"], "")

    [batch] = export_outbox(engine, REPAIRED_ON, rules=rules)

    assert batch.counts == {"penalty": {"update": 2}}
    assert batch.repairs == {"applied": {effect: 2}, "unmatched": 0}
    rows, records, manifest = outbox_rows(batch)
    assert manifest["repairs"]["applied"] == {effect: 2}
    by_doc = {r["CF_WSH"]: r for r in rows}
    assert set(by_doc) == {COMPANY["cf_wsh"], PERSON["cf_wsh"]}
    company, person = by_doc[COMPANY["cf_wsh"]], by_doc[PERSON["cf_wsh"]]
    assert company["SJID"] == f"410400-CF-{ids[COMPANY['cf_wsh']]}-update-{effect}"
    assert company["CZLX"] == "U" and company["CF_XDR_SHXYM"] == COMPANY["cf_xdr_shxym"]
    assert company["CF_JDRQ"] == "2025-09-01" and person["CF_XDR_ZJHM"] == "4104**********1234"
    if effect == "mask":
        for r in (company, person):
            assert (r["CF_WFXW"], r["CF_SY"], r["CF_YJ"], r["CF_NR"]) == ("已屏蔽（信用修复）",) * 4
            assert (r["CF_NR_FK"], r["CF_CFLB"]) == ("", "警告;罚款")
        assert company["BZ"] == "" and person["BZ"] == "原备注"
        assert [r["CF_NR_FK"] for r in records] == [None, None]
    else:
        assert (company["CF_SY"], company["CF_NR_FK"]) == (COMPANY["cf_sy"], "0.2")
        assert company["BZ"] == "已信用修复（2025-10-10）"
        assert person["BZ"] == "原备注；已信用修复（2025-10-10）"

    # The push plans the same records for the province; a re-run sends nothing more.
    province_batch = export.plan_batch(engine, export.PROVINCE, REPAIRED_ON, load_profile(), load_exclusions(), rules)
    with engine.connect() as conn:
        payloads = conn.execute(
            sa.text("SELECT item_key, payload FROM export.items WHERE batch_id = :b AND effect = :e"),
            {"b": province_batch, "e": effect},
        ).all()
    assert {p["CF_SY"] for _, p in payloads} == ({"已屏蔽（信用修复）"} if effect == "mask" else {COMPANY["cf_sy"]})
    assert all(k.endswith(f"-add-{effect}") for k, _ in payloads) and len(payloads) == 2
    assert export_outbox(engine, date(2025, 10, 11), rules=rules) == []


# --- no effect, and repairs that name nothing -----------------------------------------------------------------


def test_a_refused_repair_or_one_of_another_category_changes_nothing(engine):
    granted = {**COMPANY, "cf_wsh": "平市监罚〔2025〕6号"}
    load_rows(engine, "penalty", [COMPANY, OTHER, granted], sha="p")
    load_rows(
        engine,
        "credit_repair",
        [
            repair(1, COMPANY["cf_wsh"], xf_jg="不予修复"),
            repair(2, OTHER["cf_wsh"], xf_xxlx="其他"),
            repair(3, OTHER["cf_wsh"], xf_bjrq=None, xf_jg=None),  # still open
            repair(4, granted["cf_wsh"], xf_jg="修复成功"),  # beside them, a granted one takes effect
        ],
        sha="r",
    )
    [batch] = export_outbox(engine, REPAIRED_ON)

    assert batch.counts == {"penalty": {"add": 2}}
    assert batch.held_back_reasons == {repairs.REASON: 1}
    assert batch.repairs == {"applied": {}, "unmatched": 0}
    rows, _, _ = outbox_rows(batch)
    assert {r["CF_WSH"]: r["CF_SY"] for r in rows} == {COMPANY["cf_wsh"]: COMPANY["cf_sy"], OTHER["cf_wsh"]: "另案。"}
    assert export_outbox(engine, date(2026, 1, 1)) == []


def test_a_repair_naming_no_record_is_counted_and_logged_not_fatal(engine, caplog):
    load_rows(engine, "penalty", [COMPANY], sha="p")
    load_rows(
        engine,
        "credit_repair",
        [
            repair(1, "平市监罚〔2025〕999号"),  # no such penalty
            repair(2, COMPANY["cf_wsh"], xf_shxym="91410400MA0000000X"),  # another subject
            repair(3, "平市监罚〔2025〕998号", xf_bjrq="2025-10-20"),  # not concluded yet on REPAIRED_ON
        ],
        sha="r",
    )
    with caplog.at_level(logging.WARNING, logger="citycredit.publish.repairs"):
        [batch] = export_outbox(engine, REPAIRED_ON)

    assert batch.counts == {"penalty": {"add": 1}}
    assert batch.repairs == {"applied": {}, "unmatched": 2}
    assert "XF2025001" in caplog.text and "XF2025002" in caplog.text and "XF2025003" not in caplog.text
    _, _, manifest = outbox_rows(batch)
    assert manifest["repairs"] == {"applied": {}, "unmatched": 2}
    assert "信用修复找不到被修复的信息：2 条" in export.describe(batch)


# --- the configuration ---------------------------------------------------------------------------------------


def test_the_configuration_names_what_each_effect_needs(tmp_path):
    rules = repairs.load_rules()
    assert rules.kinds["行政处罚"] == ("penalty", "withdraw") and rules.kinds["严重失信主体名单"][0] == "credit_list"
    assert {"准予修复", "同意修复", "修复成功"} <= set(rules.completed) and "不予修复" not in rules.completed
    raw = yaml.safe_load((paths.CONFIG_DIR / "export.yaml").read_text(encoding="utf-8"))
    raw["credit_repair"]["categories"]["行政处罚"]["effect"] = "erase"
    (tmp_path / "export.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="行政处罚.effect"):
        repairs.load_rules(tmp_path)
    raw["credit_repair"]["categories"]["行政处罚"]["effect"] = "mask"
    raw["credit_repair"]["datasets"]["penalty"]["mask"] = ["cf_nope"]
    (tmp_path / "export.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="cf_nope"):
        repairs.load_rules(tmp_path)
