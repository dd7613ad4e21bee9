"""Header matching and cell normalization, and the same records read from every supported file shape."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citycredit.core import config
from citycredit.normalize import readers, standardize

# --- The same records in every file shape ------------------------------------------------------------------------

USCCS = ["914403001922038216", "91330100799655058B", "9144030071526726XG", "91230500MA1B3N1N2M"]
AGENCY = ("平顶山市市场监督管理局", "11410400005260186J")


def license_records() -> list[dict[str, str | None]]:
    """Ten 行政许可 records in canonical form: 法人, 自然人 and 个体工商户 in turn."""
    records = []
    for i in range(10):
        decided = datetime.date(2025, 9, 1) + datetime.timedelta(days=3 * i)
        kind = ("法人及非法人组织", "自然人", "个体工商户")[i % 3]
        r = dict.fromkeys(config.field_names("license"))
        r.update(
            xk_xdr_lb=kind,
            xk_xkws="准予行政许可决定书",
            xk_wsh=f"平市监许〔2025〕{i + 1}号",
            xk_xklb=("普通", "特许", "认可", "核准", "登记", "其他")[i % 6],
            xk_xkzs="食品经营许可证",
            xk_xkbh=f"JY14104020{i:06d}",
            xk_nr="食品销售经营者(预包装食品销售);热食类食品制售",
            xk_jdrq=decided.isoformat(),
            xk_yxqz=decided.isoformat(),
            xk_yxqzi="2099-12-31" if i % 4 == 0 else decided.replace(year=2030).isoformat(),
            xk_xkjg=AGENCY[0],
            xk_xkjgdm=AGENCY[1],
            xk_zt="1",
            xk_lydw=AGENCY[0],
            xk_lydwdm=AGENCY[1],
            bz="补录" if i == 7 else None,
        )
        if kind == "自然人":
            r.update(xk_xdr_mc=f"李{i}", xk_xdr_zjlx="身份证", xk_xdr_zjhm="11010519491231002X")
        else:
            code = USCCS[i % 4] if kind == "法人及非法人组织" else "92330100MA2B3C4D17"
            r.update(
                xk_xdr_mc=f"平顶山市某某(中国)商贸有限公司{i}",
                xk_xdr_shxym=code,
                xk_xdr_zzjg=code[8:17],
                xk_frdb=f"张{i}",
                xk_fr_zjlx="身份证",
                xk_fr_zjhm="360426199101010071",
            )
        records.append(r)
    return records


def penalty_records() -> list[dict[str, str | None]]:
    records = []
    for i in range(10):
        decided = datetime.date(2025, 9, 1) + datetime.timedelta(days=2 * i)
        r = dict.fromkeys(config.field_names("penalty"))
        r.update(
            cf_xdr_mc=f"平顶山市某某(中国)商贸有限公司{i}",
            cf_xdr_lb="法人及非法人组织",
            cf_xdr_shxym=USCCS[i % 4],
            cf_frdb=f"张{i}",
            cf_fr_zjlx="身份证",
            cf_fr_zjhm="360426199101010071",
            cf_wsh=f"平市监罚〔2025〕{i + 1}号",
            cf_wfxw="未按规定公示信息",
            cf_sy="经查,当事人未按规定公示信息",
            cf_yj="《企业信息公示暂行条例》第十八条",
            cf_cflb=("警告;罚款", "罚款;没收违法所得;没收非法财物", "其他", "警告")[i % 4],
            cf_nr="罚款2000元",
            cf_nr_fk=("0.2", "1500", None, None)[i % 4],
            cf_nr_wfff="0.05" if i % 4 == 1 else None,
            cf_jdrq=decided.isoformat(),
            cf_yxq=(decided + datetime.timedelta(days=7)).isoformat(),
            cf_gsjzq=decided.replace(year=2026).isoformat(),
            cf_cfjg=AGENCY[0],
            cf_cfjgdm=AGENCY[1],
            cf_sjly=AGENCY[0],
            cf_sjlydm=AGENCY[1],
        )
        records.append(r)
    return records


RECORDS = {"license": license_records(), "penalty": penalty_records()}

LOCAL_CODES = {
    "法人及非法人组织": "02",
    "自然人": "01",
    "个体工商户": "04",
    "身份证": "01",
    "普通": "普通许可",
    "特许": "特许许可",
    "1": "有效",
    "其他": "其它许可",
}
LOCAL_PENALTY_CATEGORIES = {
    "警告;罚款": "罚款、警告；",
    "罚款;没收违法所得;没收非法财物": "罚款、没收违法所得、没收非法财物",
    "其他": "其他-责令改正",
    "警告": " 警告； ",
}
LOCAL_HEADERS = {
    "xk_xdr_lb": "XK_XDR_TYPE",
    "xk_fr_zjhm": "XK_FR_SFZH",
    "cf_xdr_lb": "CF_XDR_TYPE",
    "cf_fr_zjhm": "CF_FR_SFZH",
}
TEMPLATE_LABELS = {
    "xk_xdr_shxym": "行政相对人代码_1(统一社会信用代码)",
    "cf_xdr_shxym": "行政相对人代码_1(统一社会信用代码)",
    "xk_xdr_zzjg": "行政相对人代码_3(组织机构代码)",
    "cf_xdr_zzjg": "行政相对人代码_3(组织机构代码)",
}


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if 0x21 <= ord(c) <= 0x7E else "\u3000" if c == " " else c for c in text)


def header_for(style: str, f: config.Field) -> str:
    if style in ("identifiers", "jsonl"):
        return f.name.upper()
    if style == "local":
        return LOCAL_HEADERS.get(f.name) or fullwidth(TEMPLATE_LABELS.get(f.name, f.label)) + "\u200b"
    return TEMPLATE_LABELS.get(f.name, f.label)


def cell_for(style: str, f: config.Field, value: str | None, i: int) -> object:
    """How a department of this style writes a canonical value."""
    if value is None:
        return None
    if f.type == "date":
        d = datetime.date.fromisoformat(value)
        return {
            "labels": f"{d:%Y/%m/%d}",
            "bom": value,
            "gbk": f"{d.year}年{d.month}月{d.day}日",
            "tsv": f"{d:%Y%m%d}",
            "xlsx": d,
            "xlsx_title": datetime.datetime(d.year, d.month, d.day),
            "identifiers": f"{value} 00:00:00",
            "local": str((d - datetime.date(1899, 12, 30)).days) if i % 2 else f"{d.year}.{d.month}.{d.day}",
            "json": value,
            "jsonl": f"{value} 00:00:00",
        }[style]
    if f.type == "amount":
        return {
            "xlsx": float(value),
            "xlsx_title": float(value),
            "gbk": f"{value}万",
            "local": f"{float(value):,.2f}万元",
            "json": float(value),
        }.get(style, value)
    if style in ("xlsx", "json", "jsonl") and f.name == "xk_zt":
        return int(value)
    if style != "local":
        return value
    if f.type == "code":
        return LOCAL_CODES.get(value, value)
    if f.type == "multi_code":
        return LOCAL_PENALTY_CATEGORIES[value]
    if f.type == "identifier":
        return f" {value[:4]} {value[4:8]}-{value[8:].lower()} "
    return fullwidth(value).replace("\u3000", "  ") + "\u3000"


STYLES = ["labels", "bom", "gbk", "tsv", "xlsx", "xlsx_title", "identifiers", "local", "json", "jsonl"]
FIRST_ROW = {"xlsx_title": 4, "json": 1, "jsonl": 1}  # JSON: a record's position, there is no header line


def write_style(path: Path, dataset: str, style: str) -> Path:
    fields = config.fields(dataset)
    header = [header_for(style, f) for f in fields]
    rows = [[cell_for(style, f, r[f.name], i) for f in fields] for i, r in enumerate(RECORDS[dataset])]
    if style.startswith("json"):
        # As the HTTP and database feeds store a pull: "json" an array of objects with native numbers and nulls
        # (keys: labels), "jsonl" one object a line without the empty keys (keys: identifiers).
        objects = [dict(zip(header, row, strict=True)) for row in rows]
        path = path.with_suffix(f".{style}")
        if style == "json":
            path.write_text(json.dumps(objects, ensure_ascii=False, indent=1), encoding="utf-8")
        else:
            lines = [{k: v for k, v in o.items() if v is not None} for o in objects]
            path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in lines), encoding="utf-8")
        return path
    if style.startswith("xlsx"):
        path = path.with_suffix(".xlsx")
        wb = openpyxl.Workbook()
        ws = wb.active
        if style == "xlsx_title":
            ws.append(["平顶山市双公示信息报送表"])
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
            ws.append([])
        ws.append(header)
        for row in rows:
            ws.append(row)
        wb.save(path)
        return path
    delimiter = "\t" if style == "tsv" else ","
    encoding = {"bom": "utf-8-sig", "gbk": "gbk"}.get(style, "utf-8")
    quote = style == "identifiers"

    def cell(v: object) -> str:
        text = "" if v is None else str(v)
        return f'"{text}"' if quote or delimiter in text or '"' in text else text

    lines = [delimiter.join(cell(v) for v in row) for row in [header, *rows]]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def read_normalized(path: Path, dataset: str, chunksize: int = 100_000) -> tuple[pd.DataFrame, standardize.HeaderMap]:
    table = readers.open_table(path, dataset=dataset, chunksize=chunksize)
    header_map = standardize.map_headers(table.headers, dataset)
    frames = [standardize.normalize_frame(raw, dataset, header_map) for raw in table.chunks()]
    return pd.concat(frames, ignore_index=True), header_map


def plain(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


@pytest.mark.parametrize("dataset", ["license", "penalty"])
@pytest.mark.parametrize("style", STYLES)
def test_every_file_shape_normalizes_to_the_same_rows(tmp_path, dataset, style):
    path = write_style(tmp_path / f"{dataset}_{style}.csv", dataset, style)
    frame, header_map = read_normalized(path, dataset)
    assert (header_map.unknown, header_map.missing_required, header_map.duplicates) == ([], [], {})
    assert list(frame.columns) == [*config.field_names(dataset), "_source_row", "_extra"]
    assert plain(frame.drop(columns=["_source_row", "_extra"])) == RECORDS[dataset]
    first = FIRST_ROW.get(style, 2)
    assert frame["_source_row"].tolist() == list(range(first, first + 10))
    assert frame["_extra"].isna().all()


def test_chunked_normalization_gives_the_same_rows(tmp_path):
    path = write_style(tmp_path / "f.csv", "penalty", "local")
    whole, _ = read_normalized(path, "penalty")
    parts, _ = read_normalized(path, "penalty", chunksize=3)
    assert plain(parts) == plain(whole)


# --- Headers --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("行政相对人代码_1(统一社会信用代码)", "统一社会信用代码"),
        ("行政相对人代码_2（统一社会信用代码）", "统一社会信用代码"),
        ("行政相对人代码＿３【组织机构代码】", "组织机构代码"),
        (" 罚款金额（万元） ", "罚款金额(万元)"),
        ("\ufeff行政相对人名称", "行政相对人名称"),
        ("行政\u200b相对人\u3000名称", "行政相对人名称"),
        ("ｘｋ＿ｘｄｒ＿ｍｃ", "XK_XDR_MC"),
        ("*许可类别", "许可类别"),
        ("许可类别※", "许可类别"),
    ],
)
def test_header_key(text, key):
    assert standardize.header_key(text) == key


LABEL_TEXT = st.text(
    st.sampled_from(list("行政相对人名称许可处罚类别代码日期金额万元统一社会信用ABCXYZxkcf_0123456789()")),
    min_size=1,
    max_size=20,
)
NOISE = st.sampled_from([" ", "\u3000", "\u00a0", "\t", "\u200b", "\ufeff", "\u2060", "\n"])


def decorate(draw, text: str) -> str:
    """The ways departments vary a header: full-width forms, bracket styles, case, blanks, invisible characters."""
    out = []
    for c in text:
        variant = draw(st.sampled_from(["same", "wide", "case"]))
        if c == "(":
            c = draw(st.sampled_from(["(", "（", "【", "["]))
        elif c == ")":
            c = draw(st.sampled_from([")", "）", "】", "]"]))
        elif variant == "wide" and 0x21 <= ord(c) <= 0x7E:
            c = chr(ord(c) + 0xFEE0)
        elif variant == "case":
            c = c.swapcase() if c.isascii() else c
        out.append(c + "".join(draw(st.lists(NOISE, max_size=2))))
    return "".join(draw(st.lists(NOISE, max_size=2))) + "".join(out)


@settings(max_examples=300)
@given(st.data())
def test_header_key_ignores_how_a_header_is_dressed(data):
    text = data.draw(LABEL_TEXT)
    dressed = decorate(data.draw, text)
    assert standardize.header_key(dressed) == standardize.header_key(text)
    assert standardize.header_key(standardize.header_key(dressed)) == standardize.header_key(dressed)


@settings(max_examples=200, deadline=None)  # the first example builds the header lookup
@given(st.data())
def test_every_configured_header_survives_dressing(data):
    dataset = data.draw(st.sampled_from(config.DATASETS))
    f = data.draw(st.sampled_from(config.fields(dataset)))
    header = data.draw(st.sampled_from([f.name, f.label, *f.aliases]))
    assert standardize.map_headers([decorate(data.draw, header)], dataset).columns
    assert list(standardize.map_headers([decorate(data.draw, header)], dataset).columns.values()) == [f.name]


def test_map_headers_labels_identifiers_aliases_and_typos():
    headers = [
        "行政相对人名称",
        "CF_XDR_TYPE",
        "行政相对人代码_1（统一社会信用代码）",
        "处罚金额（万元）",
        "没收违法所得、没收非法财务的金额（万元）",
        "法定代表人证件号码",
        "证件号码",
        "证件类型",
        "cf_wsh",
        "处罚决定日期(YYYY-MM-DD)",
        "违法行为类型(必填)",
    ]
    result = standardize.map_headers(headers, "penalty")
    assert result.columns == {
        "行政相对人名称": "cf_xdr_mc",
        "CF_XDR_TYPE": "cf_xdr_lb",
        "行政相对人代码_1（统一社会信用代码）": "cf_xdr_shxym",
        "处罚金额（万元）": "cf_nr_fk",
        "没收违法所得、没收非法财务的金额（万元）": "cf_nr_wfff",
        "法定代表人证件号码": "cf_fr_zjhm",
        "证件号码": "cf_xdr_zjhm",
        "证件类型": "cf_xdr_zjlx",
        "cf_wsh": "cf_wsh",
        "处罚决定日期(YYYY-MM-DD)": "cf_jdrq",
        "违法行为类型(必填)": "cf_wfxw",
    }
    assert result.unknown == []


def test_map_headers_reports_unknown_duplicate_and_missing():
    headers = ["行政相对人名称", "内部编号", "行政许可决定文书号", "XK_WSH", "许可类别", "许可类别#2", "罚款金额(元)"]
    result = standardize.map_headers(headers, "license")
    assert result.unknown == ["内部编号", "罚款金额(元)"]  # a unit in 元 is not the 万元 field
    assert result.duplicates == {"XK_WSH": "xk_wsh", "许可类别#2": "xk_xklb"}
    required = [f.name for f in config.fields("license") if f.required]
    assert result.missing_required == [n for n in required if n not in ("xk_xdr_mc", "xk_wsh", "xk_xklb")]


def test_config_is_consistent():
    """Every header key names one field, and every code column has a code table."""
    for dataset in config.DATASETS:
        standardize.map_headers([], dataset)
        for f in config.fields(dataset):
            if f.type in ("code", "multi_code"):
                assert standardize.code_table_for(f.name).lookup


# --- Cells ----------------------------------------------------------------------------------------------------


def column(dataset: str, header: str, values: list[str | None]) -> list[str | None]:
    """The canonical column a one-column raw frame normalizes to; missing as None."""
    raw = pd.DataFrame({header: pd.array(values, dtype="str"), "_source_row": range(2, 2 + len(values))})
    header_map = standardize.map_headers([header], dataset)
    frame = standardize.normalize_frame(raw, dataset, header_map)
    return [None if pd.isna(v) else v for v in frame[header_map.columns[header]]]


def test_text_cells_are_folded_and_trimmed():
    values = [
        "  平顶山市某某（中国）有限公司１号 ",
        "甲\u200b公司\ufeff",
        "a\u3000\u3000b\r\nc",
        "  ",
        "",
        None,
        "平市监许〔2025〕1号、2号",
    ]
    assert column("license", "行政相对人名称", values) == [
        "平顶山市某某(中国)有限公司1号",
        "甲公司",
        "a b c",
        None,
        None,
        None,
        "平市监许〔2025〕1号、2号",
    ]


def test_identifiers_are_upper_case_without_blanks_or_dashes():
    assert column("license", "组织机构代码", ["19220382-1", " ma1b3n1n－2 "]) == ["192203821", "MA1B3N1N2"]
    assert column(
        "license", "统一社会信用代码", ["9144 0300 1922 0382 16", "９１２３０５００ｍａ１ｂ３ｎ１ｎ２ｍ"]
    ) == [
        "914403001922038216",
        "91230500MA1B3N1N2M",
    ]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2025-09-30", "2025-09-30"),
        ("2025/9/30", "2025-09-30"),
        ("2025.9.30", "2025-09-30"),
        ("20250930", "2025-09-30"),
        ("2025年9月30日", "2025-09-30"),
        ("2025年09月30日", "2025-09-30"),
        ("2025-09-30 14:05:09", "2025-09-30"),
        ("2025/9/30 8:05", "2025-09-30"),
        ("2025-09-30T08:05:00.000", "2025-09-30"),
        ("２０２５／９／３０", "2025-09-30"),
        ("45930", "2025-09-30"),
        ("45930.75", "2025-09-30"),
        ("2099/12/31", "2099-12-31"),
        ("2024/2/29", "2024-02-29"),
    ],
)
def test_dates(text, iso):
    assert column("license", "许可决定日期", [text]) == [iso]


@pytest.mark.parametrize(
    "text", ["2025-02-30", "2025/13/01", "明年", "12345", "99999", "2025-9", "30/09/2025", "2025-09/30"]
)
def test_unparseable_dates_are_kept_for_validation(text):
    assert column("license", "许可决定日期", [text]) == [text]


DATE_FORMATS = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d:%Y/%m/%d}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d:%Y%m%d}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}年{d.month}月{d.day}",
    lambda d: f"{d.isoformat()} 23:59:59",
    lambda d: f"{d:%Y/%m/%d} 0:00",
    lambda d: str((d - datetime.date(1899, 12, 30)).days),
    lambda d: f"{(d - datetime.date(1899, 12, 30)).days}.5",
]


@settings(max_examples=100)
@given(
    st.lists(
        st.tuples(
            st.dates(datetime.date(1950, 1, 1), datetime.date(2099, 12, 31)), st.integers(0, len(DATE_FORMATS) - 1)
        ),
        min_size=1,
        max_size=30,
    )
)
def test_a_date_written_any_supported_way_parses_back_to_itself(cases):
    texts = [DATE_FORMATS[k](d) for d, k in cases]
    assert column("penalty", "处罚决定日期", texts) == [d.isoformat() for d, _ in cases]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.2", "0.2"),
        ("0.20", "0.2"),
        ("1,500", "1500"),
        ("1500万元", "1500"),
        ("1,500.50万", "1500.5"),
        ("１２.５０", "12.5"),
        ("0.000", "0"),
        ("1500.", "1500"),
        (".5", "0.5"),
        ("-3", "-3"),
        ("2000元", "2000元"),
        ("1,5", "1,5"),
        ("两千", "两千"),
        ("NaN", "NaN"),
        ("1e3", "1000"),
    ],
)
def test_amounts_in_wan_yuan(text, value):
    assert column("penalty", "罚款金额（万元）", [text]) == [value]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("法人及非法人组织", "法人及非法人组织"),
        ("法人", "法人及非法人组织"),
        ("企业", "法人及非法人组织"),
        ("02", "法人及非法人组织"),
        ("03", "法人及非法人组织"),
        ("法人和其他组织", "法人及非法人组织"),
        ("01", "自然人"),
        ("个人", "自然人"),
        ("04", "个体工商户"),
        ("个体户", "个体工商户"),
        ("法人 及非法人组织", "法人及非法人组织"),
        ("公司", "公司"),
    ],
)
def test_subject_category_codes(text, value):
    assert column("penalty", "行政相对人类别", [text]) == [value]


def test_other_code_tables():
    assert column("license", "证件类型", ["01", "居民身份证", "02", "护照号", "03", "04", "05", "军官证"]) == [
        "身份证",
        "身份证",
        "护照",
        "护照",
        "港澳居民来往内地通行证",
        "台湾居民来往大陆通行证",
        "外国人永久居留身份证",
        "军官证",
    ]
    assert column("license", "许可类别", ["普通许可", "其它", "特许", "备案"]) == ["普通", "其他", "特许", "备案"]
    assert column("license", "当前状态", ["1", "有效", "无效", "0"]) == ["1", "1", "2", "0"]
    assert column("credit_list", "名单类型", ["黑名单", "严重失信主体名单", "守信激励对象名单"]) == [
        "严重失信主体名单",
        "严重失信主体名单",
        "红名单",
    ]
    assert column("credit_list", "移出原因", ["信用修复", "公示期满", "撤销认定", "主动申请"]) == [
        "修复",
        "期满",
        "撤销",
        "主动申请",
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("警告;其他-其他", "警告;其他"),
        ("其他-警告", "其他"),
        ("警告；", "警告"),
        ("；", None),
        ("罚款、没收违法所得、没收非法财物", "罚款;没收违法所得;没收非法财物"),
        ("罚款,警告", "警告;罚款"),
        ("罚款，警告，罚款", "警告;罚款"),
        ("暂扣或吊销许可证、暂扣或者吊销执照", "暂扣或者吊销许可证;暂扣或者吊销执照"),
        ("责令停产停业；罚款", "罚款;责令停产停业"),
        ("其它：责令改正", "其他"),
        ("通报批评", "通报批评"),
        ("罚款;责令改正", "罚款;责令改正"),
        ("责令改正、罚款、限期整改", "罚款;责令改正;限期整改"),
    ],
)
def test_penalty_categories(text, value):
    assert column("penalty", "处罚类别", [text]) == [value]


def test_unknown_columns_go_to_extra_as_json():
    raw = pd.DataFrame(
        {
            "行政相对人名称": pd.array(["甲公司", "乙公司", "丙公司"], dtype="str"),
            "内部编号": pd.array(['A"1\\', None, " "], dtype="str"),
            "经办人": pd.array(["张三", None, None], dtype="str"),
            "第9列": pd.array([None, None, "溢出"], dtype="str"),
            "_source_row": [2, 3, 4],
        }
    )
    header_map = standardize.map_headers(["行政相对人名称", "内部编号", "经办人"], "license")
    assert header_map.unknown == ["内部编号", "经办人"]
    frame = standardize.normalize_frame(raw, "license", header_map)
    extra = [None if pd.isna(v) else json.loads(v) for v in frame["_extra"]]
    assert extra == [{"内部编号": 'A"1\\', "经办人": "张三"}, None, {"第9列": "溢出"}]
    assert frame["_extra"].iloc[0] == '{"内部编号":"A\\"1\\\\","经办人":"张三"}'


def test_nothing_is_dropped_and_absent_columns_are_empty():
    raw = pd.DataFrame({"行政相对人名称": pd.array([None, None], dtype="str"), "_source_row": [7, 9]})
    header_map = standardize.map_headers(["行政相对人名称"], "penalty")
    frame = standardize.normalize_frame(raw, "penalty", header_map)
    assert len(frame) == 2
    assert frame["_source_row"].tolist() == [7, 9]
    assert frame.drop(columns="_source_row").isna().all().all()
    assert "cf_wsh" in header_map.missing_required


def test_missing_required_column_is_reported_once_per_file(tmp_path):
    fields = [f for f in config.fields("license") if f.name != "xk_xkjg"]
    lines = [",".join(f.label for f in fields)]
    lines += [",".join(r[f.name] or "" for f in fields) for r in RECORDS["license"]]
    path = tmp_path / "f.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = readers.open_table(path, dataset="license", chunksize=3)
    header_map = standardize.map_headers(table.headers, "license")
    assert header_map.missing_required == ["xk_xkjg"]
    frames = [standardize.normalize_frame(raw, "license", header_map) for raw in table.chunks()]
    assert len(frames) == 4
    assert all(frame["xk_xkjg"].isna().all() for frame in frames)
    assert sum(len(frame) for frame in frames) == 10
