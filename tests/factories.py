"""Small factories for the tests: agencies, people, consultations, threads, comments, and logging in.

Each factory works in the test's database session (the `session` fixture: everything is rolled
back after the test) and commits, which there releases a savepoint. Tests receive them as
fixtures of the same name (`make_user`, `login`, … in tests/conftest.py); helpers that are not
tests import them from here.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app import sessions as web_sessions
from app.extensions import db
from deliberation.models import Agency, Comment, Consultation, Thread, User, utcnow
from deliberation.services import comments, consultations
from deliberation.services.consultations import SectionInput
from deliberation.trust import sessions as trust_sessions

PASSWORD = "correct horse battery"
# What the tests' users log in with through the real form. The production cost of the hash is
# beside the point in a test (accounts.create_user keeps it; tests/unit/test_password_hash.py
# checks that), so one cheap hash made once serves every factory-made user.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
_counter = itertools.count(1)


def make_agency(code: str = "NDC", name: str = "國家發展委員會") -> Agency:
    """The agency with this code, created if new."""
    agency = db.session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        agency = Agency(code=code, name=name)
        db.session.add(agency)
        db.session.commit()
    return agency


def make_user(
    role: str = "citizen",
    *,
    agency: Agency | None = None,
    name: str | None = None,
    email: str | None = None,
    verified: bool = True,
) -> User:
    """A user with this role (staff belong to NDC unless given an agency), password PASSWORD,
    its address verified unless `verified=False` (factory-made people are verified)."""
    n = next(_counter)
    if role == "staff" and agency is None:
        agency = make_agency()
    user = User(
        email=email or f"user{n}@example.tw",
        display_name=name or f"使用者{n}",
        password_hash=PASSWORD_HASH,
        role=role,
        agency=agency if role == "staff" else None,
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_consultation(
    *, staff: User | None = None, status: str = "open", sections: int = 2, **kwargs
) -> Consultation:
    """A consultation run by `staff` (a new NDC staff member unless given) with `sections`."""
    staff = staff or make_user("staff")
    item = consultations.create_consultation(
        db.session,
        actor=staff,
        title=kwargs.pop("title", "電動機車補助草案"),
        summary=kwargs.pop("summary", "草案摘要"),
        body=kwargs.pop("body", "草案**全文**"),
        sections=[
            SectionInput(title=f"第{i}條", body=f"條文內容 {i}") for i in range(1, sections + 1)
        ],
        status=status,
        **kwargs,
    )
    db.session.commit()
    return item


def general_thread(consultation: Consultation) -> Thread:
    """The consultation's thread for general discussion."""
    return consultations.general_thread(consultation)


def make_comment(
    thread: Thread, author: User | None = None, body: str = "我支持這個草案", parent=None, **kwargs
) -> Comment:
    """A comment posted through the service (a new citizen's unless an author is given)."""
    comment = comments.post_comment(
        db.session,
        thread,
        actor=author or make_user(),
        body=body,
        parent_id=parent.id if parent is not None else None,
        **kwargs,
    )
    db.session.commit()
    return comment


def save() -> None:
    """Commit the test's own changes (a savepoint; the test's transaction is still rolled back)."""
    db.session.commit()


def hours_ago(h: float) -> datetime:
    return utcnow() - timedelta(hours=h)


def login(client: FlaskClient, user: User) -> FlaskClient:
    """Log the client in as `user` by writing the session cookie the login form would set.

    The same keys Flask-Login's login_user writes (tests/integration/test_test_shortcuts.py
    compares them with a real form log-in); the form itself has its own tests.
    """
    app = client.application
    # The session identifier hashes the client's address and user agent, as a request sees them.
    with app.test_request_context(environ_base=client.environ_base):
        identifier = app.login_manager._session_identifier_generator()  # type: ignore[attr-defined]
    # The server-side session row the log-in steps start (app/sessions.py), past the second
    # factor: the real two-factor steps have their own tests (tests/trust).
    _, raw = trust_sessions.start(db.session, user, remember=False, two_factor=True)
    db.session.commit()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(user.get_id())
        cookie["_fresh"] = True
        cookie["_id"] = identifier
        cookie[web_sessions.SID] = raw
    return client


def login_with_form(client: FlaskClient, user: User, password: str = PASSWORD) -> FlaskClient:
    """Log the client in through the real form (CSRF and all)."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": password,
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def api_csrf(client: FlaskClient, path: str = "/") -> dict[str, str]:
    """Headers for a session-authenticated API call: the CSRF token from a page."""
    return {"X-CSRFToken": csrf_from(client.get(path).get_data(as_text=True))}
