"""Fixtures for this package; its helpers are in helpers.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from app.links import jobs
from deliberation.linkfetch import FetchPolicy, LinkFetcher

from .helpers import (
    FakeSite,
    _handler,
    _QuietServer,
    offline_resolver,
)


@pytest.fixture
def fake_site() -> Iterator[FakeSite]:
    site = FakeSite()
    server = _QuietServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fetch_policy(fake_site: FakeSite) -> FetchPolicy:
    return FetchPolicy(
        connect_timeout=1.0,
        total_timeout=2.0,
        max_bytes=200_000,
        allow_hosts=frozenset({("127.0.0.1", fake_site.port)}),
    )


@pytest.fixture
def linked_app(app, fake_site: FakeSite, fetch_policy: FetchPolicy, monkeypatch):
    """The test app with the fake site allowed, and providers' oEmbed endpoints pointing at it."""
    monkeypatch.setitem(app.config, "LINK_FETCH_ALLOW_HOSTS", fetch_policy.allow_hosts)
    monkeypatch.setitem(app.config, "LINK_FETCH_TIMEOUT", 2.0)
    endpoints = {"youtube": f"{fake_site.base}/oembed?url="}
    monkeypatch.setattr(
        jobs,
        "make_fetcher",
        lambda: LinkFetcher(fetch_policy, resolver=offline_resolver, oembed_endpoints=endpoints),
    )
    return app


@pytest.fixture
def tls_site(tmp_path, fake_site):
    """The fake site behind TLS with a certificate for secure.test only."""
    import shutil
    import ssl
    import subprocess
    import threading
    from http.server import ThreadingHTTPServer

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=secure.test",
            "-addext",
            "subjectAltName=DNS:secure.test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake_site))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    server.handle_error = lambda *args: None
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    try:
        yield server.server_address[1], str(cert)
    finally:
        server.shutdown()
        server.server_close()
