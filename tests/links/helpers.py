"""A fake website and oEmbed provider on 127.0.0.1, and an app configured to reach it only.

Nothing here touches the internet: the fetcher used by the app's job gets a resolver that
refuses every name but the test ones, and the providers' oEmbed endpoints point here.
"""

from __future__ import annotations

import html
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from deliberation.linkfetch import FetchError
from tests.datasets import data_path

XSS_CORPUS = data_path("xss", "payloads.jsonl")


def xss_payloads() -> list[str]:
    lines = XSS_CORPUS.read_text(encoding="utf-8").split("\n")  # not splitlines: U+2028 is data
    return [json.loads(line)["payload"] for line in lines if line.strip()]


def og_page(
    title: str, *, description: str = "", site: str = "", image: str = "", oembed: str = ""
) -> str:
    a = lambda v: html.escape(v, quote=True)  # noqa: E731  (a real page escapes its attributes)
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>fallback title</title>
<meta property="og:title" content="{a(title)}">
<meta property="og:description" content="{a(description)}">
<meta property="og:site_name" content="{a(site)}">
{f'<meta property="og:image" content="{a(image)}">' if image else ""}
{f'<link rel="alternate" type="application/json+oembed" href="{a(oembed)}">' if oembed else ""}
</head><body><p>article</p></body></html>"""


class FakeSite:
    """What the server saw (requests, Host headers) and what some pages serve."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []  # (path, Host header)
        self.pages: dict[str, tuple[str, bytes]] = {}  # path -> (content type, body)
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def page(self, path: str, body: str, content_type: str = "text/html; charset=utf-8") -> str:
        self.pages[path] = (content_type, body.encode())
        return self.base + path

    def binary(self, path: str, body: bytes, content_type: str) -> str:
        self.pages[path] = (content_type, body)
        return self.base + path


def _handler(site: FakeSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def send(self, status: int, content_type: str, body: bytes, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def redirect(self, location: str) -> None:
            self.send(302, "text/plain", b"", Location=location)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            site.requests.append((self.path, self.headers.get("Host", "")))
            if path in site.pages:
                content_type, body = site.pages[path]
                return self.send(200, content_type, body)
            if path == "/og":
                body = og_page(
                    "草案說明會紀錄",
                    description="國發會公布的說明會紀錄",
                    site="示範新聞",
                    image="https://img.example.tw/cover.jpg",
                )
                return self.send(200, "text/html; charset=utf-8", body.encode())
            if path == "/with-oembed":
                # No og:title: the card comes from the oEmbed discovery link.
                body = (
                    '<html><head><link rel="alternate" type="application/json+oembed" '
                    f'href="{site.base}/oembed?url=x"></head><body></body></html>'
                )
                return self.send(200, "text/html", body.encode())
            if path == "/oembed":
                data = {
                    "version": "1.0",
                    "type": "video",
                    "title": "影片標題（oEmbed）",
                    "author_name": "頻道名稱",
                    "provider_name": "YouTube",
                    "thumbnail_url": "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
                    "html": '<iframe src="https://evil.example/"></iframe><script>alert(1)</script>',
                }
                return self.send(200, "application/json", json.dumps(data).encode())
            if path.startswith("/redirect/"):
                n = int(path.rsplit("/", 1)[1])
                return self.redirect("/og" if n <= 1 else f"/redirect/{n - 1}")
            if path == "/to":
                return self.redirect(query["url"][0])
            if path == "/slow":
                time.sleep(float(query.get("s", ["3"])[0]))
                return self.send(200, "text/html", og_page("太慢了").encode())
            if path == "/drip":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                try:
                    for _ in range(50):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(0.1)
                except OSError:
                    pass
                return None
            if path == "/huge":
                head = og_page("很大的頁面").encode() if "og" in query else b""
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(head) + 50_000_000))
                self.end_headers()
                try:
                    self.wfile.write(head)
                    chunk = b"x" * 65536
                    for _ in range(50_000_000 // 65536):
                        self.wfile.write(chunk)
                except OSError:
                    pass
                return None
            if path == "/pdf":
                return self.send(200, "application/pdf", b"%PDF-1.4")
            if path == "/png":
                return self.send(200, "image/png", b"\x89PNG\r\n")
            return self.send(404, "text/plain", b"not found")

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that hung up on purpose (timeouts, size caps)


def offline_resolver(host: str, port: int) -> list[str]:
    """No name resolves in the tests (nothing may reach the internet)."""
    raise FetchError("dns_failed", f"{host} (tests are offline)")
