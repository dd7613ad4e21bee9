"""Reading an inbox without following links: folders opened one by one with ``O_NOFOLLOW``, entries by descriptor.

A department may put anything in its inbox: a link to a file of the server, a subfolder, a pipe, a name that is
not UTF-8. Every folder is opened relative to the one above it and refused if it is a link, so a link anywhere on
the way is never followed, also when it appears between the scan and the read (``open_entry`` checks what it
opened against what the scan saw).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from citycredit.feeds import names

_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC  # a pipe or device never blocks


@dataclass(frozen=True)
class Entry:
    """Something other than a folder, anywhere beneath a folder, as the scan saw it (``lstat``)."""

    parts: tuple[str, ...]  # names from the scanned folder down, as `os` gives them (undecodable bytes escaped)
    stat: os.stat_result

    @property
    def name(self) -> str:
        """The path below the scanned folder as the department wrote it (see `names.source_name`)."""
        return "/".join(names.source_name(p) for p in self.parts)

    @property
    def is_file(self) -> bool:
        return stat.S_ISREG(self.stat.st_mode)

    @property
    def is_link(self) -> bool:
        return stat.S_ISLNK(self.stat.st_mode)


def open_folder(path: Path) -> int:
    """A descriptor of a folder the platform made (an inbox); OSError if it is a link or not a folder."""
    return os.open(path, _FOLDER)


def scan(folder: int, skip: Callable[[tuple[str, ...]], bool] = lambda parts: False) -> list[Entry]:
    """Every entry that is not a folder, at any depth below ``folder`` (a descriptor); links are entries too.
    Folders ``skip`` says are skipped (another reader's)."""
    found: list[Entry] = []
    todo: list[tuple[str, ...]] = [()]
    while todo:  # a loop rather than recursion: a department may nest folders deeper than Python recurses
        below = todo.pop()
        try:
            with opened(folder, below) as fd, os.scandir(fd) as entries:
                for e in entries:
                    st = e.stat(follow_symlinks=False)
                    if stat.S_ISDIR(st.st_mode):
                        if not skip((*below, e.name)):
                            todo.append((*below, e.name))
                    else:
                        found.append(Entry((*below, e.name), st))
        except OSError:  # the folder went away or turned into a link since it was listed: nothing to read there
            continue
    return found


@contextmanager
def opened(folder: int, parts: tuple[str, ...]) -> Iterator[int]:
    """A descriptor of the folder ``parts`` below ``folder``, each step opened without following a link."""
    fd = folder
    try:
        for part in parts:
            step = os.open(part, _FOLDER, dir_fd=fd)
            if fd != folder:
                os.close(fd)
            fd = step
        yield fd
    finally:
        if fd != folder:
            os.close(fd)


def open_entry(parent: int, entry: Entry) -> int | None:
    """A read descriptor of the regular file the scan saw, or None if it is no longer that file (replaced by a
    link or another file, or gone); PermissionError if the platform may not read it."""
    try:
        fd = os.open(entry.parts[-1], _FILE, dir_fd=parent)
    except PermissionError:
        raise  # the caller says so: it is not a change of the entry
    except OSError:
        return None  # ELOOP: it is a link now; ENOENT: gone
    if not same_file(os.fstat(fd), entry.stat):
        os.close(fd)
        return None
    return fd


def link_target(parent: int, entry: Entry) -> bytes | None:
    """Where the link the scan saw points (its own content), or None if it is no longer that link."""
    try:
        target = os.readlink(entry.parts[-1], dir_fd=parent)
    except OSError:
        return None
    return os.fsencode(target) if still_there(parent, entry) else None


def still_there(parent: int, entry: Entry) -> bool:
    """Whether ``entry``'s name in ``parent`` is still what the scan saw (checked before it is moved or removed)."""
    try:
        return same_file(os.stat(entry.parts[-1], dir_fd=parent, follow_symlinks=False), entry.stat)
    except OSError:
        return False


def same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino, stat.S_IFMT(a.st_mode)) == (b.st_dev, b.st_ino, stat.S_IFMT(b.st_mode))
