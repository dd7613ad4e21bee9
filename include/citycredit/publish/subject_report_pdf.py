"""The 公共信用信息报告 as a PDF, and its content read back for verification.

reportlab draws the Chinese with its built-in CID font STSong-Light: no font file ships with the project and the
reader's viewer supplies the glyphs (every PDF viewer carries the Adobe-GB1 collection or substitutes it). The
report's JSON document (checksum included) is embedded as an attachment, and its number, day, subject and checksum
stand in the document information, so `read` never depends on extracting the drawn text.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from xml.sax.saxutils import escape

from citycredit.publish import subject_report_view as view

FONT = "STSong-Light"
MARK = "#c62828"  # the colour of 已信用修复 and 在列, as in the HTML page
ATTACHMENT = "subject-credit-report.json"
# Document-information keys of our own (PDF 32000 §14.3.3 allows any second-class name).
NUMBER_KEY, AS_OF_KEY, CHECKSUM_KEY, SUBJECT_KEY = (
    "/CitycreditReportNo", "/CitycreditAsOf", "/CitycreditChecksum", "/CitycreditSubject",
)  # fmt: skip


class NotAReport(ValueError):
    """The file is no PDF, or no 公共信用信息报告 this system wrote; the message says which, in Chinese."""


def _styles():
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    # wordWrap CJK breaks lines between any two characters, as Chinese text has no spaces to break at.
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, wordWrap="CJK")
    return {
        "body": base,
        "title": ParagraphStyle("title", base, fontSize=20, leading=28, alignment=1, spaceAfter=10),
        "h2": ParagraphStyle("h2", base, fontSize=13, leading=18, spaceBefore=12, spaceAfter=4,
                             textColor=HexColor("#1f5f99")),  # fmt: skip
        "h3": ParagraphStyle("h3", base, fontSize=10.5, leading=15, spaceBefore=6, spaceAfter=2),
        "meta": ParagraphStyle("meta", base, fontSize=8.5, leading=12, textColor=HexColor("#555555")),
        "label": HexColor("#eef3f8"),
        "rule": HexColor("#bbbbbb"),
    }


def _text(value: str) -> str:
    """Department text as Paragraph markup: a name like <b> or &amp; must show as written, never as markup."""
    return escape(value).replace("\n", "<br/>")


def _table(rows: list[tuple[str, str]], st, width: float):
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    label = 42 * mm
    table = Table(
        [[Paragraph(_text(k), st["body"]), Paragraph(_text(v), st["body"])] for k, v in rows],
        colWidths=[label, width - label],
    )
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, st["rule"]), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (0, -1), st["label"])]))  # fmt: skip
    return table


def _story(document: dict, st, width: float) -> list:
    from reportlab.platypus import KeepTogether, Paragraph

    story = [Paragraph(view.TITLE, st["title"]), _table(view.header(document), st, width)]
    for section in view.sections(document):
        story.append(Paragraph(_text(section.title), st["h2"]))
        if section.rule:
            story.append(Paragraph(_text(section.rule), st["meta"]))
        if not section.records:
            story.append(Paragraph("无", st["body"]))
        for i, record in enumerate(section.records, start=1):
            heading = [] if section.key == "subject" else [Paragraph(_record_heading(i, record), st["h3"])]
            story.append(KeepTogether([*heading, _table(record.fields, st, width)]))
    story.append(Paragraph("说明", st["h2"]))
    story += [Paragraph(_text(f"{i}. {n}"), st["meta"]) for i, n in enumerate(view.notes(document), start=1)]
    return story


def _record_heading(i: int, record: view.Record) -> str:
    marks = "".join(f'　<font color="{MARK}">【{_text(m)}】</font>' for m in record.marks)
    return f"{i}. {_text(record.heading)}{marks}"


def render(document: dict) -> bytes:
    """The PDF: A4, every page footed with the report number, the page and the checksum's start."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    st = _styles()
    buffer = io.BytesIO()
    margin = 16 * mm
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
                            bottomMargin=margin + 4 * mm, title=f"{view.TITLE}：{document['subject']['name']}",
                            author=document["issuer"], subject=document["report_no"], creator="citycredit")  # fmt: skip

    def foot(canvas, doc_) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(margin, 10 * mm, f"报告编号 {document['report_no']}　第 {doc_.page} 页　"
                                           f"校验码 {document['checksum'][:16]}…")  # fmt: skip
        canvas.restoreState()

    doc.build(_story(document, st, A4[0] - 2 * margin), onFirstPage=foot, onLaterPages=foot)
    return _embed(buffer.getvalue(), document)


def _embed(pdf: bytes, document: dict) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    subject = document["subject"]
    writer.add_metadata({
        NUMBER_KEY: document["report_no"], AS_OF_KEY: document["as_of"], CHECKSUM_KEY: document["checksum"],
        SUBJECT_KEY: subject["code"] or subject["id_number"] or "",
        "/Keywords": f"{document['report_no']} {document['checksum']}",
    })  # fmt: skip
    writer.add_attachment(ATTACHMENT, json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write(document: dict, path: Path) -> Path:
    path.write_bytes(render(document))
    return path


def read(path: Path) -> tuple[dict, dict[str, str]]:
    """The embedded document and our document-information entries (number, day, subject, checksum)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        attached = reader.attachments.get(ATTACHMENT)
        info = {k: str(v) for k, v in (reader.metadata or {}).items() if k.startswith("/Citycredit")}
    except (PdfReadError, OSError, ValueError) as exc:
        raise NotAReport(f"无法读取 PDF 文件 {path.name}：{exc}") from None
    if not attached or not info:
        raise NotAReport(f"{path.name} 不是本平台出具的公共信用信息报告（没有内嵌的报告内容）")
    try:
        document = json.loads(attached[0].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NotAReport(f"{path.name} 内嵌的报告内容无法解析，报告已被改动") from None
    if not isinstance(document, dict) or not all(isinstance(document.get(k), str) for k in ("report_no", "as_of")):
        raise NotAReport(f"{path.name} 内嵌的报告内容不完整，报告已被改动")
    return document, info
