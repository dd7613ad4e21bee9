"""The encoding of a text file (CSV or JSON), decided from a BOM or from the first 64 KiB and the feed's hint."""

from __future__ import annotations

import codecs

from citycredit.normalize.tables import UnreadableFile

SAMPLE_BYTES = 64 * 1024  # start of a text file used for encoding, delimiter and header detection
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)
_GB_NAMES = {"gbk", "gb2312", "gb18030", "cp936", "euc-cn"}


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
        return (hinted or "utf-8"), (hinted or "utf-8"), 0
    if at_eof and not _decodes(sample, "utf-8", True) and _decodes(sample, "utf-8", False):
        # UTF-8 up to a character cut off at the very end: an interrupted upload or export, not another encoding
        # (GB18030 may well decode such bytes, as gibberish).
        raise UnreadableFile("文件不完整：文件末尾的字符被截断，可能是上传或导出中断；请重新导出完整的文件后报送")
    candidates = [c for c in dict.fromkeys(["utf-8", "gb18030", hinted]) if c and _decodes(sample, c, at_eof)]
    if not candidates:
        raise UnreadableFile(
            "无法识别的文件编码：内容既不是UTF-8也不是GBK/GB18030编码；请另存为UTF-8或GBK编码的CSV文件后重新报送"
        )
    chosen = candidates[0] if len(candidates) == 1 else _rank_encodings(sample, candidates, hinted)
    return chosen, chosen, 0


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
