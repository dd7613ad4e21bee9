"""Fixtures of the feed tests: the real local HTTP server a department API runs on."""

import pytest
from pytest_httpserver import HTTPServer


@pytest.fixture
def server():
    server = HTTPServer(threaded=True)  # a slow answer must not hold up the client's retry
    server.start()
    yield server
    server.clear()
    server.stop()
