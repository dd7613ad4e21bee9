"""The official working-day calendar (调休 included) and the 7-working-day reporting deadline."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import numpy as np
import pandas as pd
import pytest

from citycredit.core import paths
from citycredit.core.config import ConfigError
from citycredit.validate.workdays import OVERRIDES_FILE, WorkCalendar, default_calendar

BAD_OVERRIDES = Path(__file__).parents[1] / "data" / "calendar_overrides"

# Invented for the tests (NOT the real 2027 arrangement): 2027-01-01 is a Friday; rest Fri 01-01 .. Mon 01-04,
# work Saturday 01-09.
OVERRIDE_2027 = """
version: 7
years:
  2027:
    source: 测试用例，非真实通知
    holidays:
      - 2027-01-01..2027-01-04
    makeup_workdays:
      - 2027-01-09
"""

# Invented as well: 2028-01-01 is a Saturday; rest Sat 01-01 .. Mon 01-03. 2027 stays unknown.
OVERRIDE_2028_ONLY = """
version: 8
years:
  2028:
    source: 测试用例，非真实通知
    holidays:
      - 2028-01-01..2028-01-03
"""


def calendar_from(tmp_path: Path, text: str) -> WorkCalendar:
    path = tmp_path / OVERRIDES_FILE
    path.write_text(text, encoding="utf-8")
    return WorkCalendar.load(path)


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return default_calendar()


# --- the calendar's facts -------------------------------------------------------------------------------


def test_worked_example_national_day_2025(calendar):
    # 09-28 (Sun) and 10-11 (Sat) are 调休 working days; 10-01 .. 10-08 are off:
    # 09-28, 09-29, 09-30, 10-09, 10-10, 10-11, 10-13.
    assert calendar.deadline(date(2025, 9, 26)) == date(2025, 10, 13)
    status = calendar.timeliness(pd.Series(["2025-09-26", "2025-09-26"]), pd.Series(["2025-10-13", "2025-10-14"]))
    assert status.tolist() == ["on_time", "late"]


def test_makeup_sunday_counts_as_a_working_day(calendar):
    assert date(2025, 9, 28).weekday() == 6 and calendar.is_workday(date(2025, 9, 28)) is True
    assert calendar.is_workday(date(2025, 9, 21)) is False  # an ordinary Sunday
    # A decision on Saturday 2024-02-03: the very next day, Sunday 2024-02-04, is the first working day.
    assert calendar.deadline(date(2024, 2, 3), working_days=1) == date(2024, 2, 4)


def test_2025_new_years_eve_became_a_holiday(calendar):
    # From 2025 除夕 is a statutory rest day: 除夕 2025-01-28 (Tue) is off, while 除夕 2024-02-09 (Fri) was worked.
    assert calendar.is_workday(date(2025, 1, 28)) is False
    assert calendar.is_workday(date(2024, 2, 9)) is True
    # Decision Fri 2025-01-24. Spring Festival 2025: off 01-28 .. 02-04, work Sun 01-26 and Sat 02-08.
    # Counted: 01-26 (Sun), 01-27, 02-05, 02-06, 02-07, 02-08 (Sat), 02-10. Had 除夕 been worked as before
    # 2025, 01-28 would have counted and the deadline would have been 02-08.
    assert calendar.deadline(date(2025, 1, 24)) == date(2025, 2, 10)


@pytest.mark.parametrize(
    ("decision", "deadline"),
    [
        # Spring Festival 2024 (chinesecalendar): off Sat 02-10 .. Sat 02-17, work Sun 02-04 and Sun 02-18.
        # Decision Mon 02-05; counted: 02-06, 02-07, 02-08, 02-09 (除夕, worked in 2024), 02-18 (Sun),
        # 02-19, 02-20.
        (date(2024, 2, 5), date(2024, 2, 20)),
        # Spring Festival 2026 (chinesecalendar): off Sun 02-15 .. Mon 02-23, work Sat 02-14 and Sat 02-28.
        # Decision Thu 02-12; counted: 02-13, 02-14 (Sat), 02-24, 02-25, 02-26, 02-27, 02-28 (Sat).
        (date(2026, 2, 12), date(2026, 2, 28)),
    ],
)
def test_spring_festival(calendar, decision, deadline):
    assert calendar.deadline(decision) == deadline


def test_year_without_data_is_indeterminate(calendar):
    assert calendar.years == frozenset(range(2004, 2027))
    assert calendar.is_workday(date(2027, 1, 4)) is None
    assert calendar.is_workday(date(2003, 12, 31)) is None
    # The working days left in 2026 after Tue 12-22 are 12-23, 24, 25, 28, 29, 30, 31: exactly seven.
    assert calendar.deadline(date(2026, 12, 22)) == date(2026, 12, 31)
    assert calendar.deadline(date(2026, 12, 23)) is None
    assert calendar.deadline(date(2026, 12, 28)) is None


def test_override_makes_the_next_year_known(tmp_path):
    calendar = calendar_from(tmp_path, OVERRIDE_2027)
    assert 2027 in calendar.years
    assert calendar.version == f"chinesecalendar {chinese_calendar.__version__}; {OVERRIDES_FILE} version 7"
    # Decision Mon 2026-12-28: 12-29, 12-30, 12-31, (01-01 .. 01-04 off) 01-05, 01-06, 01-07, 01-08.
    assert calendar.deadline(date(2026, 12, 28)) == date(2027, 1, 8)
    # Decision Thu 2026-12-31: 01-05, 01-06, 01-07, 01-08, 01-09 (Sat, makeup), 01-11, 01-12.
    assert calendar.deadline(date(2026, 12, 31)) == date(2027, 1, 12)
    assert calendar.deadline(date(2027, 12, 28)) is None  # 2028 is still unknown


def test_override_replaces_a_whole_year(tmp_path):
    # An operator's correction of 2026 that lists only National Day: the package's Spring Festival is gone.
    calendar = calendar_from(
        tmp_path,
        "version: 3\nyears:\n  2026:\n    source: 测试用例，非真实通知\n    holidays: [2026-10-01..2026-10-08]\n",
    )
    assert default_calendar().is_workday(date(2026, 2, 16)) is False
    assert calendar.is_workday(date(2026, 2, 16)) is True  # a Monday, now an ordinary working day
    assert calendar.is_workday(date(2026, 10, 8)) is False
    assert calendar.is_workday(date(2026, 10, 10)) is False  # the package's makeup Saturday is gone too


def test_a_gap_year_is_never_skipped(tmp_path):
    calendar = calendar_from(tmp_path, OVERRIDE_2028_ONLY)
    assert {2026, 2028} <= calendar.years and 2027 not in calendar.years
    assert calendar.deadline(date(2026, 12, 28)) is None
    assert calendar.deadlines(pd.Series(["2026-12-28"])).isna().all()
    # Decision Thu 2028-01-06: 01-07, 01-10, 01-11, 01-12, 01-13, 01-14, 01-17.
    assert calendar.deadline(date(2028, 1, 6)) == date(2028, 1, 17)


def test_agrees_with_chinese_calendar_find_workday(calendar):
    # find_workday(k, d) first moves to the first working day on or after d, then k working days on. On a
    # working day that is our deadline with k = 7; on a rest day the move already passes one working day,
    # so k = 6. Where find_workday walks out of the package's years, we must answer "indeterminate".
    day, checked = date(2004, 1, 1), 0
    while day.year <= 2026:
        try:
            expected = chinese_calendar.find_workday(7 if chinese_calendar.is_workday(day) else 6, day)
        except NotImplementedError:
            expected = None
        assert calendar.deadline(day) == expected, day
        checked += expected is not None
        day += timedelta(days=1)
    assert checked == (date(2026, 12, 22) - date(2004, 1, 1)).days + 1


# --- whole columns ----------------------------------------------------------------------------------------


def reference_timeliness(calendar: WorkCalendar, decision: date | None, reported: date | None) -> str | None:
    """One row at a time, from the scalar calendar only."""
    if decision is None or reported is None:
        return None
    due = calendar.deadline(decision)
    if due is not None:
        return "on_time" if reported <= due else "late"
    # Unknown deadline: the record is certainly on time when every day up to the report is known (then fewer
    # than 7 working days had passed, or the deadline would be known).
    days = (decision + timedelta(days=k) for k in range(1, (reported - decision).days + 1))
    return "on_time" if all(calendar.is_workday(d) is not None for d in days) else "indeterminate"


GARBAGE = ["", "garbage", "2025-02-30", "2025/09/26", "2025年9月26日", None]


def random_columns(seed: int, n: int = 3000) -> tuple[list, list]:
    """Decision and reported dates as ISO text, spanning the edges of the known years, with garbage mixed in."""
    rng = np.random.default_rng(seed)
    first = date(2003, 10, 1)
    decisions = [first + timedelta(days=int(k)) for k in rng.integers(0, (date(2029, 3, 1) - first).days, n)]
    reported = [d + timedelta(days=int(k)) for d, k in zip(decisions, rng.integers(-3, 25, n), strict=True)]
    as_text = [d.isoformat() for d in decisions], [d.isoformat() for d in reported]
    for column in as_text:
        for position, junk in zip(rng.choice(n, 60, replace=False), rng.choice(len(GARBAGE), 60), strict=True):
            column[position] = GARBAGE[junk]
    return as_text


def parse_iso(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None


@pytest.mark.parametrize("overrides", [None, OVERRIDE_2028_ONLY], ids=["shipped", "gap-2027"])
@pytest.mark.parametrize("as_datetime", [False, True], ids=["iso-text", "datetime64"])
def test_columns_agree_with_the_scalar_calendar(tmp_path, overrides, as_datetime):
    calendar = calendar_from(tmp_path, overrides) if overrides else default_calendar()
    decision_text, reported_text = random_columns(seed=20251126)
    decisions, reported = pd.Series(decision_text), pd.Series(reported_text)
    if as_datetime:
        decisions = pd.to_datetime(decisions, format="%Y-%m-%d", errors="coerce")
        reported = pd.to_datetime(reported, format="%Y-%m-%d", errors="coerce")

    expected_deadlines = [calendar.deadline(d) if d else None for d in map(parse_iso, decision_text)]
    got = calendar.deadlines(decisions)
    assert got.dtype.kind == "M"
    assert [None if pd.isna(v) else v.date() for v in got] == expected_deadlines
    assert sum(d is None for d in expected_deadlines) > 100  # garbage and unknown years both occur

    expected = [
        reference_timeliness(calendar, parse_iso(d), parse_iso(r))
        for d, r in zip(decision_text, reported_text, strict=True)
    ]
    assert calendar.timeliness(decisions, reported).tolist() == expected
    assert {"on_time", "late", "indeterminate", None} <= set(expected)


def test_timeliness_at_the_end_of_the_known_calendar(calendar):
    decisions = pd.Series(["2026-12-28", "2026-12-28", "2026-12-18", "2026-12-28", None])
    reported = pd.Series(["2026-12-30", "2027-01-04", "2027-01-04", "2026-12-31", "2026-12-31"])
    # Row 0: three 2026 working days passed by the report, fewer than seven: on time whatever 2027 holds.
    # Row 1: whether 2027-01-01 .. 01-04 are working days decides it: indeterminate.
    # Row 2: the deadline 2026-12-29 is known, so a report in unknown 2027 is simply late.
    assert calendar.timeliness(decisions, reported).tolist() == [
        "on_time",
        "indeterminate",
        "late",
        "on_time",
        None,
    ]


def test_working_days_must_be_positive(calendar):
    with pytest.raises(ValueError, match="working_days"):
        calendar.deadlines(pd.Series(["2025-09-26"]), working_days=0)
    with pytest.raises(ValueError, match="working_days"):
        calendar.deadline(date(2025, 9, 26), working_days=-1)


# --- the override file ------------------------------------------------------------------------------------


def test_shipped_override_file_adds_no_year():
    path = paths.CONFIG_DIR / OVERRIDES_FILE
    calendar = WorkCalendar.load(path)
    assert calendar.years == frozenset(range(2004, 2027))
    assert calendar.version.endswith(f"{OVERRIDES_FILE} version 1")


def test_the_documented_example_is_valid(tmp_path):
    """The commented-out example in the shipped file, uncommented as the operator would, loads."""
    lines = (paths.CONFIG_DIR / OVERRIDES_FILE).read_text(encoding="utf-8").splitlines()
    start = lines.index("# years:")
    block = [line[2:] for line in lines[start:] if line.startswith("#  ") or line == "# years:"]
    calendar = calendar_from(tmp_path, "version: 2\n" + "\n".join(block) + "\n")
    assert 2027 in calendar.years


@pytest.mark.parametrize(
    ("fixture", "fragments"),
    [
        ("bad_date.yaml", ["years.2027.holidays[1]", "2027-02-30"]),
        ("makeup_on_weekday.yaml", ["years.2027.makeup_workdays[0]", "2027-02-15", "星期一"]),
        ("date_outside_year.yaml", ["years.2027.holidays[0]", "2026-12-31"]),
        ("holiday_and_makeup.yaml", ["years.2027.makeup_workdays", "2027-02-07", "holidays"]),
        ("missing_source.yaml", ["years.2027.source"]),
        ("reversed_range.yaml", ["years.2027.holidays[0]", "2027-02-12..2027-02-06"]),
        ("misspelt_key.yaml", ["years.2027", "makeup_workday"]),
        ("missing_version.yaml", ["version"]),
    ],
)
def test_override_file_errors_name_the_year_and_key(fixture, fragments):
    with pytest.raises(ConfigError) as caught:
        WorkCalendar.load(BAD_OVERRIDES / fixture)
    message = str(caught.value)
    assert fixture in message
    for fragment in fragments:
        assert fragment in message


# --- the GX expectations ----------------------------------------------------------------------------------

RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ["_source_row"]}

GX_ROWS = pd.DataFrame(
    {
        "_source_row": [2, 3, 4, 5, 6, 7, 8, 9, 10],
        "XK_JDRQ": [
            "2025-09-26",  # deadline 2025-10-13
            "2025-09-26",
            "2025-01-24",  # deadline 2025-02-10
            "2025-01-24",
            "2026-12-28",  # deadline in unknown 2027
            "2026-12-28",
            None,
            "2025年1月1日",  # not canonical: another rule reports it
            "2024-02-05",
        ],
        "_reported_on": [
            "2025-10-13",
            "2025-10-14",  # late
            "2025-02-10",
            "2025-02-11",  # late
            "2027-01-20",  # indeterminate
            "2026-12-30",  # on time whatever 2027 holds
            "2025-01-01",
            "2025-01-20",
            None,
        ],
    }
)


@pytest.fixture(scope="module")
def gx_batches():
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    asset = context.data_sources.add_pandas("frames").add_dataframe_asset("rows")
    definition = asset.add_batch_definition_whole_dataframe("whole")
    as_datetime = GX_ROWS.assign(
        XK_JDRQ=pd.to_datetime(GX_ROWS["XK_JDRQ"], format="%Y-%m-%d", errors="coerce"),
        _reported_on=pd.to_datetime(GX_ROWS["_reported_on"], format="%Y-%m-%d", errors="coerce"),
    )
    return {
        "iso-text": definition.get_batch(batch_parameters={"dataframe": GX_ROWS}),
        "datetime64": definition.get_batch(batch_parameters={"dataframe": as_datetime}),
    }


def failing_rows(batch, expectation_type: str, kwargs: dict) -> tuple[list[int], dict]:
    import great_expectations as gx

    import citycredit.validate.expectations.timeliness  # noqa: F401  (registers the expectations)

    suite = gx.ExpectationSuite(
        name=f"timeliness-{expectation_type}",
        expectations=[{"type": expectation_type, "kwargs": kwargs, "meta": {"rule_id": "TEST-1"}}],
    )
    result = batch.validate(suite, result_format=RESULT_FORMAT).results[0]
    assert result.exception_info["raised_exception"] is False, result.exception_info
    rows = [row["_source_row"] for row in result.result["unexpected_index_list"]]
    return rows, result.expectation_config.meta


@pytest.mark.parametrize("dtype", ["iso-text", "datetime64"])
@pytest.mark.parametrize(("working_days", "late_rows"), [(7, [3, 5]), (1, [2, 3, 4, 5, 6, 7])])
def test_gx_reported_within_working_days(gx_batches, dtype, working_days, late_rows):
    rows, meta = failing_rows(
        gx_batches[dtype],
        "expect_column_pair_values_to_be_reported_within_working_days",
        {"column_A": "XK_JDRQ", "column_B": "_reported_on", "working_days": working_days},
    )
    assert rows == late_rows
    assert meta == {"rule_id": "TEST-1"}


@pytest.mark.parametrize("dtype", ["iso-text", "datetime64"])
@pytest.mark.parametrize(("working_days", "unknown_rows"), [(7, [6, 7]), (1, [])])
def test_gx_known_working_day_calendar(gx_batches, dtype, working_days, unknown_rows):
    rows, meta = failing_rows(
        gx_batches[dtype],
        "expect_column_values_to_have_known_working_day_calendar",
        {"column": "XK_JDRQ", "working_days": working_days},
    )
    assert rows == unknown_rows
    assert meta == {"rule_id": "TEST-1"}


def test_gx_suites_must_state_the_number_of_working_days():
    from great_expectations.compatibility.pydantic import ValidationError

    from citycredit.validate.expectations import timeliness

    with pytest.raises(ValidationError, match="working_days"):
        timeliness.ExpectColumnValuesToHaveKnownWorkingDayCalendar(column="XK_JDRQ")
    with pytest.raises(ValidationError, match="working_days"):
        timeliness.ExpectColumnPairValuesToBeReportedWithinWorkingDays(
            column_A="XK_JDRQ", column_B="_reported_on", working_days=0
        )
