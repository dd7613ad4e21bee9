"""File names as departments send them (issue #18): any name a file system allows lands, and is shown escaped."""

from __future__ import annotations

import logging

import pytest
from landing_helpers import GOOD, deliveries, kept, land, left_in_inbox, put

from citycredit.core.printable import printable

pytestmark = pytest.mark.db

LONG = "平顶山市市场监督管理局行政许可" * 5 + "许" * 7 + ".csv"  # 250 bytes in UTF-8: legal, but no room for a prefix
OTHER = LONG.replace("许.csv", "可.csv")


def test_a_name_in_gbk_bytes_lands_under_its_chinese_name_and_blocks_nothing(engine):
    put("许可2025年9月.csv".encode("gbk"))
    put(b"\xff\xfe\x80.csv", GOOD.replace(b"GOOD1", b"GOOD8"), minute=1)  # neither UTF-8 nor GB18030
    put("next.csv", GOOD.replace(b"GOOD1", b"GOOD9"), minute=2)
    landed = land(engine)
    assert [(x.source_name, x.outcome) for x in landed] == [
        ("许可2025年9月.csv", "new"),
        ("\\xff\\xfe\\x80.csv", "new"),
        ("next.csv", "new"),
    ]
    assert [d["source_name"] for d in deliveries(engine)] == [x.source_name for x in landed]
    assert left_in_inbox() == []
    assert all(p.name.isprintable() for p in kept("archive"))


def test_a_250_byte_chinese_name_is_archived_once_and_not_recorded_again(engine):
    assert len(LONG.encode()) == 250
    put(LONG)
    put(OTHER, b"", minute=1)  # rejected: its copy and its reason file must fit too
    first = land(engine)
    assert [(x.source_name, x.outcome) for x in first] == [(LONG, "new"), (OTHER, "rejected")]
    assert land(engine) == []
    assert [d["outcome"] for d in deliveries(engine)] == ["new", "rejected"]
    assert left_in_inbox() == []
    (archived,) = kept("archive")
    assert archived.read_bytes() == GOOD and archived.name.endswith("….csv")
    rejected = [p.name for p in kept("rejected")]
    assert len(rejected) == 2 and rejected[1] == rejected[0] + ".reason.txt"
    assert all(len(n.encode()) <= 255 for n in [archived.name, *rejected])


def test_two_files_of_the_same_name_and_time_are_both_archived(engine):
    put(LONG)
    assert [x.outcome for x in land(engine)] == ["new"]
    put(LONG, GOOD.replace(b"GOOD1", b"GOOD7"))  # the same name and time of receipt, other bytes
    assert [x.outcome for x in land(engine)] == ["new"]
    assert sorted(p.read_bytes() for p in kept("archive")) == sorted([GOOD, GOOD.replace(b"GOOD1", b"GOOD7")])


def test_a_newline_or_terminal_escape_in_a_name_cannot_forge_a_log_line(engine, caplog):
    forged = "a.csv\n2025-09-04 08:00:00 INFO landed fake.csv of feed scjg_license: new\x1b[2K"
    put(forged)
    put("empty\x1b]0;title\x07\u202e.csv", b"", minute=1)  # rejected: logged as a warning
    with caplog.at_level(logging.INFO, logger="citycredit"):
        landed = land(engine)
    assert [(x.source_name, x.outcome) for x in landed] == [
        (forged, "new"),
        ("empty\x1b]0;title\x07\u202e.csv", "rejected"),
    ]
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("citycredit.feeds")]
    assert any("a.csv\\n2025-09-04" in m and "\\x1b[2K" in m for m in messages), messages
    assert any("empty\\x1b]0;title\\x07\\u202e.csv" in m for m in messages), messages
    assert [m for m in messages if not m.isprintable()] == []
    assert all(p.name.isprintable() for p in kept("archive") + kept("rejected"))


def test_printable_escapes_what_moves_a_terminal_and_keeps_chinese_text():
    assert printable("许可\n第2批\x1b[31m.csv") == "许可\\n第2批\\x1b[31m.csv"
    assert printable("\u202egpj.exe") == "\\u202egpj.exe"
    assert printable("许可　第2批 (1).csv") == "许可　第2批 (1).csv"  # the ideographic space stays
