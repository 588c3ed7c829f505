"""Sending one webhook request: the link fetcher's SSRF rules, applied to a POST.

A staff member chooses the URL and the server connects to it, so it is checked like a link
card's (deliberation/linkfetch.py): http(s) only, no credentials, the host resolved once and
refused if any address is loopback, private, link-local, shared, reserved or otherwise not
global (`allow_hosts` admits loopback test servers, as for the link fetcher); the TCP
connection goes to the checked address (TLS name check and SNI for the host), so a DNS answer
that changes after the check cannot redirect it. Redirects are never followed (a 3xx is a
failed attempt), a connect timeout and a total deadline bound each attempt, and at most a few
kilobytes of the answer are read. No Flask here: app/webhooks builds the policy from config.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection

from ..linkfetch import (
    FetchError,
    FetchPolicy,
    LinkFetcher,
    Resolver,
    default_resolver,
    parse_target,
)

USER_AGENT = "ZhongyiWebhooks/1 (+signed event notifications to agencies' systems)"
READ_LIMIT = 4096  # of the receiver's answer: only its status matters


@dataclass(frozen=True)
class SendPolicy:
    connect_timeout: float = 3.0
    total_timeout: float = 10.0
    allow_hosts: frozenset[tuple[str, int]] = frozenset()
    ca_certs: str | None = None


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the receiver's HTTP status, None when none came back
    error: str  # "" on a 2xx; else a short code and detail

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _fetcher(policy: SendPolicy, resolver: Resolver) -> LinkFetcher:
    return LinkFetcher(
        FetchPolicy(allow_hosts=policy.allow_hosts, ca_certs=policy.ca_certs), resolver=resolver
    )


def checked_address(url: str, policy: SendPolicy, resolver: Resolver = default_resolver) -> str:
    """The address a POST to `url` would go to, or FetchError (bad_url, dns_failed,
    blocked_address, ...) when the SSRF rules refuse it."""
    return _fetcher(policy, resolver).checked_address(parse_target(url))


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    policy: SendPolicy,
    resolver: Resolver = default_resolver,
) -> Outcome:
    """POST `body` to `url` once, under every rule above; never raises for the network."""
    try:
        target = parse_target(url)
        address = _fetcher(policy, resolver).checked_address(target)
    except FetchError as error:
        return Outcome(None, _short(error.code, error.detail))
    deadline = time.monotonic() + policy.total_timeout
    conn: HTTPConnection
    if target.scheme == "https":
        conn = HTTPSConnection(
            address,
            target.port,
            timeout=policy.connect_timeout,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=policy.ca_certs,
        )
    else:
        conn = HTTPConnection(address, target.port, timeout=policy.connect_timeout)
    expired = threading.Event()

    def kill() -> None:  # the total deadline, whatever the receiver does byte by byte
        expired.set()
        sock = getattr(conn, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(policy.total_timeout, kill)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.connect()
        if conn.sock is not None:
            conn.sock.settimeout(max(0.01, deadline - time.monotonic()))
        conn.request(
            "POST",
            target.path,
            body=body,
            headers={
                "Host": target.host_header,
                "User-Agent": USER_AGENT,
                "Content-Type": "application/json; charset=utf-8",
                "Content-Length": str(len(body)),
                "Accept-Encoding": "identity",
                **headers,
            },
            preload_content=False,
        )
        response = conn.getresponse()
        with contextlib.suppress(Exception):
            response.read1(READ_LIMIT)
        if 300 <= response.status < 400:
            return Outcome(response.status, "redirect_refused: redirects are not followed")
        if not 200 <= response.status < 300:
            return Outcome(response.status, f"bad_status: {response.status}")
        return Outcome(response.status, "")
    except Exception as error:  # a network failure is a failed attempt, never an exception
        if expired.is_set():
            return Outcome(None, "timeout: total")
        if isinstance(error, urllib3.exceptions.NewConnectionError):
            return Outcome(None, _short("connect_failed", str(error)))
        if isinstance(error, (TimeoutError, socket.timeout, urllib3.exceptions.TimeoutError)):
            return Outcome(None, _short("timeout", str(error)))
        return Outcome(None, _short("connect_failed", type(error).__name__))
    finally:
        watchdog.cancel()
        conn.close()


def _short(code: str, detail: str) -> str:
    return f"{code}: {detail}"[:300] if detail else code
