"""Text files mixing UTF-8 and GBK lines: each line is read in its own encoding, never as silent gibberish."""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from citycredit.normalize import readers, text_files

BAD = Path(__file__).parents[1] / "data" / "bad"
HEADER, *GOOD = [line.split(",") for line in (BAD / "control_good_license.csv").read_text("utf-8").splitlines()]
PASTED = "平顶山市宏达商贸有限公司"
# A row pasted from a UTF-8 source: its bytes also decode as GB18030, without an error, as "骞抽《灞卞競瀹忚揪...".
PASTED_ROW = f"{PASTED},法人及非法人组织,91330100799655058B\r\n"


def names(path: Path, **options) -> list[str]:
    table = readers.open_table(path, dataset="license", **options)
    return pd.concat(list(table.chunks()), ignore_index=True)["行政相对人名称"].tolist()


def line(name: str) -> str:
    return ",".join([name, *GOOD[0][1:]]) + "\r\n"


def test_a_utf8_line_in_a_gbk_file_is_read_as_utf8(tmp_path):
    pasted = PASTED_ROW.encode("utf-8")
    assert pasted.decode("gb18030").startswith("骞抽《灞卞競"), "GB18030 decodes the pasted row without an error"
    path = tmp_path / "gbk.csv"
    path.write_bytes((",".join(HEADER) + "\r\n" + line("甲公司")).encode("gbk") + pasted + line("乙公司").encode("gbk"))
    table = readers.open_table(path, dataset="license")
    assert table.encoding == "gb18030"
    assert names(path) == ["甲公司", PASTED, "乙公司"]


def test_gbk_rows_appended_to_a_utf8_file_with_a_bom_are_read_as_gbk(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(
        codecs.BOM_UTF8 + (",".join(HEADER) + "\n" + line("甲公司")).encode("utf-8") + line("乙公司").encode("gbk")
    )
    table = readers.open_table(path, dataset="license")
    assert table.encoding == "utf-8-sig"
    assert names(path) == ["甲公司", "乙公司"]


def test_a_utf8_header_above_gbk_rows_is_read(tmp_path):
    """A template's header (UTF-8) kept above rows typed in a GBK program: the rows start right after it."""
    path = tmp_path / "header.csv"
    path.write_bytes((",".join(HEADER) + "\n").encode("utf-8") + (line("甲公司") + line("乙公司")).encode("gbk"))
    assert names(path) == ["甲公司", "乙公司"]


@pytest.mark.parametrize("hint", [None, "gbk"])
def test_gbk_rows_past_the_sample_of_a_utf8_file_are_read_as_gbk(monkeypatch, hint):
    """mixed_encoding.csv: UTF-8 for its first 64 KiB, GBK after. pyarrow reads the UTF-8 start; pandas the rest."""
    read = names(BAD / "mixed_encoding.csv", encoding_hint=hint)

    def failing(*args):
        raise pa.ArrowInvalid("forced")
        yield

    monkeypatch.setattr(text_files, "_arrow_chunks", failing)
    assert names(BAD / "mixed_encoding.csv", encoding_hint=hint) == read
    gbk_part = (BAD / "mixed_encoding.csv").read_bytes()[64 * 1024 :]
    last = gbk_part.decode("gbk", errors="replace").strip().splitlines()[-1].split(",")[0]
    assert read[-1] == last
    assert all("\ufffd" not in name and not any("\u9a9e" <= c <= "\u9a9f" for c in name) for name in read)


def test_utf8_lines_after_an_ascii_start_in_a_gbk_feed_are_read_as_utf8(tmp_path):
    path = tmp_path / "ascii_start.csv"
    ascii_part = "XK_XDR_MC,XK_XDR_LB,XK_WSH\n" + "".join(f"ID{i},01,W{i}\n" for i in range(8000))  # past 64 KiB
    path.write_bytes(ascii_part.encode("ascii") + PASTED_ROW.encode("utf-8") + "乙公司,法人,W\n".encode("gbk"))
    table = readers.open_table(path, encoding_hint="gbk")
    assert table.encoding == "gb18030"
    read = pd.concat(list(table.chunks()), ignore_index=True)["XK_XDR_MC"].tolist()
    assert read[-2:] == [PASTED, "乙公司"]


def test_a_line_in_neither_encoding_is_still_refused_with_a_reason(tmp_path):
    path = tmp_path / "cp1252.csv"
    rows = "".join(line(f"甲公司{i}") for i in range(3000)).encode("utf-8")
    path.write_bytes((",".join(HEADER) + "\n").encode("utf-8") + rows + "Café,x,y\n".encode("cp1252"))
    with pytest.raises(readers.UnreadableFile, match="无法按UTF-8或GBK/GB18030解码"):
        names(path)
