"""The sample-feed generator: formats as departments deliver them, faults at their documented rates.

Fault shares are measured on the delivered files themselves, read back through the header names and aliases
of fields.yaml and checked with the project's own check-digit functions.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from citycredit.core.config import fields
from citycredit.core.identifiers import (
    USCC_PLACEHOLDER,
    id_check_char,
    org_check_char,
    regno_check_char,
    uscc_check_char,
)
from citycredit.feeds.registry import load as load_registry
from citycredit.tools.demo.feeds import generate_feeds, write_large_csv
from citycredit.tools.demo.writers import DeliveredFile

RECORDS = 1500  # per 双公示 feed: a medium sample, 13 500 rows over the registry
SHUANGGONGSHI = ("license", "penalty")
MONTH_END = dt.date(2025, 9, 30)


# --- Reading deliveries back -------------------------------------------------------------------------------
def fold(text: str) -> str:
    """The header key fields.yaml promises: NFKC, no blanks, case-insensitive, 代码_n(X) matched on X."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()
    bracketed = re.fullmatch(r".*_\d+\((.+)\)", key)
    return bracketed.group(1) if bracketed else key


def header_map(dataset: str) -> dict[str, str]:
    return {fold(name): f.name for f in fields(dataset) for name in (f.label, f.name, *f.aliases)}


def read_table(path: Path) -> tuple[list[str], list[list[object]]]:
    if path.suffix == ".xlsx":
        rows = list(openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True))
        return [str(h) for h in rows[0]], [list(r) for r in rows[1:]]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gbk")
    header, *rows = csv.reader(io.StringIO(text, newline=""))
    assert all(len(row) == len(header) for row in rows), path
    return header, rows


def parse_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(str(value), fmt).date()
        except ValueError:
            pass
    raise AssertionError(f"unreadable date {value!r}")


def deadlines(dates: pd.Series) -> pd.Series:
    """The 7th working day after each decision, computed once per distinct day."""
    known = {day: chinese_calendar.find_workday(7, day) for day in set(dates)}
    return dates.map(known)


def canonical(delivered: DeliveredFile, header: list[str], rows: list[list[object]]) -> pd.DataFrame:
    names = header_map(delivered.dataset)
    columns = [names[fold(h)] for h in header]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    for f in fields(delivered.dataset):
        if f.type == "date":
            frame[f.name] = frame[f.name].map(parse_date)
        else:
            frame[f.name] = frame[f.name].map(lambda v: "" if v is None else unicodedata.normalize("NFKC", str(v)))
    frame["file"] = str(delivered.path)
    frame["delivered"] = delivered.delivered_at.date()
    return frame


@pytest.fixture(scope="module")
def delivered(tmp_path_factory) -> list[DeliveredFile]:
    return generate_feeds(tmp_path_factory.mktemp("inbox"), records_per_feed=RECORDS)


@pytest.fixture(scope="module")
def tables(delivered) -> dict[Path, tuple[list[str], list[list[object]]]]:
    return {d.path: read_table(d.path) for d in delivered}


@pytest.fixture(scope="module")
def data(delivered, tables) -> dict[str, pd.DataFrame]:
    """All rows of each dataset, columns renamed to the generic suffix (xdr_mc, jdrq, ...)."""
    result = {}
    for dataset in ("license", "penalty"):
        frames = [canonical(d, *tables[d.path]) for d in delivered if d.dataset == dataset]
        frame = pd.concat(frames, ignore_index=True)
        result[dataset] = frame.rename(columns=lambda c: c.split("_", 1)[1] if c[:3] in ("xk_", "cf_") else c)
    return result


@pytest.fixture(scope="module")
def both(data) -> pd.DataFrame:
    common = ["xdr_mc", "xdr_lb", "xdr_shxym", "xdr_gszc", "xdr_zjlx", "xdr_zjhm", "frdb", "fr_zjhm", "jdrq",
              "wsh", "file", "delivered"]  # fmt: skip
    return pd.concat([data["license"][common], data["penalty"][common]], ignore_index=True)


def share(hits: pd.Series) -> float:
    assert len(hits) > 200, "too few rows to measure a rate"
    return float(hits.mean())


# --- Registry coverage, delivery times, determinism --------------------------------------------------------
def test_every_file_feed_of_the_registry_receives_several_files(delivered, tmp_path_factory):
    registry = load_registry()
    expected = {(f.department_id, f.id) for f in registry.feeds if f.kind == "file"}
    assert {(d.department_id, d.feed_id) for d in delivered} == expected
    for department, feed in expected:
        files = [d for d in delivered if d.feed_id == feed]
        assert len(files) >= 4
        assert all(d.rows > 0 for d in files)
        if files[0].dataset in SHUANGGONGSHI:
            assert sum(d.rows for d in files) == RECORDS
        assert all(d.path.parent.parts[-2:] == (department, feed) and d.path.is_file() for d in files)


def test_deliveries_run_weekly_into_the_next_month_on_working_days(delivered):
    for feed in {d.feed_id for d in delivered}:
        days = sorted(d.delivered_at.date() for d in delivered if d.feed_id == feed)
        assert days[0] <= dt.date(2025, 9, 12) and dt.date(2025, 10, 1) <= days[-1] <= dt.date(2025, 10, 15)
        assert all(chinese_calendar.is_workday(day) for day in days)
        assert all((b - a).days <= 16 for a, b in itertools.pairwise(days))  # weekly; 国庆 (10-01..10-08) stretches one


def test_file_mtime_is_the_delivery_time_in_china(delivered):
    for d in delivered:
        assert str(d.delivered_at.tzinfo) == "Asia/Shanghai"
        assert d.path.stat().st_mtime == d.delivered_at.timestamp()
        assert dt.time(8, 30) <= d.delivered_at.time() <= dt.time(17, 30)


def snapshot(inbox: Path) -> dict[str, tuple[bytes, float]]:
    return {str(p.relative_to(inbox)): (p.read_bytes(), p.stat().st_mtime) for p in inbox.rglob("*") if p.is_file()}


def test_same_seed_gives_identical_files_and_mtimes_and_another_seed_does_not(tmp_path):
    runs = {}
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        generate_feeds(tmp_path / name, seed=seed, records_per_feed=120)
        runs[name] = snapshot(tmp_path / name)
    assert any(path.endswith(".xlsx") for path in runs["a"])
    assert runs["a"] == runs["b"]
    shared = runs["a"].keys() & runs["c"].keys()
    assert all(runs["a"][path][0] != runs["c"][path][0] for path in shared if path.endswith(".csv"))


# --- Formats -----------------------------------------------------------------------------------------------
def files_of(delivered, feed: str) -> list[Path]:
    return [d.path for d in delivered if d.feed_id == feed]


def test_gbk_department_delivers_gbk_csv_with_national_labels(delivered):
    for path in files_of(delivered, "scjg_penalty"):
        raw = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        header = raw.decode("gbk").split("\r\n", 1)[0].split(",")
        assert header == [f.label for f in fields("penalty")]


def test_bom_department_delivers_utf8_with_bom(delivered):
    for path in files_of(delivered, "sthj_license"):
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        assert raw[3:].decode("utf-8").startswith("行政相对人名称,")


def test_xlsx_has_a_merged_title_row_above_the_header_and_date_cells(delivered):
    kinds = set()
    for path in files_of(delivered, "jtys_penalty"):
        sheet = openpyxl.load_workbook(path).active
        title = sheet.cell(1, 1).value
        assert title.startswith("平顶山市交通运输局2025年") and "行政处罚" in title
        assert [str(r) for r in sheet.merged_cells.ranges] == [f"A1:{sheet.cell(2, sheet.max_column).column_letter}1"]
        header = [c.value for c in sheet[2]]
        assert "行政相对人代码_1(统一社会信用代码)" in header
        column = header.index("处罚决定日期") + 1
        kinds |= {type(sheet.cell(r, column).value) for r in range(3, sheet.max_row + 1)}
    assert dt.datetime in kinds and str in kinds  # date cells, and some dates typed as text


def test_front_end_export_uses_identifier_headers_with_every_field_quoted(delivered):
    for path in files_of(delivered, "zjj_license"):
        first, second = path.read_text(encoding="utf-8").splitlines()[:2]
        assert first.startswith('"XK_XDR_MC","XK_XDR_LB",') and second.startswith('"') and second.endswith('"')


def test_local_system_uses_variant_headers_and_full_width_characters(delivered, tables):
    for path in files_of(delivered, "yjgl_penalty"):
        header, rows = tables[path]
        assert "CF_XDR_TYPE" in header and "CF_FR_SFZH" in header
        assert any(unicodedata.normalize("NFKC", h) != h for h in header)
        assert any("；" in row[header.index("处罚类别")] for row in rows)


def test_every_delivered_header_maps_to_the_canonical_columns(delivered, tables):
    for d in delivered:
        header, _ = tables[d.path]
        names = header_map(d.dataset)
        assert sorted(names[fold(h)] for h in header) == sorted(f.name for f in fields(d.dataset)), d.path


def test_dates_come_in_every_format_departments_use(tables):
    seen = set()
    patterns = {
        "iso": r"\d{4}-\d{2}-\d{2}",
        "slash": r"\d{4}/\d{1,2}/\d{1,2}",
        "cn": r"\d{4}年\d{1,2}月\d{1,2}日",
    }
    for header, rows in tables.values():
        dated = [i for i, h in enumerate(header) if "日期" in h]
        values = [row[i] for row in rows for i in dated]
        seen |= {kind for v in values for kind, p in patterns.items() if isinstance(v, str) and re.fullmatch(p, v)}
        seen |= {"excel" for v in values if isinstance(v, dt.datetime)}
    assert seen == {"iso", "slash", "cn", "excel"}


# --- Content -----------------------------------------------------------------------------------------------
def test_reporting_department_and_deciding_authority_come_from_the_registry(data):
    registry = load_registry()
    departments = {(f.department_name, f.department_uscc) for f in registry.feeds if f.kind == "file"}
    for frame, (source, code, authority, authority_code) in (
        (data["license"], ("lydw", "lydwdm", "xkjg", "xkjgdm")),
        (data["penalty"], ("sjly", "sjlydm", "cfjg", "cfjgdm")),
    ):
        complete = frame[(frame[source] != "") & (frame[code] != "")]
        assert set(zip(complete[source], complete[code], strict=False)) <= departments
        issued = frame[(frame[authority] != "") & (frame[authority_code] != "")]
        assert all(name.startswith(src) for name, src in zip(issued[authority], issued[source], strict=False) if src)
        assert all(uscc_check_char(c[:17]) == c[17] and c.startswith("11") for c in issued[authority_code])


def test_document_numbers_look_like_real_ones(data):
    assert data["penalty"]["wsh"].str.fullmatch(r"平\S+罚字?〔2025〕\d+号|").all()
    assert data["license"]["wsh"].str.fullmatch(r"平\S+许字?〔2025〕\d+号|").all()
    assert data["penalty"]["wsh"].str.startswith("平市监罚〔2025〕").any()
    assert data["license"]["wsh"].str.startswith("平环许字〔2025〕").any()


def test_fines_are_in_wan_yuan_as_the_content_states(data):
    penalty = data["penalty"]
    fined = penalty[(penalty["nr_fk"] != "") & penalty["nr"].str.contains(r"罚款\d+元")]
    yuan = fined["nr"].str.extract(r"罚款(\d+)元")[0].astype(float)
    amount = fined["nr_fk"].astype(float)
    correct = (amount * 10000 - yuan).abs() < 1e-6
    unit_error = amount == yuan
    assert (correct | unit_error).all()
    assert 0.004 <= share(unit_error) <= 0.02  # UNIT_ERROR_RATE 1%


def test_publication_ends_a_year_after_the_decision_and_licences_may_be_long_term(data):
    penalty = data["penalty"].dropna(subset=["jdrq", "gsjzq"])
    assert (penalty["gsjzq"] == penalty["jdrq"].map(lambda d: d.replace(year=d.year + 1))).all()
    assert (penalty.dropna(subset=["yxq"])["yxq"] >= penalty.dropna(subset=["yxq"])["jdrq"]).all()
    assert (data["license"]["yxqzi"] == dt.date(2099, 12, 31)).mean() > 0.1


def test_penalty_categories_are_multi_valued_strings(data):
    categories = data["penalty"]["cflb"]
    assert categories.str.contains("警告;其他-其他").any() and categories.str.contains("其他-警告").any()
    assert categories.str.contains("罚款;没收违法所得、没收非法财物").any()


def test_synthetic_people_have_valid_plausible_id_numbers(both):
    ids = pd.concat([both["fr_zjhm"], both.loc[both["xdr_lb"] == "自然人", "xdr_zjhm"]])
    ids = ids[ids.str.len() == 18]
    valid = ids[[id_check_char(i[:17]) == i[17] for i in ids]]
    assert len(valid) > 0.95 * len(ids)
    assert valid.str.startswith("4104").all()
    births = valid.map(lambda i: dt.date(int(i[6:10]), int(i[10:12]), int(i[12:14])))
    assert births.between(dt.date(1950, 1, 1), dt.date(2005, 12, 31)).all()


# --- Fault rates -------------------------------------------------------------------------------------------
def test_wrong_uscc_check_digits_about_two_percent(both):
    codes = both.loc[(both["xdr_shxym"] != "") & (both["xdr_shxym"] != USCC_PLACEHOLDER), "xdr_shxym"]
    passes = codes.map(lambda c: uscc_check_char(c[:17]) == c[17])
    assert 0.01 <= share(~passes) <= 0.04
    # codes that pass were built valid through and through: the embedded 组织机构代码 passes too
    assert all(org_check_char(c[8:16]) == c[16] for c in codes[passes])
    assert codes.str[8:10].eq("MA").mean() > 0.3 and codes.str[:2].isin(["91", "92"]).all()


def test_placeholder_for_individual_businesses_with_and_without_registration_number(both):
    businesses = both[both["xdr_lb"] == "个体工商户"]
    placeholder = businesses["xdr_shxym"] == USCC_PLACEHOLDER
    assert 0.08 <= share(placeholder) <= 0.25  # PLACEHOLDER_RATE 15%
    regno = businesses.loc[placeholder, "xdr_gszc"]
    assert 0.15 <= (regno == "").mean() <= 0.5  # PLACEHOLDER_WITHOUT_REGNO_RATE 30%
    assert all(regno_check_char(r[:14]) == r[14] for r in regno[regno != ""])
    assert (businesses.loc[~placeholder, "xdr_shxym"].str[:2] == "92").all()


def test_missing_mandatory_fields_about_two_percent(data):
    for dataset, frame in data.items():
        required = [f.name.split("_", 1)[1] for f in fields(dataset) if f.required]
        empty = frame[required].map(lambda v: v is None or v == "" or v is pd.NaT).any(axis=1)
        assert 0.01 <= share(empty) <= 0.04, dataset


def test_late_reports_about_nine_percent_and_the_national_day_makeup_days_matter(both):
    decided = both.dropna(subset=["jdrq"])
    deadline = deadlines(decided["jdrq"])
    late = decided["delivered"] > deadline
    assert 0.06 <= share(late) <= 0.12  # LATE_RATE 9%

    def naive_deadline(day: dt.date) -> dt.date:  # Monday to Friday, no holidays, no makeup days
        for _ in range(7):
            day += dt.timedelta(days=1 if day.weekday() < 4 else 7 - day.weekday())
        return day

    before_holiday = decided[(decided["jdrq"] >= dt.date(2025, 9, 26)) & (decided["delivered"] > MONTH_END)]
    on_time_only_with_the_calendar = (before_holiday["delivered"] <= deadline[before_holiday.index]) & (
        before_holiday["delivered"] > before_holiday["jdrq"].map(naive_deadline)
    )
    assert on_time_only_with_the_calendar.sum() > 20
    assert (decided["jdrq"] == dt.date(2025, 9, 28)).any()  # the Sunday that was a working day


def test_exact_duplicate_rows_about_one_percent(delivered, tables):
    shuanggongshi = [tables[d.path] for d in delivered if d.dataset in SHUANGGONGSHI]
    duplicated = pd.concat([pd.DataFrame(rows).duplicated() for _, rows in shuanggongshi])
    assert 0.005 <= share(duplicated) <= 0.02  # DUPLICATE_RATE 1%


def test_full_width_characters_in_codes_and_numbers(delivered, tables):
    hits = []
    for d in delivered:
        if d.dataset not in SHUANGGONGSHI:
            continue
        header, rows = tables[d.path]
        names = header_map(d.dataset)
        typed = {f.name for f in fields(d.dataset) if f.type in ("identifier", "amount") or f.name.endswith("wsh")}
        where = [i for i, h in enumerate(header) if names[fold(h)] in typed]
        hits += [any(re.search("[\uff01-\uff5e]", str(row[i] or "")) for i in where) for row in rows]
    assert 0.015 <= share(pd.Series(hits)) <= 0.06  # FULLWIDTH_RATE 3%


def test_invalid_id_check_digits_for_natural_persons(both):
    people = both[(both["xdr_lb"] == "自然人") & (both["xdr_zjhm"] != "")]
    wrong = people["xdr_zjhm"].map(lambda i: id_check_char(i[:17]) != i[17])
    assert 0.01 <= share(wrong) <= 0.07  # INVALID_ID_CHECK_RATE 3%
    assert (people["xdr_shxym"] == "").all() and (people["frdb"] == "").all()


def test_penalty_categories_requiring_an_amount_without_it(data):
    penalty = data["penalty"]
    fined = penalty[penalty["cflb"].str.contains("罚款")]
    assert 0.01 <= share(fined["nr_fk"] == "") <= 0.035  # MISSING_AMOUNT_RATE 2%
    confiscated = penalty[penalty["cflb"].str.contains("没收")]
    assert (confiscated["nr_wfff"] == "").any() and (confiscated["nr_wfff"] != "").mean() > 0.9


# --- Credit lists and the subject register ----------------------------------------------------------------
def files_by_feed(delivered, tables, feed: str) -> list[pd.DataFrame]:
    """The feed's files in delivery order, as canonical frames."""
    files = sorted((d for d in delivered if d.feed_id == feed), key=lambda d: d.delivered_at)
    return [canonical(d, *tables[d.path]) for d in files]


def periods(frame: pd.DataFrame) -> set[tuple[str, dt.date]]:
    return set(zip(frame["md_shxym"], frame["md_lrrq"], strict=True))


def test_a_snapshot_list_holds_the_open_listings_and_drops_the_ones_that_ended(delivered, tables):
    assert load_registry().feed("scjg_credit_list").options["mode"] == "snapshot"
    snapshots = files_by_feed(delivered, tables, "scjg_credit_list")
    for frame in snapshots:
        assert (frame["md_ycrq"].isna() & (frame["md_ycyy"] == "")).all()
        assert (frame["md_lrrq"] < frame["delivered"]).all()
        assert frame["md_lx"].eq("严重失信主体名单").all() and frame["md_rdbm"].eq("平顶山市市场监督管理局").all()
    held = [periods(f) for f in snapshots]
    dropped = set().union(*(a - b for a, b in itertools.pairwise(held)))
    added = set().union(*(b - a for a, b in itertools.pairwise(held)))
    assert len(dropped) >= len(snapshots) - 1 and len(added) >= len(snapshots) - 1
    relisted = {code for code, _ in dropped} & {code for code, _ in added}
    assert relisted, "a subject that left the list is listed again, with a new 列入日期"


def test_a_change_list_sends_its_list_then_new_listings_and_exits_with_their_reasons(delivered, tables):
    for feed in ("sthj_credit_list", "yjgl_credit_list"):
        first, *changes = files_by_feed(delivered, tables, feed)
        assert first["md_ycrq"].isna().all() and len(first) >= 10
        frames = pd.concat(changes)
        exits = frames[frames["md_ycrq"].notna()]
        assert len(exits) >= len(changes) and set(exits["md_ycyy"]) <= {"修复", "期满", "撤销"}
        assert (exits["md_lrrq"] < exits["md_ycrq"]).all() and (exits["md_ycrq"] < exits["delivered"]).all()
        listed = pd.concat([first, frames[frames["md_ycrq"].isna()]])
        assert listed.duplicated(["md_shxym", "md_lrrq"]).sum() == 0
        assert listed["md_shxym"].duplicated().any(), f"{feed}: a re-entry is a second listing of one subject"
    assert set(pd.concat(files_by_feed(delivered, tables, "sthj_credit_list"))["md_lx"]) == {"红名单"}


def test_the_register_holds_every_subject_then_weekly_registrations_and_closures(delivered, tables, both):
    register, *changes = files_by_feed(delivered, tables, "scjg_subjects")
    assert register["zt_shxym"].is_unique and set(register["zt_lx"]) == {"企业", "个体工商户"}
    reported = both.loc[both["xdr_lb"] != "自然人", "xdr_shxym"]
    assert reported[reported != USCC_PLACEHOLDER].isin(register["zt_shxym"]).mean() > 0.9
    passes = register["zt_shxym"].map(lambda c: uscc_check_char(c[:17]) == c[17])
    assert 0.01 <= share(~passes) <= 0.04  # WRONG_USCC_CHECK_RATE
    assert (register["zt_qhdm"] == register["zt_shxym"].str[2:8]).all()
    closed = register["zt_djzt"].isin(["注销", "吊销"])
    assert 0.02 <= closed.mean() <= 0.07 and register.loc[closed, "zt_zxrq"].notna().all()
    assert register.loc[~closed, "zt_zxrq"].isna().all()
    for frame in changes:
        new, ended = frame[frame["zt_djzt"] == "存续"], frame[frame["zt_djzt"] == "注销"]
        assert len(new) and len(ended) and len(new) + len(ended) == len(frame)
        assert not new["zt_shxym"].isin(register["zt_shxym"]).any()
        assert ended["zt_shxym"].isin(register["zt_shxym"]).all()
        assert (ended["zt_zxrq"] < ended["delivered"]).all()


# --- 信用承诺, 异议 and 信用修复 -------------------------------------------------------------------------------
COMMITMENT_TYPES = {"审批替代型", "主动承诺型", "信用修复型", "行业自律型", "证明事项告知承诺", "其他"}


def test_commitments_come_from_the_departments_that_take_them(delivered, tables):
    registry = load_registry()
    feeds = {f.id: f for f in registry.feeds if f.dataset == "credit_commitment"}
    assert {f.department_id for f in feeds.values()} == {"scjg", "zjj"}
    for feed in feeds.values():
        frame = pd.concat(files_by_feed(delivered, tables, feed.id), ignore_index=True)
        assert len(frame) == RECORDS
        assert (frame["cn_slbm"].str.startswith(feed.department_name) | frame["cn_slbm"].eq("")).all()
        dated = frame["cn_rq"].dropna()
        assert (dated >= dt.date(2025, 9, 1)).all() and (dated < frame.loc[dated.index, "delivered"]).all()
        assert frame["cn_wsh"].str.fullmatch(r"(平(市监|建)承〔2025〕\d+号)?").all()
        local = ~frame["cn_lx"].isin(COMMITMENT_TYPES | {""})
        assert 0.01 <= share(local) <= 0.03  # LOCAL_CODE_RATE: written in the clerk's own words
        kinds = frame["cn_zt_lb"].value_counts(normalize=True)
        assert kinds["法人及非法人组织"] > 0.5 and not frame["cn_shxym"].eq(USCC_PLACEHOLDER).any()
    construction = pd.concat(files_by_feed(delivered, tables, "zjj_commitment"))
    assert set(construction["cn_zt_lb"]) <= {"法人及非法人组织", ""}  # construction companies, no shops or people


@pytest.mark.parametrize("feed", ["fgw_objection", "fgw_credit_repair"])
def test_cases_arrive_when_accepted_and_again_when_concluded(delivered, tables, feed):
    assert load_registry().feed(feed).department_id == "fgw"
    prefix = "yy" if feed == "fgw_objection" else "xf"
    frame = pd.concat(files_by_feed(delivered, tables, feed), ignore_index=True).drop_duplicates()
    number, accepted, concluded, result = (frame[f"{prefix}_{c}"] for c in ("bh", "slrq", "bjrq", "jg"))
    open_ = concluded.isna() & result.eq("")
    assert open_.any() and (~open_).sum() > open_.sum()
    assert (concluded.dropna() < frame.loc[concluded.dropna().index, "delivered"]).all()
    # a case open in one file comes again, concluded, in a later one: two versions of one case
    reconcluded = set(number[open_]) & set(number[concluded.notna()])
    assert reconcluded and frame.loc[number.isin(reconcluded)].groupby(f"{prefix}_bh")["delivered"].nunique().min() == 2
    done = frame[concluded.notna() & accepted.notna()]
    if feed == "fgw_objection":
        assert set(done["yy_xxlx"]) <= {"行政处罚", "行政许可", "信用名单", "其他", ""}
        assert done["yy_xxly"].isin([d.name for d in load_registry().departments if d.id != "fgw"] + [""]).all()
        days = [(b - a).days for a, b in zip(done["yy_slrq"], done["yy_bjrq"], strict=True)]
    else:
        assert done["xf_slbm"].isin(["平顶山市发展和改革委员会", ""]).all()
        days = [len(chinese_calendar.get_workdays(a + dt.timedelta(days=1), b)) for a, b in
                zip(done["xf_slrq"], done["xf_bjrq"], strict=True)]  # fmt: skip
        assert 0 < sum(d > 5 for d in days) < len(days) / 3, "some repairs take longer than 5 working days"
    assert sum(d < 0 for d in days) <= 0.05 * len(days)  # SWAPPED_DATES_RATE: 受理 and 办结 typed the wrong way
    assert 0 < max(days) <= 31


@pytest.mark.db
def test_the_demo_ingest_validates_and_loads_the_new_feeds_and_the_month_has_their_indicators(warehouse_url):
    from citycredit.core import paths, warehouse
    from citycredit.indicators import compute
    from citycredit.tasks import common, ingest

    generate_feeds(paths.data_path("landing", "inbox"))  # 400 a feed: the measured rates need the rows
    feeds = ["scjg_subjects", "scjg_commitment", "zjj_commitment", "fgw_objection", "fgw_credit_repair"]
    common.prepare_warehouse()
    for feed in feeds:
        for batch_id in ingest.land_feed(feed):
            ingest.normalize_batch(batch_id)
            ingest.validate_batch(batch_id)
            ingest.load_batch(batch_id)
    engine = warehouse.engine()
    with engine.connect() as conn:
        batches = conn.execute(
            sa.text(
                "SELECT b.feed_id, b.dataset, b.status, a.received, a.loaded, a.quarantined, a.duplicate, a.revised"
                " FROM landing.batches b JOIN quality.batch_accounting a USING (batch_id)"
            )
        ).all()
        versions = {t: conn.execute(sa.text(f"SELECT max(version) FROM core.{t}")).scalar() for t in
                    ("objection", "credit_repair")}  # fmt: skip
    assert {b.feed_id for b in batches} == set(feeds) and {b.status for b in batches} == {"loaded"}
    assert all(b.received == b.loaded + b.quarantined + b.duplicate for b in batches)
    for dataset in ("credit_commitment", "objection", "credit_repair"):
        rows = [b for b in batches if b.dataset == dataset]
        assert sum(b.loaded for b in rows) > 4 * sum(b.quarantined for b in rows), dataset  # mostly right
    assert sum(b.quarantined for b in batches if b.dataset != "subject_registry") > 0, "their faults are caught"
    assert versions == {"objection": 2, "credit_repair": 2}  # an open case, then the same case concluded

    compute.compute_month(engine, "2025-09")
    city = {
        r["indicator"]: r
        for r in compute.month_values(engine, "2025-09")
        if r["scope"] == "city" and r["dataset"] == "all"
    }
    for indicator in ("credit_commitment_rate", "objection_upheld_share", "objection_handling_days",
                      "credit_repair_overdue", "objection_verification_late", "objection_reply_late"):  # fmt: skip
        assert city[indicator]["denominator"] > 0 and city[indicator]["value"] is not None, indicator
    assert 0 < city["objection_upheld_share"]["value"] < 1 and 0 <= city["credit_repair_overdue"]["value"] < 1
    assert 0 < city["objection_verification_late"]["value"] < 0.5, "some 异议 answers take more than a working day"
    assert city["objection_handling_days"]["value"] >= 1


# --- The benchmark file ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def large(tmp_path_factory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("bench") / "penalty.csv"
    return path, write_large_csv(path, "penalty", 120_000, seed=3)


def test_large_csv_has_the_requested_rows_under_national_labels(large):
    path, written = large
    with path.open(encoding="utf-8", newline="") as fh:
        header, *rows = csv.reader(fh)
    assert written == len(rows) == 120_000
    assert header == [f.label for f in fields("penalty")]
    assert all(len(row) == len(header) for row in rows)


def test_large_csv_carries_the_same_fault_mix(large):
    path, _ = large
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    codes = frame.loc[~frame["统一社会信用代码"].isin(["", USCC_PLACEHOLDER]), "统一社会信用代码"]
    codes = codes.map(lambda c: unicodedata.normalize("NFKC", c))
    assert 0.01 <= share(codes.map(lambda c: uscc_check_char(c[:17]) != c[17])) <= 0.04
    assert 0.005 <= share(frame.duplicated()) <= 0.02
    decided = pd.to_datetime(frame["处罚决定日期"], errors="coerce").dropna().dt.date
    delivered = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=ZoneInfo("Asia/Shanghai"))
    late = deadlines(decided) < delivered.date()
    assert 0.07 <= share(late) <= 0.11


def test_large_csv_is_deterministic_and_honours_the_encoding(tmp_path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    for path, seed in ((a, 5), (b, 5), (c, 6)):
        write_large_csv(path, "license", 3000, seed=seed, encoding="gbk")
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        a.read_bytes().decode("utf-8")
    assert a.read_bytes().decode("gbk").count("\n") == 3001


@pytest.mark.parametrize(("month", "message"), [("2025/09", "格式不正确"), ("2026-12", "工作日日历")])
def test_months_without_calendar_data_or_in_another_format_are_refused_in_chinese(tmp_path, month, message):
    with pytest.raises(ValueError, match=message):
        generate_feeds(tmp_path, month=month, records_per_feed=10)
    assert not any(tmp_path.iterdir())
