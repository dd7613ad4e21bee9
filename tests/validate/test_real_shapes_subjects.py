"""个转企 subjects, 组织机构代码 and register values in the shapes 宁波 publishes them.

The fixtures and where their shapes come from: tests/data/real_shapes/README.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from citycredit.validate.selfcheck import run_check

SHAPES = Path(__file__).parents[1] / "data" / "real_shapes"
REPORTED_ON = date(2025, 9, 30)


def rows_of(result, rule_id: str) -> list[int]:
    return sorted(int(r) for r in result.findings.loc[result.findings["rule_id"] == rule_id, "source_row"])


def test_license_rows_of_converted_enterprises_raise_no_prefix_warning_and_bad_org_codes_are_named():
    result = run_check(SHAPES / "ningbo_licenses.csv", "license", REPORTED_ON)
    raw = pd.read_csv(SHAPES / "ningbo_licenses.csv", dtype=str, keep_default_na=False)
    converted = raw["统一社会信用代码"].str.startswith("92") & raw["行政相对人类别"].eq("法人及非法人组织")
    assert converted.sum() == 9  # 8 个转企 companies and the 事业单位 of row 30
    assert rows_of(result, "XK-ID-XDR_SHXYM-PREFIX-ORG") == [30]  # only the 92 code beside a 事业单位证书号
    assert rows_of(result, "XK-ID-XDR_ZZJG") == [3, 4, 5]  # 7 digits, wrong check, a whole USCC
    zzjg = result.findings[result.findings["rule_id"] == "XK-ID-XDR_ZZJG"].iloc[0]
    assert (zzjg["label"], zzjg["category"], zzjg["severity"]) == ("组织机构代码", "identifier", "warning")
    rows = result.findings[result.findings["source_row"].notna()]
    assert set(rows["rule_id"]) == {"XK-ID-XDR_SHXYM-PREFIX-ORG", "XK-ID-XDR_ZZJG", "XK-TIME-LATE"}


def test_the_register_accepts_converted_enterprises_and_the_published_area_codes():
    result = run_check(SHAPES / "ningbo_register.csv", "subject_registry", REPORTED_ON)
    rows = result.findings[result.findings["source_row"].notna()]
    assert rows_of(result, "ZT-ID-SHXYM-PREFIX-GT") == [42]  # a 个体工商户 with a 91 code; 个转企 rows pass
    assert set(rows["rule_id"]) == {"ZT-ID-SHXYM-PREFIX-GT"}  # 9-digit 行政区划代码, 2008-6-16 dates, 开业 all pass


def test_the_six_commitment_types_of_the_city_plan_are_accepted():
    result = run_check(SHAPES / "commitment_types.csv", "credit_commitment", REPORTED_ON)
    assert result.rows == 6
    assert not result.findings["rule_id"].eq("CN-CODE-LX").any()


def test_values_real_publishers_write_are_read_and_an_old_template_code_is_explained(tmp_path):
    rows = pd.read_csv(SHAPES / "ningbo_licenses.csv", dtype=str, keep_default_na=False).head(3)
    rows["证件类型"] = ["外国（地区）护照", "中华人民共和国护照", "护照"]  # 市场监管's 证件类型 wording
    rows.loc[2, "当前状态"] = "0"  # 正常 in the old template
    path = tmp_path / "licenses.csv"
    rows.to_csv(path, index=False)
    findings = run_check(path, "license", REPORTED_ON).findings
    assert not findings["rule_id"].eq("XK-CODE-XDR_ZJLX").any()
    state = findings[findings["rule_id"] == "XK-CODE-ZT"]
    assert state["source_row"].tolist() == [4] and "旧模板" in state["message"].iloc[0]
