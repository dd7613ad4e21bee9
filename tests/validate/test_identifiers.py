"""Identifier checks: vectorised column functions, their agreement with the scalar functions and python-stdnum,
and the custom GX expectations built on them."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import great_expectations as gx
import numpy as np
import pandas as pd
import pytest
from great_expectations.expectations.row_conditions import Column
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_11_10

import citycredit.validate.expectations.identifiers as gx_identifiers
from citycredit.core.identifiers import (
    USCC_ALPHABET,
    USCC_PLACEHOLDER,
    id_card_ok,
    id_check_char,
    org_check_char,
    org_code_ok,
    regno_check_char,
    regno_ok,
    uscc_check_char,
    uscc_check_ok,
    uscc_format_ok,
)

DATA = Path(__file__).parents[1] / "data"
KNOWN = pd.read_csv(DATA / "identifier_known_answers.csv", dtype=str, keep_default_na=False)
CHECKS = {
    "uscc_format_ok": uscc_format_ok,
    "uscc_check_ok": uscc_check_ok,
    "id_card_ok": id_card_ok,
    "regno_ok": regno_ok,
    "org_code_ok": org_code_ok,
}


# --- known answers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_known_answers(check):
    rows = KNOWN[KNOWN["check"] == check]
    assert len(rows) >= 4
    got = CHECKS[check](rows["value"].reset_index(drop=True))
    expected = rows["expected"].eq("true").reset_index(drop=True)
    wrong = rows["value"].reset_index(drop=True)[got != expected]
    assert wrong.empty, f"{check} disagrees on {wrong.tolist()}"


def test_every_domain_fixture_uscc_is_covered():
    # docs/domain.md §2.4, valid and invalid, including the letter-first codes python-stdnum rejects.
    fixtures = {
        "914403001922038216",
        "91330100799655058B",
        "91440300708461136T",
        "9144030071526726XG",
        "91110108551385082Q",
        "91110000802100433B",
        "91110000600037341L",
        "91230500MA1B3N1N2M",
        "11230500001755309F",
        "91110108717809965C",
        "00000000000000000X",
        "N23301001234567880",
        "Y1110000MA0Q1R2TX6",
        "92330100MA2B3C4D17",
        "511100005000000071",
    }
    assert fixtures <= set(KNOWN.loc[KNOWN["check"] == "uscc_check_ok", "value"])


def test_letter_first_codes_are_accepted_where_stdnum_rejects_them():
    codes = pd.Series(["N23301001234567880", "Y1110000MA0Q1R2TX6"])
    assert uscc_check_ok(codes).all() and uscc_format_ok(codes).all()
    assert not any(uscc.is_valid(c) for c in codes)


def test_placeholder_is_whitelisted_not_valid():
    assert uscc_check_char(USCC_PLACEHOLDER[:17]) != USCC_PLACEHOLDER[17]
    assert uscc_check_ok(pd.Series([USCC_PLACEHOLDER])).tolist() == [True]


# --- absent values, dtypes, index --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [object, "str", "string"])
@pytest.mark.parametrize("check", sorted(CHECKS))
def test_absent_values_are_not_applicable(check, dtype):
    s = pd.Series([None, "", np.nan, "x"], index=[10, 20, 30, 40], dtype=dtype)
    got = CHECKS[check](s)
    assert got.dtype == bool
    assert got.index.tolist() == [10, 20, 30, 40]
    assert got.tolist() == [True, True, True, check == "uscc_check_ok"]


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_column_read_without_dtype_str(check):
    # An all-empty column comes out of read_csv as float64; it must not crash the check.
    assert CHECKS[check](pd.Series([np.nan, np.nan])).tolist() == [True, True]


def test_id_card_birth_date_bound_is_today():
    today = datetime.date(2024, 2, 29)
    born_today = "110105" + today.strftime("%Y%m%d") + "001"
    born_tomorrow = "110105" + "20240301" + "001"
    s = pd.Series([born_today + id_check_char(born_today), born_tomorrow + id_check_char(born_tomorrow)])
    assert id_card_ok(s, today=today).tolist() == [True, False]


def test_results_keep_a_sliced_index():
    s = pd.Series(["91110108717809965C", "914403001922038216", "91110108717809965C"])
    assert uscc_check_ok(s.iloc[1:]).to_dict() == {1: True, 2: False}


# --- generated codes: vectorised == scalar == python-stdnum -------------------------------------------------

uscc_char = st.sampled_from(USCC_ALPHABET)
digit = st.sampled_from("0123456789")


@st.composite
def uscc_codes(draw):
    """USCC-shaped codes; each check character is right or random, so all four combinations occur."""
    head = draw(st.text(uscc_char, min_size=2, max_size=2)) + draw(st.text(digit, min_size=6, max_size=6))
    body = head + draw(st.text(uscc_char, min_size=8, max_size=8))
    org = org_check_char(body[8:]) if draw(st.booleans()) else draw(uscc_char)
    check = uscc_check_char(body + org) if draw(st.booleans()) else draw(uscc_char)
    return body + org + check


@settings(max_examples=200, deadline=None)
@given(st.lists(uscc_codes(), min_size=1, max_size=50))
def test_uscc_vectorised_agrees_with_scalar_and_stdnum(codes):
    codes = [c for c in codes if c != USCC_PLACEHOLDER]
    got = uscc_check_ok(pd.Series(codes, dtype=object)).tolist()
    assert uscc_format_ok(pd.Series(codes)).all()
    for code, ok in zip(codes, got, strict=False):
        uscc_digit_ok = code[17] == uscc_check_char(code[:17])
        assert ok == (uscc_digit_ok and code[16] == org_check_char(code[8:16])), code
        if code[:8].isdigit():  # where python-stdnum applies (docs/domain.md §2.5); it skips the org code
            assert uscc.is_valid(code) == uscc_digit_ok, code


@settings(max_examples=200, deadline=None)
@given(uscc_codes(), st.integers(0, 17), st.data())
def test_any_single_substitution_is_caught(code, position, data):
    # Positions 3-8 take digits only: a letter there is the format rule's business.
    replacement = data.draw(digit if 2 <= position < 8 else uscc_char)
    valid = code[:16] + org_check_char(code[8:16])
    valid += uscc_check_char(valid)
    mutated = valid[:position] + replacement + valid[position + 1 :]
    unchanged = mutated in (valid, USCC_PLACEHOLDER)  # 17 zeros + 0 is valid; + X is the placeholder
    assert uscc_check_ok(pd.Series([valid, mutated])).tolist() == [True, unchanged]


@st.composite
def id_numbers(draw):
    """18-digit numbers from a Beijing address valid in every year of stdnum's table; birth dates and check
    digits are right or wrong."""
    address = draw(st.sampled_from(["110101", "110105"]))
    if draw(st.booleans()):
        birth = draw(st.dates(datetime.date(1890, 1, 1), datetime.date(2100, 12, 31))).strftime("%Y%m%d")
    else:
        birth = draw(st.text(digit, min_size=8, max_size=8))
    body = address + birth + draw(st.text(digit, min_size=3, max_size=3))
    check = id_check_char(body) if draw(st.booleans()) else draw(st.sampled_from("0123456789Xx"))
    return body + check


def _expected_id_ok(number: str, today: datetime.date) -> bool:
    try:
        born = datetime.datetime.strptime(number[6:14], "%Y%m%d").date()
    except ValueError:
        return False
    return number[17].upper() == id_check_char(number[:17]) and datetime.date(1900, 1, 1) <= born <= today


@settings(max_examples=200, deadline=None)
@given(st.lists(id_numbers(), min_size=1, max_size=50))
def test_id_card_vectorised_agrees_with_scalar_and_stdnum(numbers):
    today = datetime.date.today()
    got = id_card_ok(pd.Series(numbers)).tolist()
    for number, ok in zip(numbers, got, strict=False):
        assert ok == _expected_id_ok(number, today), number
        assert (ric.calc_check_digit(number) == number[17].upper()) == (
            id_check_char(number[:17]) == number[17].upper()
        )
        born_in_range = "19000101" <= number[6:14] <= today.strftime("%Y%m%d")
        if born_in_range:  # stdnum has no date bounds; inside them it must agree with us
            assert ric.is_valid(number) == ok, number


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(digit, min_size=15, max_size=15), min_size=1, max_size=50))
def test_legacy_15_digit_numbers(numbers):
    got = id_card_ok(pd.Series(numbers)).tolist()
    for number, ok in zip(numbers, got, strict=False):
        try:
            datetime.datetime.strptime("19" + number[6:12], "%Y%m%d")
            real = True
        except ValueError:
            real = False
        assert ok == real, number


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(digit, min_size=15, max_size=15), min_size=1, max_size=50))
def test_regno_vectorised_agrees_with_scalar_and_stdnum(numbers):
    fixed = [n[:14] + regno_check_char(n[:14]) for n in numbers]
    got = regno_ok(pd.Series(numbers + fixed)).tolist()
    assert got[len(numbers) :] == [True] * len(fixed)
    for number, ok in zip(numbers, got, strict=False):
        assert ok == (number[14] == regno_check_char(number[:14])) == mod_11_10.is_valid(number), number


# --- custom GX expectations --------------------------------------------------------------------------------

RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ["_source_row"]}

FRAME = pd.DataFrame(
    {
        "_source_row": [2, 3, 4, 5, 6, 7, 8],
        "cf_xdr_shxym": [
            "914403001922038216",
            "91110108717809965C",
            None,
            "not a code",
            USCC_PLACEHOLDER,
            "Y1110000MA0Q1R2TX6",
            "914403001922038229",
        ],
        "cf_xdr_gszc": [
            "110108000000008",
            "110108000000007",
            None,
            "",
            "11010800000000",
            None,
            "440301103097413",
        ],
        "cf_xdr_zjlx": ["身份证", "身份证", "护照", "身份证", None, "身份证", "身份证"],
        "cf_xdr_zjhm": [
            "11010519491231002X",
            "110105194912310021",
            "E12345678",
            None,
            "110105194902300020",
            "110105491231002",
            "110105209912310029",
        ],
    }
)


def _suite():
    return gx.ExpectationSuite(
        name="identifiers",
        expectations=[
            gx_identifiers.ExpectColumnValuesToBeValidUscc(
                column="cf_xdr_shxym", meta={"rule_id": "ID-USCC-CHECK", "severity": "error"}
            ),
            gx_identifiers.ExpectColumnValuesToBeValidRegistrationNumber(
                column="cf_xdr_gszc", meta={"rule_id": "ID-REGNO-CHECK", "severity": "error"}
            ),
            gx_identifiers.ExpectColumnValuesToBeValidIdCard(
                column="cf_xdr_zjhm",
                row_condition=Column("cf_xdr_zjlx") == "身份证",
                meta={"rule_id": "ID-CARD-CHECK", "severity": "error"},
            ),
        ],
    )


@pytest.fixture(scope="module")
def results():
    context = gx.get_context(mode="ephemeral")
    batch_definition = (
        context.data_sources.add_pandas("frames")
        .add_dataframe_asset("rows")
        .add_batch_definition_whole_dataframe("all")
    )
    suite = context.suites.add(_suite())
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name="identifiers", data=batch_definition, suite=suite)
    )
    run = definition.run(batch_parameters={"dataframe": FRAME}, result_format=RESULT_FORMAT)
    return {r.expectation_config.meta["rule_id"]: r for r in run.results}


def _failing_rows(result) -> set[int]:
    assert result.exception_info["raised_exception"] is False, result.exception_info
    return {int(item["_source_row"]) for item in result.result["unexpected_index_list"]}


def test_gx_uscc_expectation_reports_exactly_the_bad_check_digits(results):
    result = results["ID-USCC-CHECK"]
    assert result.expectation_config.type == "expect_column_values_to_be_valid_uscc"
    assert result.expectation_config.meta == {"rule_id": "ID-USCC-CHECK", "severity": "error"}
    # row 5 is not USCC-shaped (the regex rule's business), row 6 the whitelisted placeholder.
    assert _failing_rows(result) == {3, 8}
    assert result.success is False


def test_gx_registration_number_expectation(results):
    result = results["ID-REGNO-CHECK"]
    assert result.expectation_config.type == "expect_column_values_to_be_valid_registration_number"
    assert _failing_rows(result) == {3, 6}


def test_gx_id_card_expectation_applies_only_where_the_row_condition_holds(results):
    result = results["ID-CARD-CHECK"]
    assert result.expectation_config.type == "expect_column_values_to_be_valid_id_card"
    # row 4 (护照) and row 6 (证件类型 empty) are outside the condition; row 5 holds no number.
    assert _failing_rows(result) == {3, 8}
    assert result.result["element_count"] == 5


def test_gx_expectations_pass_on_clean_rows():
    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("frames")
        .add_dataframe_asset("rows")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": FRAME.iloc[[0]]})
    )
    for expectation in _suite().expectations:
        assert batch.validate(expectation, result_format=RESULT_FORMAT).success


def test_suite_json_round_trip_keeps_custom_types_and_meta():
    original = _suite()
    loaded = gx.ExpectationSuite(**json.loads(json.dumps(original.to_json_dict(), ensure_ascii=False)))
    assert [type(e) for e in loaded.expectations] == [type(e) for e in original.expectations]
    assert [e.meta for e in loaded.expectations] == [e.meta for e in original.expectations]
    assert loaded.expectations[2].row_condition == original.expectations[2].row_condition
    assert [e.expectation_type for e in loaded.expectations] == [
        "expect_column_values_to_be_valid_uscc",
        "expect_column_values_to_be_valid_registration_number",
        "expect_column_values_to_be_valid_id_card",
    ]


def test_data_docs_sentence_names_the_rule_and_the_condition():
    from great_expectations.render.renderer.content_block import ExpectationStringRenderer

    card = _suite().expectations[2]
    (block,) = ExpectationStringRenderer.render(card.configuration)
    template = block.string_template
    assert "居民身份证号码" in template["template"]
    assert template["params"]["column"] == "cf_xdr_zjhm"
    assert "身份证" in " ".join(str(v) for k, v in template["params"].items() if k.startswith("row_condition"))
    uscc_card = gx_identifiers.ExpectColumnValuesToBeValidUscc(column="x", mostly=0.95)
    uscc_card.render()
    assert "统一社会信用代码" in uscc_card.rendered_content[0].value.template
    assert "$mostly_pct" in uscc_card.rendered_content[0].value.template
