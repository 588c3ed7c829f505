"""Helpers of the webhook tests: a receiver on 127.0.0.1 that records what it is sent."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app.extensions import db
from deliberation.models import Agency, User
from deliberation.webhooks.models import Webhook
from deliberation.webhooks.operations import new_secret
from deliberation.webhooks.rules import SUBSCRIBABLE


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    status: int = 204  # what it answers
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


def handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with receiver.lock:
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


def make_hook(agency: Agency, url: str, *, events=SUBSCRIBABLE, by: User | None = None) -> Webhook:
    """An endpoint written directly (the URL checks have their own tests)."""
    hook = Webhook(
        agency_id=agency.id,
        url=url,
        secret=new_secret(),
        events=list(events),
        created_by_id=by.id if by else None,
    )
    db.session.add(hook)
    db.session.commit()
    return hook
