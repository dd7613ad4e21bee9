"""File names as departments send them: any bytes a file system allows.

A name is recorded as the department meant it: UTF-8, else GB18030 (a Chinese Windows client or zip tool writes
GBK), else UTF-8 with the undecodable bytes written as ``\\xNN``. It is shown through `core.printable`, so a
newline or a terminal escape in a name cannot forge a log line. The copy kept in ``archive/`` or ``rejected/`` is
named ``<time of receipt>_<name>``, shortened to fit the file system's limit and never overwriting another.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import datetime

from citycredit.core.printable import printable

NAME_MAX = 255  # bytes in one file name: ext4, xfs, btrfs
REASON_SUFFIX = ".reason.txt"
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}$")

# Files a department's tools leave while they work; landed once they are gone or renamed to the real name.
LOCK_PREFIXES = ("~$", ".~lock.")  # Excel's owner file; LibreOffice's lock file
PARTIAL_SUFFIXES = (".filepart", ".tmp", ".crdownload", ".part", ".partial", ".download")


def source_name(raw: str | bytes) -> str:
    """The name as the department wrote it (``raw``: a name as `os` returns it, or its bytes)."""
    data = os.fsencode(raw)
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("utf-8", errors="backslashreplace")


def waiting_for(name: str) -> str | None:
    """Why a file is left where it is for now (an editor's lock file, an upload not finished), else None."""
    if name.startswith(LOCK_PREFIXES):
        return "lock file"
    if name.lower().endswith(PARTIAL_SUFFIXES):
        return "partial upload"
    return None


def suffix(name: str) -> str:
    """The name's extension when it is a plain one (``.csv``, ``.xlsx``), else empty: what readers look at."""
    found = _SUFFIX.search(name)
    return found.group(0) if found else ""


def kept_name(name: str, stamp: datetime, taken: Callable[[str], bool]) -> str:
    """``<stamp>_<name>`` for the copy kept in ``archive/`` or ``rejected/``: printable, at most NAME_MAX bytes with
    the reason file's suffix added, and not ``taken`` (by a second file of the same name and time)."""
    flat = printable(name.replace("/", "／"))  # a file in a subfolder: one name
    for n in range(1, 1000):
        prefix = f"{stamp:%Y%m%dT%H%M%S}{'' if n == 1 else f'-{n}'}_"
        candidate = prefix + _shortened(flat, NAME_MAX - len(REASON_SUFFIX) - len(prefix))
        if not taken(candidate):
            return candidate
    raise FileExistsError(f"no free name for {flat!r} at {stamp:%Y%m%dT%H%M%S}")


def _shortened(name: str, limit: int) -> str:
    """The name in at most ``limit`` UTF-8 bytes, its extension kept: the start, an ellipsis, the extension."""
    if len(name.encode("utf-8")) <= limit:
        return name
    ext = suffix(name)
    budget = limit - len(ext.encode("utf-8")) - len("…".encode())
    stem = name[: len(name) - len(ext)].encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return f"{stem}…{ext}"
