"""Any text a department sends can be written into a workbook: characters an XLSX cannot hold are replaced
visibly and counted in a note on the cell, never fatal; formulas stay text; ID numbers are masked."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from citycredit.publish import cells

ESC, SOH, BS, BEL = "\x1b", "\x01", "\x08", "\x07"


def written(tmp_path, *rows: list, id_columns: frozenset[int] = frozenset()):
    """The rows appended with cells.append_row, saved and read back as a reader's program would."""
    wb = Workbook()
    for values in rows:
        cells.append_row(wb.active, values, id_columns)
    path = tmp_path / "out.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as archive:  # the file is a valid zip of well-formed XML parts
        assert archive.testzip() is None
    return load_workbook(path).active


def test_control_characters_are_shown_as_control_pictures_and_counted(tmp_path):
    ws = written(tmp_path, [f"平顶山市{ESC}[31m控制{SOH}字符{BS}有限公司", "正常内容", f"张{BEL}三"])
    name, plain, person = ws[1][0], ws[1][1], ws[1][2]
    assert name.value == "平顶山市␛[31m控制␁字符␈有限公司"
    assert "3 个" in name.comment.text and "␛" in name.comment.text
    assert plain.value == "正常内容" and plain.comment is None
    assert person.value == "张␇三" and "1 个" in person.comment.text


@pytest.mark.parametrize("code", [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)])
def test_every_control_character_a_workbook_cannot_hold_is_replaced(tmp_path, code):
    ws = written(tmp_path, [f"a{chr(code)}b"])
    assert ws["A1"].value == f"a{chr(0x2400 + code)}b"


def test_noncharacters_and_lone_surrogates_become_the_replacement_character(tmp_path):
    ws = written(tmp_path, ["a\ufffeb\uffffc\ud800d"])
    assert ws["A1"].value == "a\ufffdb\ufffdc\ufffdd"
    assert "3 个" in ws["A1"].comment.text


def test_tabs_and_line_breaks_are_kept(tmp_path):
    ws = written(tmp_path, ["第一行\n第二行\r\n第三\t列"])
    # XML reads a CR LF as LF: the line break stays a line break
    assert ws["A1"].value == "第一行\n第二行\n第三\t列" and ws["A1"].comment is None


def test_text_beyond_the_cell_limit_is_cut_with_a_visible_mark(tmp_path):
    ws = written(tmp_path, ["许" * 40_000])
    value = ws["A1"].value
    assert len(value) == cells.MAX_CELL
    assert value.endswith("……（已截断，原文共 40000 个字符）")
    assert "40000" in ws["A1"].comment.text


def test_a_control_character_before_a_formula_neither_fails_nor_makes_a_formula(tmp_path):
    ws = written(tmp_path, [f"{ESC}=1+1", "=1+1", f"\t{ESC}=2"])
    assert [c.value for c in ws[1]] == ["␛=1+1", "'=1+1", "'\t␛=2"]
    assert all(c.data_type == "s" for c in ws[1])


def test_id_numbers_in_any_spelling_are_masked_in_cells(tmp_path):
    ws = written(
        tmp_path,
        ["sfz410403198503153310号", "4104 0319 8503 1533 10", "4104\u200b0319\u200b8503\u200b1533\u200b10"],
        id_columns=frozenset(),
    )
    assert [c.value for c in ws[1]] == ["sfz4104**********3310号", "4104**********3310", "4104**********3310"]


def test_an_id_number_column_is_masked_whole(tmp_path):
    ws = written(tmp_path, ["410403198503153310", "410403198503153310"], id_columns=frozenset({0}))
    assert [c.value for c in ws[1]] == ["4104**********3310", "4104**********3310"]
