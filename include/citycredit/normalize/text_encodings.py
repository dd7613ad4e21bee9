"""The encoding of a text file (CSV or JSON), decided from a BOM or from the first 64 KiB and the feed's hint.

Departments' files mix encodings: a GBK export with one line pasted from a UTF-8 source, a UTF-8 file with rows
appended by a GBK tool. Such lines decode in the other encoding without an error, as gibberish, so a UTF-8 or
GB18030 file is read line by line with `LINES`: a line that is valid UTF-8 is UTF-8, any other line GB18030. Real
GBK lines are not valid UTF-8 (a line of a record has too many Chinese characters to line up by chance); only a
file whose sample is valid in both encodings and judged GB18030 as a whole is read as GB18030 alone.
"""

from __future__ import annotations

import codecs
import contextlib
import re

from citycredit.normalize.tables import UnreadableFile

SAMPLE_BYTES = 64 * 1024  # start of a text file used for encoding, delimiter and header detection
_GB_NAMES = {"gbk", "gb2312", "gb18030", "cp936", "euc-cn"}
LINES = "utf_8_or_gb18030_lines"  # the codec: each line UTF-8 when it is valid UTF-8, else GB18030


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", LINES),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)


class _LineDecoder(codecs.IncrementalDecoder):
    """Decodes whole lines (bytes up to the last line break are decoded, the rest waits for more)."""

    def __init__(self, errors: str = "strict"):
        super().__init__(errors)
        self._pending: list[bytes] = []  # the start of a line not yet complete (joined once, however long)

    def decode(self, data: bytes, final: bool = False) -> str:  # type: ignore[override]
        data = bytes(data)
        cut = len(data) if final else max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
        if not cut and not final:
            self._pending.append(data)
            return ""
        complete = b"".join([*self._pending, data[:cut]])
        self._pending = [data[cut:]] if cut < len(data) else []
        try:
            return complete.decode("utf-8")  # most blocks: one C call
        except UnicodeDecodeError:
            return _decode_lines(complete, self.errors)

    def reset(self) -> None:
        self._pending = []

    def getstate(self) -> tuple[bytes, int]:
        return b"".join(self._pending), 0

    def setstate(self, state: tuple[bytes, int]) -> None:
        self._pending = [state[0]] if state[0] else []


# Two bytes from 0xC0 up in a row never occur in UTF-8 and in nearly every line of Chinese GBK text.
_NOT_UTF8 = re.compile(rb"[\xc0-\xff][\xc0-\xff]")


def _decode_lines(data: bytes, errors: str) -> str:
    """Each line that is valid UTF-8 as UTF-8; the runs of lines between them as GB18030, one call a run."""
    parts: list[str] = []
    run: list[bytes] = []
    for line in data.splitlines(keepends=True):
        if not line.isascii() and _NOT_UTF8.search(line) is None:
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                run.append(line)
                continue
            if run:
                parts.append(b"".join(run).decode("gb18030", errors))
                run = []
            parts.append(text)
        else:
            run.append(line)  # ASCII decodes the same either way
    if run:
        parts.append(b"".join(run).decode("gb18030", errors))
    return "".join(parts)


def _lines_codec(name: str) -> codecs.CodecInfo | None:
    if name != LINES:
        return None
    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(
        name=LINES,
        encode=utf8.encode,
        decode=lambda data, errors="strict": (_LineDecoder(errors).decode(data, final=True), len(data)),
        incrementalencoder=utf8.incrementalencoder,
        incrementaldecoder=_LineDecoder,
    )


codecs.register(_lines_codec)


def decode_sample(sample: bytes, codec: str, at_eof: bool) -> str:
    """The text of the first bytes of a file; a last line the sample cuts off is kept as far as it decodes."""
    decoder = codecs.getincrementaldecoder(codec)()
    text = decoder.decode(sample, final=at_eof)
    if codec != LINES or at_eof:
        return text
    tail = decoder.getstate()[0]
    for encoding in ("utf-8", "gb18030"):
        with contextlib.suppress(UnicodeDecodeError):
            return text + codecs.getincrementaldecoder(encoding)().decode(tail, final=False)
    return text


def codec_label(codec: str) -> str:
    """How a reason names the codec a file is read with."""
    return "UTF-8或GBK/GB18030" if codec == LINES else codec


def encodings_of(codec: str) -> tuple[str, ...]:
    """The encodings a file read with ``codec`` may hold, line by line."""
    return ("utf-8", "gb18030") if codec == LINES else (codec,)


def _codec_for_hint(hint: str | None) -> str | None:
    if not hint:
        return None
    if hint.strip().lower() in _GB_NAMES:
        return "gb18030"  # a superset: decodes every GBK / GB2312 file the same way
    try:
        name = codecs.lookup(hint).name
    except LookupError:
        return None
    return "utf-8" if name == "utf-8-sig" else name


def _decodes(sample: bytes, codec: str, at_eof: bool) -> bool:
    try:
        codecs.getincrementaldecoder(codec)().decode(sample, final=at_eof)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes, at_eof: bool, hint: str | None) -> tuple[str, str, int]:
    """(label reported, codec for the bytes after the BOM, BOM length)."""
    for bom, label, codec in _BOMS:
        if sample.startswith(bom):
            return label, codec, len(bom)
    if b"\x00" in sample:
        raise UnreadableFile("无法识别的文件编码：文件含有二进制内容，不是CSV文本文件")
    hinted = _codec_for_hint(hint)
    if sample.isascii():
        label = hinted or "utf-8"
        return label, (LINES if label in ("utf-8", "gb18030") else label), 0
    if at_eof and not _decodes(sample, "utf-8", True) and _decodes(sample, "utf-8", False):
        # UTF-8 up to a character cut off at the very end: an interrupted upload or export, not another encoding
        # (GB18030 may well decode such bytes, as gibberish).
        raise UnreadableFile("文件不完整：文件末尾的字符被截断，可能是上传或导出中断；请重新导出完整的文件后报送")
    candidates = [c for c in dict.fromkeys(["utf-8", "gb18030", hinted]) if c and _decodes(sample, c, at_eof)]
    if not candidates:
        if _decodes(sample, LINES, at_eof):  # GBK lines and UTF-8 lines that GB18030 cannot decode
            return "gb18030", LINES, 0
        raise UnreadableFile(
            "无法识别的文件编码：内容既不是UTF-8也不是GBK/GB18030编码；请另存为UTF-8或GBK编码的CSV文件后重新报送"
        )
    chosen = candidates[0] if len(candidates) == 1 else _rank_encodings(sample, candidates, hinted)
    if chosen == "gb18030" and "utf-8" in candidates:
        return chosen, chosen, 0  # valid UTF-8 throughout, judged GB18030: no line can be told apart
    return chosen, (LINES if chosen in ("utf-8", "gb18030") else chosen), 0


def _rank_encodings(sample: bytes, candidates: list[str], hinted: str | None) -> str:
    """The candidate charset-normalizer finds least chaotic; the hint, then the list order, breaks ties."""
    import charset_normalizer

    chaos = {
        codecs.lookup(m.encoding).name: m.chaos for m in charset_normalizer.from_bytes(sample, cp_isolation=candidates)
    }
    ranked = [c for c in candidates if c in chaos]
    if not ranked:
        return hinted if hinted in candidates else candidates[0]
    least = min(chaos[c] for c in ranked)
    tied = [c for c in ranked if chaos[c] == least]
    return hinted if hinted in tied else tied[0]
