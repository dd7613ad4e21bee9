"""Known-answer indicators over credit lists, the subject register and the 统一社会信用代码 stock, for January
2026: the 12-month window runs from 2025-02-01 across the year boundary; subjects are listed and removed inside
the window, on its first day and on the day before it."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml
from support.indicator_rows import batch, list_period, loaded, register_subject, uscc_observation, values

from citycredit.core import city
from citycredit.feeds import registry
from citycredit.indicators import compute, definitions

pytestmark = pytest.mark.db
MONTH = "2026-01"


@pytest.fixture
def lists(engine):
    with engine.begin() as conn:
        scjg = batch(conn, "scjg", "credit_list", "2026-01-05 09:00")
        list_period(conn, scjg, 2, "甲", "2024-06-01")  # on the list throughout
        list_period(conn, scjg, 3, "乙", "2024-03-01", "2025-06-30")  # on at the window's start, removed in it
        list_period(conn, scjg, 4, "乙", "2025-09-01")  # ... and listed again
        list_period(conn, scjg, 5, "丙", "2025-03-10", "2025-11-20")  # listed and removed within the window
        list_period(conn, scjg, 6, "丙", "2025-12-15")  # ... and listed again
        list_period(conn, scjg, 7, "张三", "2025-05-01", kind="自然人")  # a person: not a 企业
        list_period(conn, scjg, 8, "红", "2025-05-01", list_type="红名单")  # not a 严重失信 list
        yjgl = batch(conn, "yjgl", "credit_list", "2026-01-06 09:00")
        list_period(conn, yjgl, 2, "丁", "2025-01-31", "2026-02-01")  # listed the day before the window; still on
        list_period(conn, yjgl, 3, "戊", "2024-01-01", "2025-01-31")  # off the day before the window: outside it
        list_period(conn, yjgl, 4, "己", "2023-05-05", "2025-02-01")  # removed on the window's first day
        reg = batch(conn, "scjg", "subject_registry", "2026-01-31 23:00")
        for i in range(8):
            register_subject(conn, reg, 10 + i, f"企业{i}")
        register_subject(conn, reg, 20, "个体户", kind="个体工商户")
        register_subject(conn, reg, 21, "已注销", status="注销")
        register_subject(conn, reg, 22, "二月成立", founded="2026-02-03")
    compute.compute_month(engine, MONTH)
    return engine


def test_serious_list_share_counts_enterprises_on_a_list_at_the_month_end(lists):
    # on the list on 2026-01-31: 甲, 乙 (again), 丙 (again), 丁; 法人企业 存续: 企业0..7
    assert values(lists, MONTH, "serious_list_share") == {("city", "all"): (4, 8, Decimal("0.5"))}


def test_serious_list_share_counts_every_serious_kind_over_one_population(engine):
    """Every list kind of class 严重失信 counts (市场监管's 严重违法失信名单 and 失信被执行人 too), 重点关注 kinds do
    not; and the numerator's population is the denominator's: 法人企业, so a listed 个体工商户 counts in neither."""
    with engine.begin() as conn:
        scjg = batch(conn, "scjg", "credit_list", "2026-01-05 09:00")
        list_period(conn, scjg, 2, "甲", "2025-06-01", list_type="严重违法失信名单")
        list_period(conn, scjg, 3, "乙", "2025-06-01", list_type="失信被执行人")
        list_period(conn, scjg, 4, "丙", "2025-06-01", list_type="经营异常名录")  # 重点关注: not 严重失信
        list_period(conn, scjg, 5, "个体户", "2025-06-01", kind="个体工商户")  # not a 法人企业
        reg = batch(conn, "scjg", "subject_registry", "2026-01-31 23:00")
        for i in range(4):
            register_subject(conn, reg, 10 + i, f"企业{i}")
        register_subject(conn, reg, 20, "个体户", kind="个体工商户")
    compute.compute_month(engine, MONTH)
    assert values(engine, MONTH, "serious_list_share") == {("city", "all"): (2, 4, Decimal("0.5"))}


@pytest.mark.parametrize(
    ("variant", "city", "scjg"),
    [
        # removed in the window: 乙 丙 己; on the list on 2025-01-31: 甲 乙 丁 己; added in it: 乙 丙
        ("opening_plus_added", (3, 6, Decimal("0.5")), (2, 4, Decimal("0.5"))),
        # on the list on some day of the window: 甲 乙 丙 丁 己
        ("ever_listed", (3, 5, Decimal("0.6")), (2, 3, Decimal("0.666667"))),
    ],
)
def test_exit_rate_in_both_variants(lists, monkeypatch, variant, city, scjg):
    definition = definitions.definitions()["serious_list_exit_rate"]
    monkeypatch.setitem(definition.params, "exit_variant", variant)
    compute.compute_month(lists, MONTH)
    result = values(lists, MONTH, "serious_list_exit_rate")
    assert result[("city", "all")] == city  # 'all', as the report and the 反馈表 read every indicator
    assert result[("scjg", "all")] == scjg
    assert result[("yjgl", "all")][0] == 1  # 己


def test_explain_names_the_periods_behind_the_exit_rate(lists):
    rows = compute.explain_rows(lists, "serious_list_exit_rate", MONTH)
    removed = sorted((r["subject_name"], str(r["removed_on"])) for r in rows if r["in_numerator"])
    assert removed == [("丙", "2025-11-20"), ("乙", "2025-06-30"), ("己", "2025-02-01")]
    assert all(len(r["sha256"]) == 64 and r["source_row"] for r in rows)


def test_average_credit_records_per_enterprise_and_per_person(lists):
    with lists.begin() as conn:
        lic = batch(conn, "scjg", "license", "2025-02-01 00:30")  # the window's first day
        loaded(conn, lic, 2, "license", xdr_lb="法人及非法人组织")
        loaded(conn, lic, 3, "license", xdr_lb="自然人")
        old = batch(conn, "scjg", "license", "2025-01-31 23:50")  # the day before
        loaded(conn, old, 2, "license", xdr_lb="法人及非法人组织")
        pen = batch(conn, "scjg", "penalty", "2026-01-31 23:59")
        loaded(conn, pen, 2, "penalty", xdr_lb="个体工商户")
    compute.compute_month(lists, MONTH)
    population = registry.load().city["population"]["count"]
    # 企业 records: 1 license + 1 penalty + periods 列入 in the window on any list: 乙(2025-09-01) 丙 丙(again) 红;
    # 自然人: 1 license + 张三.
    # 存续企业数: 8 企业 + 1 个体工商户 (the 注销 one and the one founded in February are not counted)
    enterprise, person = round(Decimal(6) / 9, 10), round(Decimal(2) / population, 10)
    assert values(lists, MONTH, "subject_average_records") == {
        ("city", "enterprise"): (6, 9, enterprise),
        ("city", "person"): (2, population, person),
        ("city", "all"): (None, None, enterprise + person),
    }


@pytest.mark.parametrize("code_total", [None, 40])
def test_code_error_rate_and_correction_rate(engine, code_total, tmp_path, monkeypatch):
    if code_total:  # the city's total of codes as the national center gives it (departments.yaml city.code_total)
        _, raw = city.registry_file()
        raw["city"]["code_total"] = {"count": code_total, "as_of": "2026-01-31", "source": "代码中心"}
        (tmp_path / "departments.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        monkeypatch.setenv(city.REGISTRY_ENV, str(tmp_path / "departments.yaml"))
    with engine.begin() as conn:
        b = batch(conn, "scjg", "license", "2025-11-01 09:00")
        uscc_observation(conn, b, "914403001922038216", "甲公司", "2025-11-01", True)
        uscc_observation(conn, b, "914403001922038216", "乙公司", "2025-12-10", True, withdrawn="2026-01-15")
        uscc_observation(conn, b, "91110108717809965C", "丙公司", "2025-12-20", False)
        uscc_observation(conn, b, "12345", "庚公司", "2026-01-10", False)
        uscc_observation(conn, b, "91330100799655058B", "丁公司", "2025-12-01", True)
        uscc_observation(conn, b, "91110108551385082Q", "丁公司", "2025-12-02", True, withdrawn="2026-01-31")
        uscc_observation(conn, b, "91110000802100433B", "戊公司", "2026-02-01", True)
    compute.compute_month(engine, MONTH)
    # stock on 2026-01-31: the Huawei-like code (甲 only now), the two 错码, 丁's first code; the city's total of
    # codes, where configured, is the denominator instead (济信用办〔2020〕14号 item 九: 占全市代码总量比率)
    expected = (2, 40, Decimal("0.05")) if code_total else (2, 4, Decimal("0.5"))
    assert values(engine, MONTH, "uscc_error_rate") == {("city", "all"): expected}
    # open on 2025-12-31: 一码多名 (甲/乙), 错码 丙, 一名多码 丁; gone by 2026-01-31: the first and the last
    assert values(engine, MONTH, "uscc_correction_rate") == {("city", "all"): (2, 3, Decimal("0.666667"))}
    corrected = compute.explain_rows(engine, "uscc_correction_rate", MONTH)
    assert sorted(r["issue_kind"] for r in corrected if r["in_numerator"]) == ["一名多码", "一码多名"]
