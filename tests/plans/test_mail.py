"""E-mail after a publish goes to a fake SMTP server on 127.0.0.1 when MAIL_SERVER is set."""

from __future__ import annotations

import email
import socketserver
import threading
from collections.abc import Iterator
from email import policy

import pytest

from app.extensions import db
from deliberation.services import accounts


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greet, accept one or more messages, quit."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 fake ESMTP")
        rcpt: list[str] = []
        while raw := self.rfile.readline():
            verb = raw.decode().strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                self.reply("250 fake")
            elif verb.startswith("MAIL FROM"):
                rcpt = []
                self.reply("250 OK")
            elif verb.startswith("RCPT TO"):
                rcpt.append(raw.decode().split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go ahead")
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                self.server.messages.append((rcpt, b"".join(lines)))  # type: ignore[attr-defined]
                self.reply("250 queued")
            elif verb in ("QUIT",):
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture
def smtp_server() -> Iterator[socketserver.ThreadingTCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    server.messages = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def mail_config(app, smtp_server):
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.server_address[1])
    yield smtp_server
    app.config.update(saved)


def _publish(client, world, key: str):
    token = accounts.issue_token(db.session, world.lead)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    cid = world.consultation.id
    client.put(
        f"/api/v1/consultations/{cid}/responses/{key}",
        json={"disposition": "adopted", "reasoning": "採納"},
        headers=headers,
    )
    return client.post(f"/api/v1/consultations/{cid}/responses/{key}/publish", headers=headers)


def test_each_notified_author_gets_one_email(client, world, mail_config):
    assert _publish(client, world, "T1").status_code == 200
    messages = mail_config.messages
    recipients = sorted(r for rcpt, _ in messages for r in rcpt)
    assert recipients == sorted(u.email for u in world.authors)
    parsed = email.message_from_bytes(messages[0][1], policy=policy.default)
    assert "充電設施" in parsed["Subject"]
    assert f"/consultations/{world.consultation.id}" in parsed.get_content()


def test_no_email_without_mail_server(client, world, smtp_server, app):
    assert not app.config.get("MAIL_SERVER")
    assert _publish(client, world, "T1").status_code == 200
    assert smtp_server.messages == []


def test_an_unreachable_mail_server_does_not_undo_the_publish(client, world, app, caplog):
    saved = app.config.get("MAIL_SERVER")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    try:
        response = _publish(client, world, "T2")
    finally:
        app.config.update(MAIL_SERVER=saved, MAIL_PORT=None)
    assert response.status_code == 200 and response.get_json()["notified"] == 1
    assert "could not reach the mail server" in caplog.text
