"""A free TCP port on this machine for a server a test starts (the OS picks it; another process may take it before
the server binds, which these tests accept: the window is a few milliseconds)."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
