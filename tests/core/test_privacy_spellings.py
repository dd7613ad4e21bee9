"""身份证 numbers however a person writes them (glued to letters, spaced, dashed, dotted, split by invisible
characters, full-width) are masked in free text; codes, amounts and timestamps that merely look similar are not."""

from __future__ import annotations

import pytest

from citycredit import cli
from citycredit.core.checkdigits import id_check_char
from citycredit.core.privacy import mask_ids_in_text

ID = "410403198503153310"  # made up, with a valid check digit
MASKED = "4104**********3310"
FULL_WIDTH = ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
ID15 = "410403850315331"  # the old 15-digit form of the same person


def test_the_numbers_used_here_are_valid():
    assert id_check_char(ID[:17]) == ID[17]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"sfz{ID}号", f"sfz{MASKED}号"),  # glued to letters
        (f"SFZ{ID}abc", f"SFZ{MASKED}abc"),
        ("身份证 4104 0319 8503 1533 10", f"身份证 {MASKED}"),  # spaced
        ("身份证4104 0319 8503 1533 10，已核实", f"身份证{MASKED}，已核实"),
        ("身份证 4104　0319　8503　1533　10", f"身份证 {MASKED}"),  # ideographic spaces
        ("410403-19850315-3310", MASKED),  # dashed
        ("410403－19850315－3310", MASKED),  # full-width dashes
        ("4104.0319.8503.1533.10", MASKED),  # dotted
        ("4104 - 0319 - 8503 - 1533 - 10", MASKED),
        ("4104\u200b0319\u200c8503\u200d1533\ufeff1\u20600", MASKED),  # zero-width characters between digits
        ("4\u200b1\u200b0\u200b4\u200b03198503153310", MASKED),
        (f"号码{FULL_WIDTH}", f"号码{FULL_WIDTH[:4]}{'*' * 10}{FULL_WIDTH[-4:]}"),  # full-width digits
        ("４１０４ ０３１９ ８５０３ １５３３ １０", "４１０４**********３３１０"),
        ("身份证 4104 0319 8503 1533 10 2025年", f"身份证 {MASKED} 2025年"),  # a number after it stays
        (f"2025年 {ID} 12", f"2025年 {MASKED} 12"),
        (f"旧证{ID15}", "旧证4104*******5331"),
        ("旧证 410403 850315 331", "旧证 4104*******5331"),  # a split 15-digit number that is all of its chain
        (f"sfz{ID15}", "sfz4104*******5331"),
    ],
)
def test_every_spelling_of_an_id_number_is_masked(text, expected):
    assert mask_ids_in_text(text) == expected
    assert mask_ids_in_text(expected) == expected, "masking twice changes nothing"


@pytest.mark.parametrize(
    "text",
    [
        "统一社会信用代码 91330100799655058B",
        "91410400MA44XXXX1X",
        "914403001922038216",  # all digits, 00192203 is no date
        "注册资本 123456789012345678 元",  # 18 digits, 78901234 is no date
        "2025-09-01 10:30:00",
        "20250901103000123456",  # a 20-digit timestamp
        "订单号 20250901103000123456789",
        "电话 0375-1234567 13800138000",
        "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0",  # counts in a log line
        "sfz410403198503153311",  # glued to letters with a wrong check digit: not read as an ID number
        "4104 0319 8503 1533 11",  # split with a wrong check digit
        "410403-19850315-3311",
        "身份证 4104 0385 0315 331 2025年",  # a split 15-digit number inside a longer chain
        f"{ID}5",  # 19 digits
        f"9{ID}",
        f"{ID[:17]}X5",  # an X inside a longer code
        MASKED,
    ],
)
def test_lookalikes_are_left_alone(text):
    assert mask_ids_in_text(text) == text


def test_a_number_split_by_invisible_characters_is_masked_after_they_were_made_visible_as_escapes():
    # core.printable writes invisible characters of a file name as escapes (in logs, and in the name stored for
    # a batch); a reader still reads the digits around them as one number
    from citycredit.core.printable import printable

    name = printable("sfz4104\u200b0319\u200c8503\u200d1533\ufeff1\u20600号.csv")
    assert "\\u200b" in name
    assert mask_ids_in_text(name) == f"sfz{MASKED}号.csv"
    assert mask_ids_in_text(printable(f"a\u00ad{ID}")) == f"a\\xad{MASKED}"


def test_check_never_prints_an_id_number_spelled_in_a_file_name(tmp_path, capsys):
    path = tmp_path / "sfz4104 0319 8503 1533 10号.csv"
    path.write_bytes(b"")
    assert cli.main(["check", str(path)]) == 2
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "4104" in output and "0319" not in output and "8503" not in output, output
