"""Fetching a linked page for its card: an SSRF-safe HTTP client and metadata extraction.

This module is a security boundary. A comment author chooses the URL, and the server fetches
it, so every request is checked as if it were an attack on the network we run in:

- only http and https, on any port, with no userinfo (``http://user@host``);
- the host is resolved once; if *any* address it resolves to is loopback, private, link-local,
  multicast, reserved, unspecified, shared (100.64/10), or a v4 address wrapped in v6
  (IPv4-mapped, 6to4, Teredo, NAT64) that is one of those, the fetch is refused;
- the connection goes to the address that was checked (the TCP connection is opened to the IP,
  with the Host header and the TLS SNI/certificate check for the name), so a DNS answer that
  changes between check and connect (rebinding) cannot redirect us;
- every redirect is a new URL checked the same way, at most ``max_redirects`` of them;
- connect timeout, and a total deadline that a watchdog enforces by shutting the socket, so a
  server dripping bytes cannot hold a worker;
- at most ``max_bytes`` of body are read; only HTML and JSON content types are accepted for
  pages, and only PNG, JPEG, GIF and WebP (checked by their signature) for card images;
- an honest User-Agent.

`allow_hosts` ({(host, port)}) lets tests and local demos name loopback servers they run
themselves; production refuses to start with it set (app/links). It only ever admits loopback
addresses for exactly those host:port pairs.

Metadata comes from Open Graph, Twitter Card and plain HTML tags, and from oEmbed JSON (the
provider's known endpoint, or the page's discovery link) — title, site, description and image
only; an oEmbed ``html`` field is never read. Text comes back raw: callers clean it.
No Flask here: the job (app/links/jobs.py) builds a `LinkFetcher` from the app config.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import urllib3
from bs4 import BeautifulSoup
from urllib3.connection import HTTPConnection, HTTPSConnection

from . import embeds

USER_AGENT = "ZhongyiLinkPreview/0.1 (+link cards for public comments; one GET per link)"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
JSON_TYPES = frozenset({"application/json", "application/json+oembed", "text/json"})
# Card images are fetched by the server and served from this site (readers' browsers never ask
# a third party). Raster formats only: SVG can carry script.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(Exception):
    """A refused or failed fetch; `code` is stable and short (stored on the preview)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class FetchPolicy:
    connect_timeout: float = 3.0
    total_timeout: float = 8.0
    max_bytes: int = 1_000_000
    max_redirects: int = 3
    user_agent: str = USER_AGENT
    # (host, port) pairs whose loopback addresses tests and local demos may fetch.
    allow_hosts: frozenset[tuple[str, int]] = frozenset()
    ca_certs: str | None = None  # a CA bundle file; None: the system's trust store


@dataclass
class Response:
    url: str  # the final URL, after redirects
    status: int
    content_type: str
    charset: str | None
    body: bytes
    truncated: bool  # the body was longer than max_bytes; the rest was not read


def default_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host (A and AAAA)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError("dns_failed", str(error)) from error
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone id
        if address not in seen:
            seen.append(address)
    return seen


def address_refusal(address: Address) -> str | None:
    """Why this address must not be fetched from, or None when it is a public unicast one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or (address.sixtofour if address.sixtofour else None)
        if embedded is None and address.teredo:
            embedded = address.teredo[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            inner = address_refusal(embedded)
            return f"embedded_{inner}" if inner else None
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link_local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("shared", isinstance(address, ipaddress.IPv4Address) and address in _SHARED),
        ("site_local", isinstance(address, ipaddress.IPv6Address) and address.is_site_local),
        ("not_global", not address.is_global),
    )
    for name, refused in checks:
        if refused:
            return name
    return None


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # lower-case, as in the URL (IPv6 without brackets)
    port: int
    path: str  # path and query, what goes on the request line

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def parse_target(url: str) -> Target:
    """Split and check a URL: http(s) only, a host, no credentials, a sane port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchError("bad_url", str(error)) from error
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise FetchError("bad_scheme", scheme or "none")
    host = (parts.hostname or "").rstrip(".")
    if not host or parts.username is not None or parts.password is not None:
        raise FetchError("bad_url", "no host or has credentials")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise FetchError("bad_url", "whitespace or control characters")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, host, port or (443 if scheme == "https" else 80), path)


class LinkFetcher:
    """GET a URL safely (`get`) and read its card metadata (`__call__`)."""

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        resolver: Resolver = default_resolver,
        oembed_endpoints: dict[str, str] | None = None,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self.resolver = resolver
        self.oembed_endpoints = (
            embeds.OEMBED_ENDPOINTS if oembed_endpoints is None else oembed_endpoints
        )

    # ---- the checked client ------------------------------------------------------------------

    def checked_address(self, target: Target) -> str:
        """Resolve once and return the address to connect to, or raise FetchError."""
        test_host = (target.host, target.port) in self.policy.allow_hosts
        try:
            literal: Address | None = ipaddress.ip_address(target.host)
        except ValueError:
            literal = None
        addresses = (
            [str(literal)] if literal is not None else self.resolver(target.host, target.port)
        )
        if not addresses:
            raise FetchError("dns_failed", "no address")
        for text in addresses:
            try:
                address = ipaddress.ip_address(text)
            except ValueError as error:
                raise FetchError("dns_failed", f"bad address {text!r}") from error
            reason = address_refusal(address)
            if reason is not None and not (test_host and address.is_loopback):
                raise FetchError("blocked_address", f"{address} is {reason}")
        return addresses[0]

    def get(self, url: str, *, accept: Iterable[str] = HTML_TYPES | JSON_TYPES) -> Response:
        """GET with every SSRF rule applied, following at most max_redirects checked redirects."""
        accepted = frozenset(accept)
        deadline = time.monotonic() + self.policy.total_timeout
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            target = parse_target(current)
            address = self.checked_address(target)
            result = self._request(target, address, deadline, accepted)
            if isinstance(result, Response):
                result.url = current
                return result
            current = urljoin(current, result)  # a redirect: check the next hop from scratch
        raise FetchError("too_many_redirects", str(self.policy.max_redirects))

    def _connection(self, target: Target, address: str, timeout: float) -> HTTPConnection:
        if target.scheme == "https":
            # Connect to the checked IP; verify the certificate for, and send SNI of, the name.
            return HTTPSConnection(
                address,
                target.port,
                timeout=timeout,
                server_hostname=target.host,
                assert_hostname=target.host,
                cert_reqs="CERT_REQUIRED",
                ca_certs=self.policy.ca_certs,
            )
        return HTTPConnection(address, target.port, timeout=timeout)

    def _request(
        self, target: Target, address: str, deadline: float, accepted: frozenset[str]
    ) -> Response | str:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timeout", "total")
        conn = self._connection(target, address, min(self.policy.connect_timeout, remaining))
        expired = threading.Event()

        def kill() -> None:  # the total deadline, whatever the server does byte by byte
            expired.set()
            sock = getattr(conn, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        watchdog = threading.Timer(remaining, kill)
        watchdog.daemon = True
        watchdog.start()
        try:
            conn.connect()  # to the checked address (and, for https, the TLS handshake)
            if conn.sock is not None:
                conn.sock.settimeout(max(0.01, deadline - time.monotonic()))  # read timeout
            conn.request(
                "GET",
                target.path,
                headers={
                    "Host": target.host_header,
                    "User-Agent": self.policy.user_agent,
                    "Accept": ",".join(sorted(accepted)),  # what this request will take
                    "Accept-Encoding": "identity",
                    "Accept-Language": "zh-TW,zh;q=0.9,en;q=0.5",
                },
                preload_content=False,
            )
            response = conn.getresponse()
            if response.status in REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError("bad_status", f"{response.status} without Location")
                return location
            if not 200 <= response.status < 300:
                raise FetchError("bad_status", str(response.status))
            content_type, charset = _content_type(response.headers.get("Content-Type", ""))
            if content_type not in accepted:
                raise FetchError("bad_content_type", content_type or "none")
            body, truncated = self._read(response, expired)
            return Response("", response.status, content_type, charset, body, truncated)
        except FetchError:
            raise
        except Exception as error:
            if expired.is_set():
                raise FetchError("timeout", "total") from error
            if isinstance(error, urllib3.exceptions.NewConnectionError):  # (a TimeoutError kind)
                raise FetchError("connect_failed", str(error)[:150]) from error
            if isinstance(error, (TimeoutError, socket.timeout, urllib3.exceptions.TimeoutError)):
                raise FetchError("timeout", str(error)) from error
            raise FetchError("connect_failed", type(error).__name__) from error
        finally:
            watchdog.cancel()
            conn.close()

    def _read(self, response: Any, expired: threading.Event) -> tuple[bytes, bool]:
        cap = self.policy.max_bytes
        chunks: list[bytes] = []
        size = 0
        while size <= cap:
            chunk = response.read1(min(65536, cap + 1 - size))
            if expired.is_set():
                raise FetchError("timeout", "total")
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        body = b"".join(chunks)
        return body[:cap], size > cap

    # ---- metadata ----------------------------------------------------------------------------

    def __call__(self, url: str) -> PageMeta:
        """The card metadata of `url` (raises FetchError when nothing usable was fetched)."""
        found = embeds.match(url)
        meta = PageMeta(url=url)
        endpoint = self.oembed_endpoints.get(found.provider) if found else None
        if endpoint:
            with contextlib.suppress(FetchError):  # else fall back to the page itself
                meta.merge(self._oembed(endpoint + _quote(url)))
        if not meta.title:
            response = self.get(url)
            meta.url = response.url
            if response.content_type in HTML_TYPES:
                page = extract_metadata(response.body, response.charset, response.url)
                meta.merge(page)
                if page.oembed and not (meta.title and meta.image):
                    with contextlib.suppress(FetchError):
                        meta.merge(self._oembed(page.oembed))
            else:
                meta.merge(oembed_metadata(_json(response.body)))
        if not meta.title:
            raise FetchError("no_metadata")
        if meta.image.startswith("https://"):
            with contextlib.suppress(FetchError):  # a card without its picture
                meta.image_type, meta.image_data = self.image(meta.image)
        return meta

    def image(self, url: str) -> tuple[str, bytes]:
        """A card image: (content type, bytes), checked against the format's magic bytes.

        Raises FetchError for anything but a complete PNG, JPEG, GIF or WebP image of at most
        max_bytes whose bytes are what its Content-Type says.
        """
        response = self.get(url, accept=IMAGE_TYPES)
        if response.truncated:
            raise FetchError("too_large", "image")
        kind = sniff_image(response.body)
        if kind != response.content_type:
            raise FetchError("bad_image", f"{response.content_type} is {kind or 'unknown'}")
        return kind, response.body

    def _oembed(self, url: str) -> PageMeta:
        response = self.get(url, accept=JSON_TYPES)
        if response.truncated:
            raise FetchError("too_large", "oembed")
        return oembed_metadata(_json(response.body))


@dataclass
class PageMeta:
    """What a card shows, as the page said it (raw text: the caller cleans every field)."""

    url: str = ""
    title: str = ""
    site_name: str = ""
    description: str = ""
    image: str = ""
    oembed: str = ""  # the page's oEmbed JSON discovery link, if any
    image_type: str = ""  # the image itself, fetched (https only) and checked: IMAGE_TYPES
    image_data: bytes = b""

    def merge(self, other: PageMeta) -> None:
        """Fill the fields this one lacks from `other`."""
        for name in ("title", "site_name", "description", "image"):
            if not getattr(self, name) and getattr(other, name):
                setattr(self, name, getattr(other, name))


def sniff_image(body: bytes) -> str | None:
    """The raster format these bytes are, by their signature, or None."""
    if body.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if body.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if body[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "image/webp"
    return None


def _quote(url: str) -> str:
    from urllib.parse import quote

    return quote(url, safe="")


def _content_type(header: str) -> tuple[str, str | None]:
    main, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip("\"' ").lower()
    return main.strip().lower(), charset


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise FetchError("bad_json", str(error)[:100]) from error
    if not isinstance(data, dict):
        raise FetchError("bad_json", "not an object")
    return data


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def oembed_metadata(data: dict[str, Any]) -> PageMeta:
    """Title, provider, author and thumbnail from an oEmbed response (never its html)."""
    author = _text(data.get("author_name"))
    return PageMeta(
        title=_text(data.get("title")) or (author if data.get("type") == "rich" else ""),
        site_name=_text(data.get("provider_name")),
        description=author,
        image=_text(data.get("thumbnail_url")),
    )


def _attr(tag: Any, name: str) -> str:
    value = tag.get(name) if tag is not None else None
    if isinstance(value, list):
        value = " ".join(value)
    return value.strip() if isinstance(value, str) else ""


def extract_metadata(body: bytes, charset: str | None, base_url: str) -> PageMeta:
    """Open Graph, then Twitter Card, then plain HTML (<title>, meta description)."""
    soup = BeautifulSoup(body, "html.parser", from_encoding=charset)
    props: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = (_attr(tag, "property") or _attr(tag, "name")).lower()
        content = _attr(tag, "content")
        if key and content and key not in props:
            props[key] = content
    title_tag = soup.find("title")
    title_text = title_tag.get_text(" ", strip=True) if title_tag else ""
    image = (
        props.get("og:image:secure_url")
        or props.get("og:image")
        or props.get("og:image:url")
        or props.get("twitter:image")
        or props.get("twitter:image:src")
        or ""
    )
    oembed = ""
    for link in soup.find_all("link"):
        rel = [r.lower() for r in (link.get("rel") or [])]
        kind = _attr(link, "type").lower()
        if "alternate" in rel and kind in {"application/json+oembed", "text/json+oembed"}:
            oembed = urljoin(base_url, _attr(link, "href"))
            break
    return PageMeta(
        url=base_url,
        title=props.get("og:title") or props.get("twitter:title") or title_text,
        site_name=props.get("og:site_name") or props.get("application-name") or "",
        description=(
            props.get("og:description")
            or props.get("twitter:description")
            or props.get("description")
            or ""
        ),
        image=urljoin(base_url, image) if image else "",
        oembed=oembed,
    )
