"""Process and port helpers of the services."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from cairn.services import process
from cairn.services.process import free_port, port_in_use


def test_a_listening_port_is_in_use_and_a_closed_one_is_not() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert port_in_use(port)
    assert not port_in_use(free_port())


def test_a_connection_to_itself_is_not_a_listener(monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing listening, a connection to a port of the ephemeral range can get that
    very port as its own and connect to itself (TCP simultaneous open)."""

    class SelfConnected:
        def __enter__(self) -> SelfConnected:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def getsockname(self) -> tuple[str, int]:
            return ("127.0.0.1", 50591)

        getpeername = getsockname

    def connect(address: Any, timeout: float) -> SelfConnected:
        return SelfConnected()

    monkeypatch.setattr(process.socket, "create_connection", connect)
    assert not port_in_use(50591)
