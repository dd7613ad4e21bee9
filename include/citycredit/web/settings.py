"""The web app's limits, from the environment (docs/web.md): session lifetime, upload size, secure cookies."""

from __future__ import annotations

import os
from dataclasses import dataclass

from citycredit.core.config import ConfigError

DEFAULT_SESSION_HOURS = 8.0
DEFAULT_UPLOAD_MB = 50.0


def _number(variable: str, default: float) -> float:
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{variable}: 应为正数，收到 {text!r}") from None
    if value <= 0:
        raise ConfigError(f"{variable}: 应为正数，收到 {text!r}")
    return value


@dataclass(frozen=True)
class Settings:
    session_hours: float = DEFAULT_SESSION_HOURS  # a session ends this long after sign-in, used or not
    upload_bytes: int = int(DEFAULT_UPLOAD_MB * 1024 * 1024)  # the largest file a form or the API accepts
    secure_cookies: bool = False  # cookies sent over HTTPS only: set where the app is served behind TLS

    @property
    def upload_mb(self) -> str:
        return f"{self.upload_bytes / 1024 / 1024:g}"

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(
            session_hours=_number("CITYCREDIT_WEB_SESSION_HOURS", DEFAULT_SESSION_HOURS),
            upload_bytes=int(_number("CITYCREDIT_WEB_UPLOAD_MB", DEFAULT_UPLOAD_MB) * 1024 * 1024),
            secure_cookies=os.environ.get("CITYCREDIT_WEB_SECURE_COOKIES", "") in ("1", "true", "yes"),
        )
