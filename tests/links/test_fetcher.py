"""The link fetcher as a security boundary: every SSRF case is refused before any connection,
redirects are re-checked, and slow, huge or wrong-typed responses are cut off."""

from __future__ import annotations

import ipaddress
import socket
import time

import pytest
import urllib3.util.connection

from deliberation.linkfetch import (
    FetchError,
    FetchPolicy,
    LinkFetcher,
    address_refusal,
    default_resolver,
)

from .helpers import og_page

BLOCKED_LITERALS = [
    "http://127.0.0.1/",
    "http://127.1.2.3:8080/",
    "http://10.0.0.1/",
    "http://10.255.255.254/",
    "http://172.16.0.1/",
    "http://172.31.255.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://100.64.0.1/",
    "http://[::1]/",
    "http://[::]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[fe80::1]/",
    "http://[ff02::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[2002:7f00:1::]/",  # 6to4 wrapping 127.0.0.1
    "http://[64:ff9b::a00:1]/",  # NAT64 wrapping 10.0.0.1
    "https://192.168.0.10/",
]


@pytest.fixture
def no_connections(monkeypatch):
    """Fail the test if the fetcher opens any TCP connection."""
    opened = []

    def refuse(address, *args, **kwargs):
        opened.append(address)
        raise AssertionError(f"connected to {address}")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", refuse)
    return opened


def _resolver(mapping: dict[str, list[str]], calls: list[str] | None = None):
    def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        if host not in mapping:
            raise FetchError("dns_failed", host)
        return mapping[host]

    return resolve


@pytest.mark.parametrize("url", BLOCKED_LITERALS)
def test_private_and_special_addresses_are_refused_before_connecting(url, no_connections):
    with pytest.raises(FetchError) as caught:
        LinkFetcher(FetchPolicy()).get(url)
    assert caught.value.code == "blocked_address"
    assert no_connections == []


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.0.1",
        "169.254.169.254",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fc00::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_a_hostname_resolving_to_a_refused_address_is_refused(address, no_connections):
    fetcher = LinkFetcher(FetchPolicy(), resolver=_resolver({"news.example.tw": [address]}))
    with pytest.raises(FetchError) as caught:
        fetcher.get("https://news.example.tw/article/1")
    assert caught.value.code == "blocked_address"
    assert no_connections == []


def test_one_private_address_among_public_ones_is_enough_to_refuse(no_connections):
    resolver = _resolver({"mixed.example.tw": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(FetchError, match="blocked_address"):
        LinkFetcher(FetchPolicy(), resolver=resolver).get("http://mixed.example.tw/")
    assert no_connections == []


def test_the_system_resolver_path_refuses_a_name_for_loopback(monkeypatch, no_connections):
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host == "internal.example.tw":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    assert default_resolver("internal.example.tw", 80) == ["127.0.0.1"]
    with pytest.raises(FetchError, match="blocked_address"):
        LinkFetcher(FetchPolicy()).get("http://internal.example.tw/")
    # Numeric spellings of loopback resolve to loopback and are refused the same way.
    with pytest.raises(FetchError, match="blocked_address"):
        LinkFetcher(FetchPolicy()).get("http://2130706433/")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.tw/file",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "gopher://x/",
        "data:text/html,hi",
        "//example.tw/",
    ],
)
def test_only_http_and_https_are_fetched(url, no_connections):
    with pytest.raises(FetchError) as caught:
        LinkFetcher(FetchPolicy()).get(url)
    assert caught.value.code == "bad_scheme"
    assert no_connections == []


@pytest.mark.parametrize(
    "url", ["http://user:pw@example.tw/", "http:///nohost", "http://exa mple.tw/"]
)
def test_urls_with_credentials_or_no_host_are_refused(url, no_connections):
    with pytest.raises(FetchError, match="bad_url"):
        LinkFetcher(FetchPolicy()).get(url)


def test_public_addresses_pass_the_address_check():
    for text in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]:
        assert address_refusal(ipaddress.ip_address(text)) is None, text


# ---- the checked address is the one connected to ---------------------------------------------


def test_dns_rebinding_fails_because_the_checked_address_is_the_one_connected_to(monkeypatch):
    calls: list[str] = []
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])  # public when checked, then loopback

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    connected = []

    def connect(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("test network")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", connect)
    with pytest.raises(FetchError, match="connect_failed"):
        LinkFetcher(FetchPolicy(), resolver=resolve).get("http://rebind.example.tw/")
    assert calls == ["rebind.example.tw"]  # resolved once, never again
    assert connected == [("93.184.216.34", 80)]


def test_a_test_host_serves_through_the_checked_address_with_its_own_host_header(
    fake_site, monkeypatch
):
    real = socket.getaddrinfo
    lookups: list[str] = []
    answers = iter(["127.0.0.1", "10.0.0.1"])

    def fake(host, *args, **kwargs):
        if host == "rebind.test":
            lookups.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), fake_site.port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    policy = FetchPolicy(total_timeout=2, allow_hosts=frozenset({("rebind.test", fake_site.port)}))
    meta = LinkFetcher(policy)(f"http://rebind.test:{fake_site.port}/og")
    assert meta.title == "草案說明會紀錄"
    assert lookups == ["rebind.test"]
    assert fake_site.requests[-1] == ("/og", f"rebind.test:{fake_site.port}")


def test_allowed_test_hosts_admit_loopback_only_on_their_own_port(fake_site):
    policy = FetchPolicy(allow_hosts=frozenset({("127.0.0.1", fake_site.port)}))
    assert LinkFetcher(policy).get(f"{fake_site.base}/og").status == 200
    with pytest.raises(FetchError, match="blocked_address"):
        LinkFetcher(policy).get(f"http://127.0.0.1:{fake_site.port + 1}/og")
    private = _resolver({"evil.test": ["10.0.0.1"]})
    allowed = FetchPolicy(allow_hosts=frozenset({("evil.test", 80)}))
    with pytest.raises(FetchError, match="blocked_address"):
        LinkFetcher(allowed, resolver=private).get("http://evil.test/")


def test_the_fetcher_sends_an_honest_user_agent(fake_site, fetch_policy, monkeypatch):
    seen = {}
    import http.server

    original = http.server.BaseHTTPRequestHandler.parse_request

    def spy(self):
        ok = original(self)
        seen["ua"] = self.headers.get("User-Agent")
        return ok

    monkeypatch.setattr(http.server.BaseHTTPRequestHandler, "parse_request", spy)
    LinkFetcher(fetch_policy).get(f"{fake_site.base}/og")
    assert seen["ua"].startswith("ZhongyiLinkPreview/")


# ---- redirects -------------------------------------------------------------------------------


def test_up_to_three_redirects_are_followed(fake_site, fetch_policy):
    response = LinkFetcher(fetch_policy).get(f"{fake_site.base}/redirect/3")
    assert response.url == f"{fake_site.base}/og"
    assert b"og:title" in response.body


def test_a_fourth_redirect_is_refused(fake_site, fetch_policy):
    with pytest.raises(FetchError, match="too_many_redirects"):
        LinkFetcher(fetch_policy).get(f"{fake_site.base}/redirect/4")


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://localhost/",
        "file:///etc/passwd",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(fake_site, fetch_policy, target):
    fetcher = LinkFetcher(fetch_policy, resolver=_resolver({"localhost": ["127.0.0.1"]}))
    with pytest.raises(FetchError) as caught:
        fetcher.get(f"{fake_site.base}/to?url={target}")
    assert caught.value.code in {"blocked_address", "bad_scheme"}
    assert len(fake_site.requests) == 1  # only the first hop reached any server


# ---- time, size and type ---------------------------------------------------------------------


def test_a_slow_server_times_out(fake_site):
    policy = FetchPolicy(total_timeout=0.6, allow_hosts=frozenset({("127.0.0.1", fake_site.port)}))
    started = time.monotonic()
    with pytest.raises(FetchError, match="timeout"):
        LinkFetcher(policy).get(f"{fake_site.base}/slow?s=3")
    assert time.monotonic() - started < 2


def test_a_server_dripping_bytes_is_cut_off_at_the_total_deadline(fake_site):
    policy = FetchPolicy(total_timeout=0.6, allow_hosts=frozenset({("127.0.0.1", fake_site.port)}))
    started = time.monotonic()
    with pytest.raises(FetchError, match="timeout"):
        LinkFetcher(policy).get(f"{fake_site.base}/drip")
    assert time.monotonic() - started < 2


def test_a_huge_body_is_read_only_up_to_the_cap(fake_site, fetch_policy):
    started = time.monotonic()
    response = LinkFetcher(fetch_policy).get(f"{fake_site.base}/huge")
    assert response.truncated
    assert len(response.body) == fetch_policy.max_bytes
    assert time.monotonic() - started < 2


def test_a_huge_page_still_gives_the_card_from_its_head(fake_site, fetch_policy):
    assert LinkFetcher(fetch_policy)(f"{fake_site.base}/huge?og=1").title == "很大的頁面"
    with pytest.raises(FetchError, match="no_metadata"):
        LinkFetcher(fetch_policy)(f"{fake_site.base}/huge")


@pytest.mark.parametrize("path", ["/pdf", "/png"])
def test_content_types_other_than_html_and_json_are_refused(fake_site, fetch_policy, path):
    with pytest.raises(FetchError, match="bad_content_type"):
        LinkFetcher(fetch_policy).get(fake_site.base + path)


def test_a_missing_page_is_a_failure_not_a_card(fake_site, fetch_policy):
    with pytest.raises(FetchError, match="bad_status"):
        LinkFetcher(fetch_policy)(f"{fake_site.base}/nothing-here")


# ---- metadata --------------------------------------------------------------------------------


def test_open_graph_tags_make_the_card(fake_site, fetch_policy):
    meta = LinkFetcher(fetch_policy)(f"{fake_site.base}/og")
    assert (meta.title, meta.site_name, meta.description, meta.image) == (
        "草案說明會紀錄",
        "示範新聞",
        "國發會公布的說明會紀錄",
        "https://img.example.tw/cover.jpg",
    )


def test_twitter_card_and_plain_html_fill_in_when_open_graph_is_missing(fake_site, fetch_policy):
    url = fake_site.page(
        "/twitter",
        '<html><head><title> 標題 </title><meta name="twitter:description" content="推特描述">'
        '<meta name="twitter:image" content="/img/a.jpg"></head></html>',
    )
    meta = LinkFetcher(fetch_policy)(url)
    assert meta.title == "標題"
    assert meta.description == "推特描述"
    assert meta.image == f"{fake_site.base}/img/a.jpg"  # made absolute (then dropped: not https)


def test_the_oembed_discovery_link_fills_the_card_but_its_html_is_never_read(
    fake_site, fetch_policy
):
    meta = LinkFetcher(fetch_policy)(f"{fake_site.base}/with-oembed")
    assert meta.title == "影片標題（oEmbed）"
    assert meta.site_name == "YouTube"
    assert meta.image == "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"
    fields = (meta.title, meta.site_name, meta.description, meta.image)
    assert not any("<" in value or "evil" in value for value in fields)


def test_a_big5_page_is_decoded_by_its_declared_charset(fake_site, fetch_policy):
    body = og_page("臺灣的草案").encode("big5").replace(b'charset="utf-8"', b'charset="big5"')
    fake_site.pages["/big5"] = ("text/html; charset=big5", body)
    assert LinkFetcher(fetch_policy)(f"{fake_site.base}/big5").title == "臺灣的草案"


# ---- https: the checked IP, with the name's SNI and certificate check -------------------------


def test_https_connects_to_the_checked_ip_and_verifies_the_certificate_for_the_name(tls_site):
    port, cert = tls_site
    names = {"secure.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]}
    allow = frozenset({("secure.test", port), ("other.test", port)})
    policy = FetchPolicy(total_timeout=2, allow_hosts=allow, ca_certs=cert)
    meta = LinkFetcher(policy, resolver=_resolver(names))(f"https://secure.test:{port}/og")
    assert meta.title == "草案說明會紀錄"
    # The same server under a name its certificate does not cover is refused.
    with pytest.raises(FetchError, match="connect_failed"):
        LinkFetcher(policy, resolver=_resolver(names)).get(f"https://other.test:{port}/og")
    # And a certificate nobody trusts is refused.
    untrusted = FetchPolicy(total_timeout=2, allow_hosts=allow)
    with pytest.raises(FetchError, match="connect_failed"):
        LinkFetcher(untrusted, resolver=_resolver(names)).get(f"https://secure.test:{port}/og")
