"""The landing store: every delivered byte kept once under ``store/<sha256>``, accepted or rejected alike.

A delivery is copied from the descriptor landing opened (never again by its name, which the department could
point elsewhere in between) into ``store/incoming/<feed>/<random>.part/``, hashed on the way; it is kept under its
hash once landing has decided on it, or dropped when landing cannot finish. A copy that fails (the disk full)
leaves nothing behind; what a killed run left there is cleared by the feed's next landing.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from citycredit.core import paths

BLOCK = 1 << 20


@dataclass(frozen=True)
class Received:
    copy: Path  # the bytes, under a name with the delivery's extension (what the readers look at)
    sha256: str
    size: int


def receive(source: BinaryIO, suffix: str, feed_id: str) -> Received:
    """Copy an open delivery of a feed into the store's incoming area, hashing it on the way."""
    folder = paths.data_path("landing", "store", "incoming", feed_id) / f"{uuid.uuid4().hex}.part"
    folder.mkdir()
    copy = folder / f"delivery{suffix}"
    digest = hashlib.sha256()
    try:
        with copy.open("xb") as target:
            size = _copy(source, target, digest)
    except BaseException:  # e.g. the disk is full: leave no partial copy; the delivery stays in the inbox
        discard(copy)
        raise
    return Received(copy, digest.hexdigest(), size)


def _copy(source: BinaryIO, target: BinaryIO, digest: hashlib._Hash) -> int:
    size = 0
    for block in iter(lambda: source.read(BLOCK), b""):
        digest.update(block)
        target.write(block)
        size += len(block)
    return size


def keep(copy: Path, sha: str) -> Path:
    """The bytes under ``store/<sha256>`` (kept once); ``copy`` is moved there, or dropped if they already are."""
    stored = paths.data_path("landing", "store", sha[:2]) / sha
    if stored.exists():
        discard(copy)
    else:
        copy.replace(stored)
        if copy.parent.name.endswith(".part"):
            copy.parent.rmdir()
    return stored


def clear_incoming(feed_id: str) -> None:
    """Drop the copies a killed landing of the feed left half-way (call it holding the feed's landing lock)."""
    for left in paths.data_path("landing", "store", "incoming", feed_id).glob("*.part"):
        shutil.rmtree(left, ignore_errors=True)


def discard(copy: Path) -> None:
    copy.unlink(missing_ok=True)
    if copy.parent.name.endswith(".part"):
        shutil.rmtree(copy.parent, ignore_errors=True)


def sha256_of(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()
