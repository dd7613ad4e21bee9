"""Masking of 身份证 numbers: values, columns, free text and log output."""

from __future__ import annotations

import io
import logging
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citycredit.core.privacy import IdMaskingFilter, install_log_masking, mask_id, mask_id_series, mask_ids_in_text

ID18 = "11010519491231002X"  # the GB 11643 example number
ID15 = "110105491231002"


# --- values and columns ------------------------------------------------------------------------------------


def test_mask_id_keeps_four_and_four():
    assert mask_id("410423198001010037") == "4104**********0037"
    assert mask_id(ID18) == "1101**********002X"
    assert mask_id(ID15) == "1101*******1002"


def test_mask_id_short_values_hide_at_least_half():
    assert mask_id("E12345678") == "E1*****78"
    assert mask_id("1234") == "1**4"
    assert mask_id("123") == "***"
    assert mask_id("") == ""
    assert mask_id(None) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=25)), min_size=1, max_size=30))
def test_mask_id_series_agrees_with_mask_id(values):
    s = pd.Series(values, index=range(100, 100 + len(values)), dtype=object)
    masked = mask_id_series(s)
    assert masked.index.equals(s.index)
    for value, got in zip(values, masked, strict=False):
        if value is None:
            assert pd.isna(got)
        else:
            assert got == mask_id(value)


@pytest.mark.parametrize("dtype", [object, "str", "string"])
def test_mask_id_series_keeps_missing_values(dtype):
    s = pd.Series([ID18, None, np.nan, "", ID15], dtype=dtype)
    masked = mask_id_series(s)
    assert masked.iloc[[0, 3, 4]].tolist() == ["1101**********002X", "", "1101*******1002"]
    assert masked.iloc[[1, 2]].isna().all()


def test_mask_id_series_masks_a_numeric_column():
    masked = mask_id_series(pd.Series([110105194912310021, 110105491231002]))
    assert masked.tolist() == ["1101**********0021", "1101*******1002"]


# --- free text -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"证件号码{ID18}，请核实", "证件号码1101**********002X，请核实"),
        (f"id={ID18.lower()}", "id=1101**********002x"),
        (f"法人身份证 {ID15};", "法人身份证 1101*******1002;"),
        (f"{ID18},{ID15}", "1101**********002X,1101*******1002"),
        (f"file_{ID18}.csv", "file_1101**********002X.csv"),
        ("证件号码１１０１０５１９４９１２３１００２Ｘ", "证件号码１１０１**********００２Ｘ"),
        (f"A{ID18}", "A1101**********002X"),  # glued to a letter, with the right check digit: a person reads it
    ],
)
def test_id_numbers_in_text_are_masked(text, expected):
    assert mask_ids_in_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "统一社会信用代码 914403001922038216 校验失败",  # all digits, positions 7-14 (00192203) are no date
        "N23301001234567880",  # letter-first USCC
        "Y1110000MA0Q1R2TX6",  # letters in the body
        "91230500MA1B3N1N2M",
        "511100005000000071",  # all digits, 00500000 is no date
        "工商注册号 110108000000008",  # 15 digits, 19000000 is no date
        "A110105194912310021",  # glued to a letter with a wrong check digit: no sign it is an ID number
        "110105194912310021B",
        f"9{ID18}",  # 19 characters
        "11010518991231002X",  # born 1899: outside the birth-date window
        "1101051949123100",  # 16 digits
        "电话 13800138000",
        "1101**********002X",  # already masked: masking twice changes nothing
    ],
)
def test_other_codes_in_text_are_left_alone(text):
    assert mask_ids_in_text(text) == text


def test_wrong_check_digit_is_still_masked():
    # A mistyped ID number is still personal data.
    assert mask_ids_in_text("110105194912310021") == "1101**********0021"


def test_all_digit_uscc_whose_middle_reads_as_a_date_is_masked():
    # The documented cost of the heuristic: positions 7-14 "19900101" make it ID-shaped.
    assert mask_ids_in_text("123301199001010112") == "1233**********0112"


# --- logging -------------------------------------------------------------------------------------------------


def _stream_handler() -> tuple[logging.Handler, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    return handler, stream


@pytest.fixture
def isolated_logger():
    logger = logging.getLogger("citycredit.test_privacy.isolated")
    logger.propagate = False
    handler, stream = _stream_handler()
    logger.addHandler(handler)
    yield logger, handler, stream
    logger.removeHandler(handler)
    logger.propagate = True


def test_filter_masks_message_args_and_traceback(isolated_logger):
    logger, handler, stream = isolated_logger
    handler.addFilter(IdMaskingFilter())
    logger.warning("row %d: 证件号码 %s invalid", 7, ID18)
    logger.warning("mapping %(zjhm)s", {"zjhm": ID15})
    logger.warning(f"inline {ID18}")
    try:
        raise ValueError(f"bad number {ID18}")
    except ValueError:
        logger.exception("failed for %s", ID15)
    output = stream.getvalue()
    assert ID18 not in output and ID15 not in output
    assert "row 7: 证件号码 1101**********002X invalid" in output
    assert "mapping 1101*******1002" in output
    assert "inline 1101**********002X" in output
    assert "ValueError: bad number 1101**********002X" in output
    assert "failed for 1101*******1002" in output


def test_filter_leaves_other_records_lazy(isolated_logger):
    logger, handler, stream = isolated_logger
    handler.addFilter(IdMaskingFilter())
    records = []
    handler.addFilter(lambda record: records.append(record) or True)
    logger.warning("code %s ok", "914403001922038216")
    assert records[0].args == ("914403001922038216",)
    assert stream.getvalue() == "citycredit.test_privacy.isolated code 914403001922038216 ok\n"


def test_filter_masks_arguments_of_a_malformed_call(capsys):
    # Made here, not in a fixture: pytest attaches its capture handlers (which re-raise logging errors) to
    # loggers that are already non-propagating when a test phase starts.
    logger = logging.getLogger("citycredit.test_privacy.malformed")
    logger.propagate = False
    handler, stream = _stream_handler()
    handler.addFilter(IdMaskingFilter())
    logger.addHandler(handler)
    try:
        logger.warning("two placeholders %s %s", ID18)  # noqa: PLE1206 - logging reports the error on stderr
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    report = capsys.readouterr().err
    assert "Arguments: ('1101**********002X',)" in report
    assert ID18 not in report and ID18 not in stream.getvalue()


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    factory = logging.getLogRecordFactory()
    filters = {handler: list(handler.filters) for handler in root.handlers}
    yield
    logging.setLogRecordFactory(factory)
    for handler, saved in filters.items():
        handler.filters[:] = saved


def test_install_covers_propagating_and_later_handlers(restore_logging, caplog, isolated_logger):
    install_log_masking()
    install_log_masking()
    assert logging.getLogger().handlers  # pytest's capture handlers at least
    root_filters = [f for h in logging.getLogger().handlers for f in h.filters if isinstance(f, IdMaskingFilter)]
    assert len(root_filters) == len(logging.getLogger().handlers)

    # A child logger that propagates to the root, whose handlers include pytest's caplog handler.
    with caplog.at_level(logging.INFO):
        logging.getLogger("citycredit.somewhere.deep").info("证件号码 %s", ID18)
    assert caplog.messages == ["证件号码 1101**********002X"]
    assert ID18 not in caplog.text

    # A logger that does not propagate, with a handler added after installation and no filter of its own.
    logger, _, stream = isolated_logger
    late_handler, late_stream = _stream_handler()
    logger.addHandler(late_handler)
    try:
        logger.error("late %s", ID15)
    finally:
        logger.removeHandler(late_handler)
    assert late_stream.getvalue() == "citycredit.test_privacy.isolated late 1101*******1002\n"
    assert ID15 not in stream.getvalue()


def test_install_is_idempotent(restore_logging):
    install_log_masking()
    factory = logging.getLogRecordFactory()
    install_log_masking()
    assert logging.getLogRecordFactory() is factory


def test_records_rebuilt_from_a_queue_are_masked_by_the_root_handlers(restore_logging):
    root = logging.getLogger()
    handler, stream = _stream_handler()
    root.addHandler(handler)
    try:
        install_log_masking()
        # What a QueueListener or socket server does with a record from another process.
        record = logging.makeLogRecord({"name": "worker", "msg": "id %s", "args": (ID18,), "levelno": 40})
        root.handle(record)
    finally:
        root.removeHandler(handler)
    assert stream.getvalue() == "worker id 1101**********002X\n"


# --- where masking is installed --------------------------------------------------------------------------------


def _run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)


def test_every_task_process_masks_its_logs_from_the_import_of_the_task_bodies():
    """The DAG files import citycredit.tasks.ingest, in the DAG processor and in every task process."""
    result = _run_python(
        "import logging, sys\n"
        "import citycredit.tasks.ingest\n"
        "logging.basicConfig(stream=sys.stdout, format='%(message)s')\n"  # a handler added later, as Airflow's
        f"logging.getLogger('citycredit.feeds.landing').warning('landed %s', '{ID18}.csv')\n"
        "print('pandas' in sys.modules)\n"
    )
    assert result.stdout.splitlines() == ["landed 1101**********002X.csv", "False"]  # no pandas at DAG parse time


@pytest.mark.parametrize(
    "name",
    [
        "sfz410403198503153310号.xlsx",  # glued to letters
        "身份证 4104 0319 8503 1533 10.csv",  # spaced
        "410403-19850315-3310.csv",  # dashed
        "4104\u200b0319\u200c8503\u200d1533\ufeff10.csv",  # split by zero-width characters
        "身份证４１０４０３１９８５０３１５３３１０.csv",  # full-width digits
    ],
)
def test_every_spelling_of_an_id_number_in_a_file_name_is_masked_in_a_task_processs_log(name):
    result = _run_python(
        "import logging, sys\n"
        "import citycredit.tasks.ingest\n"
        "logging.basicConfig(stream=sys.stdout, format='%(message)s')\n"
        f"logging.getLogger('citycredit.feeds.landing').warning('landed %s', {name!r})\n"
    )
    digits = "".join(str(int(c)) for c in result.stdout if c.isdecimal())
    assert result.stdout.startswith("landed ") and "19850315" not in digits, result.stdout


def test_the_command_line_masks_its_logs(tmp_path):
    result = _run_python(
        "import logging, sys\n"
        "from citycredit import cli\n"
        "cli.build_parser = lambda argv: (_ for _ in ()).throw(SystemExit(0))\n"  # stop right after the set-up
        "try:\n    cli.main([])\nexcept SystemExit:\n    pass\n"
        "logging.basicConfig(stream=sys.stdout, format='%(message)s')\n"
        f"logging.getLogger('citycredit.cli').error('bad id %s', '{ID15}')\n"
    )
    assert result.stdout == "bad id 1101*******1002\n"
