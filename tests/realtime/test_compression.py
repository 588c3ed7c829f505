"""WebSocket compression: off by default, because compressing each message once per connection
is most of a large fan-out's CPU (bench/RESULTS.md); SOCKETIO_WS_COMPRESSION=1 turns it on."""

from __future__ import annotations

import base64
import os
import socket
from collections.abc import Iterator

import pytest

from tests.databases import isolated_database_url

from .servers import AppServer, prepare_database

pytestmark = pytest.mark.slow


def _handshake(url: str) -> str:
    """Open a WebSocket to /socket.io/ offering permessage-deflate, as browsers do; the server's
    response head, lower-cased."""
    host, port = url.removeprefix("http://").split(":")
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
    return head.split(b"\r\n\r\n")[0].decode("latin-1").lower()


@pytest.fixture(scope="module")
def database_url(tmp_path_factory) -> Iterator[str]:
    with isolated_database_url(tmp_path_factory.mktemp("ws"), prefix="ws") as url:
        prepare_database(url)
        yield url


@pytest.mark.parametrize(("setting", "compressed"), [(None, False), ("1", True)], ids=str)
def test_websocket_compression_follows_the_setting(database_url, tmp_path, setting, compressed):
    env = {"SOCKETIO_WS_COMPRESSION": setting} if setting is not None else {}
    server = AppServer(database_url, gevent=True, env=env, log=tmp_path / "server.log")
    try:
        server.wait()
        head = _handshake(server.url)
    finally:
        server.stop()
    assert head.startswith("http/1.1 101"), head
    assert ("permessage-deflate" in head) is compressed, head
