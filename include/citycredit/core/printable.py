"""Text a department chose (a file name, a cell) made safe to show on one line of a log or a terminal."""

from __future__ import annotations

import unicodedata


def printable(text: str) -> str:
    """The text with control, format and line-separator characters written as escapes (``\\n``, ``\\x1b``,
    ``\\u202e``), so that a newline or a terminal escape sequence in a file name cannot forge a log line or move the
    cursor. Spaces, the ideographic space among them, stay as they are."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() or unicodedata.category(c) == "Zs" else c.encode("unicode_escape").decode("ascii")
        for c in text
    )
