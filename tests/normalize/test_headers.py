"""Header matching on the headers real publishers use (tests/data/real_shapes/headers/, issue #17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from citycredit.normalize import readers, standardize

SHAPES = Path(__file__).parents[1] / "data" / "real_shapes" / "headers"


@pytest.mark.parametrize(
    ("dataset", "header", "field"),
    [
        ("license", "行政许可决定书文号", "xk_wsh"),  # the older national label
        ("license", "许可决定书文号", "xk_wsh"),
        ("penalty", "工商登记码", "cf_xdr_gszc"),
        ("license", "工商登记码", "xk_xdr_gszc"),
        ("penalty", "居民身份证号", "cf_xdr_zjhm"),
        ("penalty", "处罚截止期", "cf_yxq"),
        ("penalty", "法定代表人名称", "cf_frdb"),
        ("license", "法定代表人名称", "xk_frdb"),
        ("penalty", "企业名称", "cf_xdr_mc"),
        ("license", "xk_xdr_mc", "xk_xdr_mc"),  # lower-case national codes
        ("penalty", "cf_xdr_mc", "cf_xdr_mc"),
        ("penalty", "cf_cflb2", "cf_cflb"),
        ("credit_list", "uni_social_crd_cd", "md_shxym"),
        ("credit_list", "comp_nm", "md_zt_mc"),
        ("credit_list", "inclu_dt", "md_lrrq"),
        ("credit_list", "inclu_reason", "md_lryj"),
        ("credit_list", "remove_dt", "md_ycrq"),
        ("credit_list", "remexcpres_cn", "md_ycyy"),
        ("credit_list", "decorg_cn", "md_rdbm"),
        ("subject_registry", "uni_social_crd_cd", "zt_shxym"),
        ("subject_registry", "comp_nm", "zt_mc"),
        ("penalty", "行政相对人名称 Name", "cf_xdr_mc"),  # a second language after the label …
        ("penalty", "Name 行政相对人名称", "cf_xdr_mc"),  # … or before it
        ("penalty", "行政相对人名称（Name）", "cf_xdr_mc"),
        ("penalty", "CF_XDR_MC 行政相对人名称", "cf_xdr_mc"),
        ("penalty", "罚款金额（万元） Fine", "cf_nr_fk"),
        ("penalty", "*处罚类别1 Penalty type", "cf_cflb"),
        ("penalty", "处罚类别（2）", "cf_cflb"),
        ("penalty", "ＣＦ＿ＸＤＲ＿ＭＣ", "cf_xdr_mc"),  # full-width
        ("penalty", "行政相对人代码_2", "cf_xdr_gszc"),  # the national template's numbering without its bracket
        ("license", "行政相对人代码_6", "xk_xdr_shzz"),
    ],
)
def test_real_headers_match_their_field(dataset, header, field):
    assert standardize.map_headers([header], dataset).columns == {header: field}


@pytest.mark.parametrize(
    ("dataset", "header"),
    [
        ("penalty", "罚款金额(元)"),  # a unit in 元 is not the 万元 field
        ("penalty", "处罚名称"),
        ("credit_list", "redecorg_cn"),  # 移出决定机关 is not 认定部门
        ("penalty", "Name"),
    ],
)
def test_headers_that_are_no_field_stay_unknown(dataset, header):
    assert standardize.map_headers([header], dataset).unknown == [header]


def test_numbered_columns_of_a_multi_value_field_are_read_as_one_list():
    headers = ["处罚类别1", "处罚类别2", "处罚决定日期", "处罚决定日期2"]
    header_map = standardize.map_headers(headers, "penalty")
    assert header_map.columns == {"处罚类别1": "cf_cflb", "处罚类别2": "cf_cflb", "处罚决定日期": "cf_jdrq"}
    # a single-value field takes the first column; the second is a duplicate, named in the findings
    assert header_map.duplicates == {"处罚决定日期2": "cf_jdrq"}


def test_shenzhen_penalty_open_data_normalizes_its_old_template_headers():
    table = readers.open_table(SHAPES / "shenzhen_penalty.csv", dataset="penalty")
    header_map = standardize.map_headers(table.headers, "penalty")
    assert header_map.unknown == ["处罚名称", "当前状态", "地方编码"]  # 数据更新时间戳 is the record's update time
    frame = standardize.normalize_frame(next(table.chunks()), "penalty", header_map)
    assert frame["cf_cflb"].tolist()[:2] == ["罚款;没收违法所得", "警告"]
    assert frame["cf_jdrq"].tolist() == ["2022-05-16", "2022-05-16", "2022-05-17", "2022-05-17"]
    assert frame["cf_xdr_shxym"].isna().tolist() == [False, True, True, True]  # "— —" is no code
    assert frame["cf_frdb"].isna().tolist() == [False, True, True, True]  # "无" is no name
    assert frame["cf_xdr_mc"].tolist()[2] == "#N/A"  # kept in a required column, for validation to name it
    assert '"地方编码":"440300"' in frame["_extra"].iloc[0]  # an unknown column loses nothing
    assert frame["cf_sjc"].tolist()[1:3] == ["2022-05-16T00:00:00+08:00", "2022-05-17T00:00:00+08:00"]  # epoch ms


def test_ningbo_lower_case_codes_and_open_ended_validity():
    table = readers.open_table(SHAPES / "ningbo_license_codes.csv", dataset="license")
    header_map = standardize.map_headers(table.headers, "license")
    assert (header_map.unknown, header_map.missing_required) == (["dfbm"], [])
    frame = standardize.normalize_frame(next(table.chunks()), "license", header_map)
    assert frame["xk_yxqzi"].tolist() == ["2099-12-31", "2099-12-31"]  # 长期, 长期有效
    assert frame["xk_jdrq"].tolist() == ["2022-05-16", "2022-05-16"]
    assert frame["xk_sjc"].tolist() == ["2022-05-16T00:00:00+08:00"] * 2  # sjc: 数据更新时间戳 in epoch milliseconds


def test_samr_open_data_codes():
    table = readers.open_table(SHAPES / "samr_abnormal_list.csv", dataset="credit_list")
    header_map = standardize.map_headers(table.headers, "credit_list")
    assert set(header_map.columns.values()) == {"md_shxym", "md_zt_mc", "md_lrrq", "md_lryj", "md_ycrq", "md_ycyy",
                                                "md_rdbm"}  # fmt: skip
    assert (header_map.unknown, header_map.missing_required) == (["redecorg_cn"], ["md_lx"])


def test_provincial_template_with_two_languages_markers_and_hints():
    table = readers.open_table(SHAPES / "provincial_template_penalty.csv", dataset="penalty")
    header_map = standardize.map_headers(table.headers, "penalty")
    assert (header_map.unknown, header_map.missing_required, header_map.duplicates) == (["经办人"], [], {})
    frame = standardize.normalize_frame(next(table.chunks()), "penalty", header_map)
    assert frame["cf_cflb"].tolist() == ["罚款;没收违法所得", "警告"]
    assert frame["cf_sy"].iloc[1] == '＝HYPERLINK("x")'  # the leading full-width ＝ is no formula trigger
