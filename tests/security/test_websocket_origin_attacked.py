"""Finding 12: the staff pages' websocket accepts only the origins the server names (its own,
and --websocket-origin's); an environment variable cannot open it to "*"."""
from __future__ import annotations

import base64
import os
import socket

from ..served import staff_opener
from ..world import at


def upgrade(port: int, origin: str, cookie: str) -> bytes:
    """The first line of the answer to a websocket upgrade from ``origin``."""
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall((f"GET /kandidatmonitor/ws HTTP/1.1\r\nHost: localhost:{port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                   f"Origin: {origin}\r\nCookie: {cookie}\r\n\r\n").encode())
        return s.recv(4096).split(b"\r\n")[0]


def test_only_named_origins_reach_the_websocket(serve_world, monkeypatch, caplog):
    monkeypatch.setenv("BOKEH_ALLOW_WS_ORIGIN", "*")  # what a hurried deployment might set
    served = serve_world(at(9, 30), websocket_origins=["eksamen.example.no"])
    assert "BOKEH_ALLOW_WS_ORIGIN" not in os.environ

    cookie = staff_opener(served.url, "skoleadmin").cookie_header  # signed in: the origin is what is checked

    def refused_for_origin(origin: str) -> bool:
        caplog.clear()
        upgrade(served.port, origin, cookie)
        return any("Refusing websocket connection from Origin" in r.getMessage() for r in caplog.records)

    assert refused_for_origin("https://evil.example")
    assert not refused_for_origin("https://eksamen.example.no")  # named: only the login is missing
    assert not refused_for_origin(f"http://localhost:{served.port}")
