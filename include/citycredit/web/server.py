"""Serving the web app with uvicorn (``citycredit web serve``)."""

from __future__ import annotations

import sqlalchemy as sa

from citycredit.web.settings import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8090


def serve(engine: sa.Engine, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve until interrupted. Behind a reverse proxy on this machine, the client's address is taken from its
    X-Forwarded-For (uvicorn's default: trusted from 127.0.0.1 only)."""
    import uvicorn

    from citycredit.web.app import create_app

    app = create_app(engine, Settings.from_environment())
    uvicorn.run(app, host=host, port=port, proxy_headers=True, server_header=False, log_level="info")
