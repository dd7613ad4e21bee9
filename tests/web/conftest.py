"""The web app (citycredit.web) on a fresh migrated warehouse, served by a real uvicorn for each test."""

from __future__ import annotations

import pytest
from web_helpers import serve


@pytest.fixture
def served(engine):
    yield from serve(engine)
