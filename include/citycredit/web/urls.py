"""Where the app is: standalone at the site's root, mounted in the Airflow api-server under its prefix (the
request's ``root_path``, which the app's middleware puts in `ROOT` for the request). Every link, redirect and
cookie path goes through `url`."""

from __future__ import annotations

from contextvars import ContextVar

ROOT: ContextVar[str] = ContextVar("root", default="")
API_PREFIX = "/api/"


def url(path: str) -> str:
    """The address of this app's `path` (starting with /) as the browser must ask for it."""
    return ROOT.get() + path


def is_api(path: str) -> bool:
    """Whether the request path (as the browser sent it, the mount's prefix included) is one of the API's."""
    return path.startswith(url(API_PREFIX))
