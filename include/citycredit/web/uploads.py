"""Uploaded files: refused beyond the configured size (before the body is read when the request says its length,
else while the file is copied), kept in a temporary file with only a known suffix, deleted after use."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePath

from starlette.datastructures import UploadFile

from citycredit.web.settings import Settings

OVERHEAD = 64 * 1024  # the multipart envelope and the form's other fields, beyond the file itself
CHUNK = 1024 * 1024
TABLES = (".csv", ".xlsx")
PDF = (".pdf",)


class UploadRefused(Exception):
    """The upload cannot be used; `message` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def too_large(settings: Settings) -> str:
    return f"文件超过上传大小上限 {settings.upload_mb} MB，未被接收。请把文件拆分为几个较小的文件后分别上传。"


def declared_too_large(content_length: str | None, settings: Settings) -> bool:
    """Whether a request's stated length already exceeds what an upload may be."""
    return bool(content_length and content_length.isdigit() and int(content_length) > settings.upload_bytes + OVERHEAD)


@contextlib.contextmanager
def saved(upload: object, settings: Settings, suffixes: tuple[str, ...]) -> Iterator[Path]:
    """The upload as a temporary file named ``upload<suffix>`` (the readers go by the suffix); deleted after."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise UploadRefused("没有选择文件")
    suffix = PurePath(upload.filename).suffix.lower()
    if suffix not in suffixes:
        raise UploadRefused(f"只接受 {'、'.join(s.lstrip('.').upper() for s in suffixes)} 文件")
    with tempfile.TemporaryDirectory(prefix="citycredit-web-") as directory:
        path = Path(directory) / f"upload{suffix}"
        upload.file.seek(0)
        with path.open("wb") as out:
            copied = 0
            while block := upload.file.read(CHUNK):
                copied += len(block)
                if copied > settings.upload_bytes:
                    raise UploadRefused(too_large(settings))
                out.write(block)
        yield path


def copy_name(upload: object) -> str:
    """The name the user gave the file, for a page or the audit log (only its last part)."""
    return PurePath(upload.filename).name if isinstance(upload, UploadFile) and upload.filename else ""
