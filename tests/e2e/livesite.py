"""A live site in this process for browser tests that need their own settings and people.

Like the `live_server` fixture (werkzeug on 127.0.0.1, the app's own database), but with config
overrides, no demo data and a small cast: a staff member of the agency running an open
consultation, a moderator and two citizens, each with an API token. In-process so a test can
swap what a background job uses (the link fetcher) and still go through the real job path.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from config import TestingConfig

PASSWORD = "long password"
# Chromium may fetch nothing but the site under test (no network in tests): an iframe on
# youtube-nocookie.com or an https card image is asserted on, never loaded.
NOT_LOOPBACK = re.compile(r"^(?!https?://127\.0\.0\.1[:/])[a-z]+://")


@dataclass
class LiveSite:
    app: Flask
    url: str
    thread_id: int
    consultation_id: int
    tokens: dict[str, str] = field(default_factory=dict)  # key -> API bearer token
    emails: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def api(self, who: str, method: str, path: str, **json: Any) -> requests.Response:
        return requests.request(
            method,
            self.url + path,
            json=json,
            headers={"Authorization": f"Bearer {self.tokens[who]}"},
            timeout=30,
        )

    def post(self, who: str, body: str, **extra: Any) -> dict:
        r = self.api(who, "POST", f"/api/v1/threads/{self.thread_id}/comments", body=body, **extra)
        assert r.status_code == 201, r.text[:300]
        return r.json()


def _seed(app: Flask) -> dict[str, Any]:
    from deliberation.services import accounts, consultations

    with app.app_context():
        db.create_all()
        s = db.session
        agency = accounts.get_or_create_agency(s, "NDC")
        people = {
            "staff": ("staff@example.tw", "承辦人", "staff", agency),
            "moderator": ("mod@example.tw", "版主", "moderator", None),
            "p0": ("p0@example.tw", "發言者甲", "citizen", None),
            "p1": ("p1@example.tw", "發言者乙", "citizen", None),
        }
        users = {
            key: accounts.create_user(
                s, email=email, display_name=name, password=PASSWORD, role=role, agency=ag
            )
            for key, (email, name, role, ag) in people.items()
        }
        item = consultations.create_consultation(
            s,
            actor=users["staff"],
            title="連結卡片測試",
            status="open",
            sections=[consultations.SectionInput(title="第一條")],
        )
        tokens = {key: accounts.issue_token(s, user) for key, user in users.items()}
        s.commit()
        info = {
            "thread_id": consultations.ordered_threads(item)[0].id,
            "consultation_id": item.id,
            "tokens": tokens,
            "emails": {key: spec[0] for key, spec in people.items()},
            "ids": {key: user.id for key, user in users.items()},
        }
        s.remove()
    return info


def fill_cast(database_url: str) -> dict[str, Any]:
    """Create the tables and the small cast in an empty database; what live_site needs back."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, SEGMENT_ON_WRITE=False)
    info = _seed(app)
    with app.app_context():
        db.engine.dispose()
    return info


def fill_demo(database_url: str) -> None:
    """Create the tables and load the demo into an empty database."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        db.create_all()
        from app.demo import load

        load(db.session)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@contextlib.contextmanager
def live_site(
    database_url: str, *, seeded: dict[str, Any] | None = None, **config: Any
) -> Iterator[LiveSite]:
    """Serve a fresh app (TestingConfig + `config`) on a spare loopback port: on an empty
    database, seeded here, or on one `fill_cast` seeded (`seeded` is what it returned)."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": True,
        "PUBLIC_STATE_AUTOCOMMIT": True,
        "SEGMENT_ON_WRITE": False,
        **config,
    }
    app = create_app(TestingConfig, **settings)
    info = _seed(app) if seeded is None else seeded
    with serving(app, drop=seeded is None) as url:
        yield LiveSite(app=app, url=url, **info)


@contextlib.contextmanager
def serving(app: Flask, *, drop: bool = True) -> Iterator[str]:
    """Serve `app` (its database already set up) on a spare loopback port; tear it all down
    (its tables too, unless the database is a throw-away copy)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            if drop:
                db.drop_all()
            db.engine.dispose()
        state_engine = app.extensions.get("zhongyi_state_engine")  # app/cache.py, PostgreSQL
        if state_engine is not None:
            state_engine.dispose()


@contextlib.contextmanager
def demo_site(database_url: str, **config: object) -> Iterator[str]:
    """The demo on a live server (TestingConfig + `config`), on a database `fill_demo` filled
    (a throw-away copy: the tables are left for whoever drops the database)."""
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        WTF_CSRF_ENABLED=True,
        PUBLIC_STATE_AUTOCOMMIT=True,
        **config,
    )
    with serving(app, drop=False) as url:
        yield url


def open_page(browser, site: LiveSite, who: str | None, *, path: str | None = None):  # type: ignore[no-untyped-def]
    """A new browser context (logged in as `who`, or anonymous) on the thread, live and ready."""
    context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="zh-TW")
    context.route(NOT_LOOPBACK, lambda route: route.abort())
    page = context.new_page()
    if who is not None:
        page.goto(site.url + "/login")
        page.locator("#email").fill(site.emails[who])
        page.locator("#password").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(site.url + "/")
    page.goto(site.url + (path or f"/threads/{site.thread_id}"))
    wait_live(page)
    return context, page


def wait_live(page) -> None:  # type: ignore[no-untyped-def]
    """Until the page's live connection is subscribed; marks the document to detect reloads."""
    page.wait_for_function("() => window.zhongyiLive && window.zhongyiLive.socket.connected")
    page.wait_for_function(  # the subscribe ack has come back with the viewer count
        "() => document.querySelector('.live-viewers').textContent.trim() !== ''"
    )
    page.evaluate("() => { window.__sameDocument = true; }")  # gone if the page reloads
