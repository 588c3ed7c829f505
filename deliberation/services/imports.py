"""Bringing in opinions posted elsewhere (Facebook, PTT, news comments ...) with their provenance.

One item at a time, or a CSV (platform, url, author, posted_at, text) that is first *previewed*
— parsed and checked row by row, nothing written — and then *committed* by parsing the very same
text again and importing only the rows that are valid. The web layer round-trips the text itself
(a hidden form field, or the API's ``dry_run``), so no half-confirmed upload is ever stored.

An imported comment:
- goes through the same path as a post here (``comments.insert_comment``: seq, sanitizer,
  tokens, event) and the same automatic moderation (``screening.screen_post``);
- is written by a pseudonymous participant (``User.origin`` = the platform) derived from a keyed
  hash of platform + handle, so the same handle is the same participant and the handle itself is
  never stored; that account cannot log in;
- is updated, not duplicated, when imported again (same thread, platform and url): the new text
  becomes a new version and the old one a revision, exactly like an edit.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import social_rules
from ..errors import Conflict, DomainError, Forbidden, NotAuthenticated, ValidationError
from ..models import Comment, CommentStatus, Role, Thread, User, utcnow
from ..sanitize import clean_line
from . import comments, screening
from .comment_rows import tokens_of
from .moderation import screen_edit
from .threadlog import record_event

PLATFORMS: tuple[str, ...] = (
    "facebook",
    "instagram",
    "threads",
    "x",
    "youtube",
    "ptt",
    "dcard",
    "line",
    "news",
    "other",
)
# Names used in pseudonymous display names (stored text, so in the site's first language).
PLATFORM_NAMES: dict[str, str] = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "threads": "Threads",
    "x": "X",
    "youtube": "YouTube",
    "ptt": "PTT",
    "dcard": "Dcard",
    "line": "LINE",
    "news": "新聞",
    "other": "外部",
}
CSV_COLUMNS: tuple[str, ...] = ("platform", "url", "author", "posted_at", "text")
MAX_CSV_ROWS = 1000
MAX_CSV_CHARS = 2_000_000
MAX_URL = 2048
MAX_HANDLE = 200
IMPORTED_DOMAIN = "imported.invalid"
# A password hash no password matches (werkzeug needs "method$salt$hash"); the account is also
# inactive, so log-in, session loading and tokens all refuse it.
UNUSABLE_PASSWORD = "!imported"
TAIPEI = ZoneInfo("Asia/Taipei")
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# Characters that make a URL mean something different to a browser than to us.
_URL_FORBIDDEN = re.compile(
    "[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff<>\"'`\\\\]"
)


# ---- checking one item ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportItem:
    """One outside post, checked and normalised. `handle` lives only in memory."""

    platform: str
    url: str
    handle: str
    posted_at: datetime | None
    text: str


def normalise_platform(raw: object) -> str:
    value = clean_line(str(raw or "")).lower()
    value = {"twitter": "x", "fb": "facebook", "ig": "instagram"}.get(value, value)
    if not value:
        raise ValidationError("import_platform_required", field="platform")
    if value not in PLATFORMS:
        raise ValidationError(
            "import_platform_unknown", field="platform", platforms=", ".join(PLATFORMS)
        )
    return value


def normalise_url(raw: object) -> str:
    """An absolute http(s) URL with no credentials; scheme and host lower-cased, no fragment."""
    url = str(raw or "").strip()
    if not url:
        raise ValidationError("import_url_required", field="url")
    if len(url) > MAX_URL:
        raise ValidationError("import_url_too_long", field="url", max=MAX_URL)
    if _URL_FORBIDDEN.search(url):
        raise ValidationError("import_url_invalid", field="url")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        raise ValidationError("import_url_invalid", field="url") from None
    if parts.scheme.lower() not in ("http", "https") or not host or "@" in parts.netloc:
        raise ValidationError("import_url_invalid", field="url")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))


def normalise_handle(raw: object) -> str:
    handle = clean_line(str(raw or "")).lstrip("@").strip().casefold()
    if not handle:
        raise ValidationError("import_author_required", field="author")
    if len(handle) > MAX_HANDLE:
        raise ValidationError("import_author_too_long", field="author", max=MAX_HANDLE)
    return handle


def parse_posted_at(raw: object, now: datetime | None = None) -> datetime | None:
    """An ISO 8601 date or date-time; Taiwan time when it has no offset. Empty: unknown."""
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValidationError("import_date_invalid", field="posted_at") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=TAIPEI)
    value = value.astimezone(UTC)
    now = now or utcnow()
    if value > now + timedelta(hours=1):
        raise ValidationError("import_date_future", field="posted_at")
    if value < EARLIEST:
        raise ValidationError("import_date_invalid", field="posted_at")
    return value


def normalise_text(raw: object, max_chars: int) -> str:
    text = str(raw or "").strip()
    if not text:
        raise ValidationError("empty_comment", field="text")
    if len(text) > max_chars:
        raise ValidationError("comment_too_long", field="text", max=max_chars, length=len(text))
    return text


def check_item(
    data: dict[str, Any],
    *,
    max_chars: int = comments.MAX_COMMENT_CHARS,
    now: datetime | None = None,
) -> tuple[ImportItem | None, list[ValidationError]]:
    """Check every field of one item; all problems at once, so a preview can list them."""
    errors: list[ValidationError] = []
    values: dict[str, Any] = {}
    checks = (
        ("platform", "platform", normalise_platform),
        ("url", "url", normalise_url),
        ("handle", "author", normalise_handle),
        ("posted_at", "posted_at", lambda v: parse_posted_at(v, now)),
        ("text", "text", lambda v: normalise_text(v, max_chars)),
    )
    for name, key, check in checks:
        raw = data.get(key)
        if raw is not None and not isinstance(raw, str):
            errors.append(ValidationError("invalid_field", field=key))
            continue
        try:
            values[name] = check(raw)
        except ValidationError as error:
            errors.append(error)
    if errors:
        return None, errors
    return ImportItem(**values), []


def validate_item(
    data: dict[str, Any],
    *,
    max_chars: int = comments.MAX_COMMENT_CHARS,
    now: datetime | None = None,
) -> ImportItem:
    """The checked item, or the first problem as a ValidationError."""
    item, errors = check_item(data, max_chars=max_chars, now=now)
    if errors:
        raise errors[0]
    assert item is not None
    return item


# ---- pseudonymous participants ----------------------------------------------------------------


def pseudonym_digest(key: bytes, platform: str, handle: str) -> str:
    """HMAC-SHA256 of platform and normalised handle: stable per handle, not reversible
    without the server's key (a plain hash of a public handle could be looked up)."""
    message = f"{platform}\x1f{handle}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def pseudonym(key: bytes, platform: str, handle: str) -> tuple[str, str]:
    """(e-mail, display name) of the pseudonymous participant for this handle."""
    digest = pseudonym_digest(key, platform, handle)
    email = f"{platform}-{digest[:32]}@{IMPORTED_DOMAIN}"
    return email, f"{PLATFORM_NAMES[platform]} 使用者 {digest[:6]}"


def imported_participant(session: Session, key: bytes, platform: str, handle: str) -> User:
    """The pseudonymous participant for this platform and handle, created on first use."""
    email, name = pseudonym(key, platform, handle)
    user = session.scalar(select(User).where(User.email == email))
    if user is not None:
        return user
    user = User(
        email=email,
        display_name=name,
        password_hash=UNUSABLE_PASSWORD,
        role=Role.CITIZEN.value,
        is_active=False,
        origin=platform,
    )
    try:
        with session.begin_nested():  # a concurrent import may create the same one first
            session.add(user)
            session.flush()
    except IntegrityError:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None
    return user


# ---- importing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    comment: Comment
    action: str  # "created", "updated" or "unchanged"


@dataclass(frozen=True)
class _ScreenTarget:
    """What screen_post reads of a thread, with slow mode off: slow mode limits how often a
    person posts *here*; an import replays posts made elsewhere, at times of their own."""

    id: int
    consultation_id: int
    slow_mode_seconds: int = 0


def require_importer(actor: User | None, thread: Thread) -> User:
    refusal = social_rules.import_refusal(actor, thread.consultation, thread.locked)
    if refusal == "not_authenticated":
        raise NotAuthenticated(refusal)
    if refusal is not None:
        raise Forbidden(refusal)
    assert actor is not None
    return actor


def existing_import(session: Session, thread_id: int, platform: str, url: str) -> Comment | None:
    return session.scalar(
        select(Comment).where(
            Comment.thread_id == thread_id,
            Comment.origin_platform == platform,
            Comment.origin_url == url,
        )
    )


def import_item(
    session: Session,
    thread: Thread,
    item: ImportItem,
    *,
    actor: User | None,
    key: bytes,
    now: datetime | None = None,
) -> ImportResult:
    """Import one checked item into a thread, or update the earlier import of the same post."""
    now = now or utcnow()
    actor = require_importer(actor, thread)
    author = imported_participant(session, key, item.platform, item.handle)
    existing = existing_import(session, thread.id, item.platform, item.url)
    if existing is not None:
        return _update(session, existing, item, author, now)
    tokens = tokens_of(item.text)
    target = cast(Thread, _ScreenTarget(thread.id, thread.consultation_id))
    hold = screening.screen_post(session, target, author, item.text, tokens, now)
    comment = comments.insert_comment(
        session,
        thread,
        author=author,
        text=item.text,
        tokens=tokens,
        hold=hold,
        parent=None,
        now=now,
        origin_platform=item.platform,
        origin_url=item.url,
        origin_posted_at=item.posted_at,
        imported_by_id=actor.id,
    )
    return ImportResult(comment, "created")


def _update(
    session: Session, comment: Comment, item: ImportItem, author: User, now: datetime
) -> ImportResult:
    if comment.status == CommentStatus.HIDDEN:
        # A moderator's decision (and any redaction) is not undone by re-importing.
        raise Conflict("import_target_hidden", comment_id=comment.id)
    same_date = item.posted_at is None or item.posted_at == comment.origin_posted_at
    if item.text == comment.body and same_date:
        return ImportResult(comment, "unchanged")
    if not same_date:
        comment.origin_posted_at = item.posted_at
    if item.text != comment.body:
        comments.rewrite_comment(session, comment, item.text, now)
        screen_edit(session, comment, author, now)
    else:  # only the original date changed: still a change to what the thread shows
        record_event(session, comment.thread_id, "comment_edited", comment.id)
        session.flush()
    return ImportResult(comment, "updated")


def import_one(
    session: Session,
    thread: Thread,
    data: dict[str, Any],
    *,
    actor: User | None,
    key: bytes,
    max_chars: int = comments.MAX_COMMENT_CHARS,
    now: datetime | None = None,
) -> ImportResult:
    """The single-item form and API: permission first, then the fields, then the write."""
    now = now or utcnow()
    require_importer(actor, thread)
    item = validate_item(data, max_chars=max_chars, now=now)
    return import_item(session, thread, item, actor=actor, key=key, now=now)


# ---- CSV: preview, then commit -----------------------------------------------------------------


@dataclass
class PreviewRow:
    line: int  # the row's line number in the file (the header is line 1)
    raw: dict[str, str]
    item: ImportItem | None
    errors: list[DomainError] = field(default_factory=list)
    # create / update / unchanged (preview); created / updated / unchanged (commit); "" invalid
    action: str = ""
    author_name: str = ""  # the pseudonym the handle maps to; never the handle
    comment_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    rows: list[PreviewRow]
    committed: bool = False

    @property
    def valid(self) -> int:
        return sum(1 for r in self.rows if r.ok)

    @property
    def invalid(self) -> int:
        return sum(1 for r in self.rows if not r.ok)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.ok and r.action == action)


def decode_upload(data: bytes) -> str:
    """Text of an uploaded CSV: UTF-8 (with or without BOM), else Big5 as Excel in Taiwan saves."""
    for encoding in ("utf-8-sig", "cp950"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("csv_encoding", field="csv")


def parse_csv(text: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row; the header names the columns, in any order."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError("csv_empty", field="csv")
    if len(text) > MAX_CSV_CHARS:
        raise ValidationError("csv_too_large", field="csv", max=MAX_CSV_CHARS)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise ValidationError("csv_empty", field="csv")
        names = [clean_line(h).lower() for h in header]
        missing = [c for c in CSV_COLUMNS if c not in names]
        if missing:
            raise ValidationError("csv_missing_columns", field="csv", columns=", ".join(missing))
        index = {c: names.index(c) for c in CSV_COLUMNS}
        rows: list[tuple[int, dict[str, str]]] = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue  # blank lines
            if len(rows) >= MAX_CSV_ROWS:
                raise ValidationError("csv_too_many_rows", field="csv", max=MAX_CSV_ROWS)
            row = {c: (values[i] if i < len(values) else "") for c, i in index.items()}
            rows.append((reader.line_num, row))
    except csv.Error:
        raise ValidationError("csv_malformed", field="csv", line=reader.line_num) from None
    if not rows:
        raise ValidationError("csv_no_rows", field="csv")
    return rows


def preview_csv(
    session: Session,
    thread: Thread,
    text: str,
    *,
    actor: User | None,
    key: bytes,
    max_chars: int = comments.MAX_COMMENT_CHARS,
    now: datetime | None = None,
) -> ImportReport:
    """Every row checked, and what importing it would do. Reads only; writes nothing."""
    now = now or utcnow()
    require_importer(actor, thread)
    report = ImportReport(rows=[])
    first_line: dict[tuple[str, str], int] = {}
    for line, raw in parse_csv(text):
        item, errors = check_item(raw, max_chars=max_chars, now=now)
        row = PreviewRow(line=line, raw=raw, item=item, errors=list(errors))
        if item is not None:
            ident = (item.platform, item.url)
            if ident in first_line:
                row.errors.append(
                    ValidationError("csv_duplicate_row", field="url", line=first_line[ident])
                )
            else:
                first_line[ident] = line
                row.author_name = pseudonym(key, item.platform, item.handle)[1]
        report.rows.append(row)
    _plan(session, thread, report)
    return report


def _plan(session: Session, thread: Thread, report: ImportReport) -> None:
    """What each valid row would do: create, update or nothing, from one read of the thread."""
    urls = {r.item.url for r in report.rows if r.ok and r.item is not None}
    found: dict[tuple[str, str], Comment] = {}
    url_list = sorted(urls)
    for start in range(0, len(url_list), 500):
        for c in session.scalars(
            select(Comment).where(
                Comment.thread_id == thread.id,
                Comment.origin_platform.is_not(None),
                Comment.origin_url.in_(url_list[start : start + 500]),
            )
        ):
            found[(c.origin_platform or "", c.origin_url or "")] = c
    for row in report.rows:
        if not row.ok or row.item is None:
            continue
        existing = found.get((row.item.platform, row.item.url))
        if existing is None:
            row.action = "create"
            continue
        row.comment_id = existing.id
        if existing.status == CommentStatus.HIDDEN:
            row.errors.append(Conflict("import_target_hidden", comment_id=existing.id))
            continue
        same_date = row.item.posted_at is None or row.item.posted_at == existing.origin_posted_at
        row.action = "unchanged" if row.item.text == existing.body and same_date else "update"


def commit_csv(
    session: Session,
    thread: Thread,
    text: str,
    *,
    actor: User | None,
    key: bytes,
    max_chars: int = comments.MAX_COMMENT_CHARS,
    now: datetime | None = None,
) -> ImportReport:
    """Parse the confirmed text again and import its valid rows, each in its own savepoint:
    a row that fails at write time (e.g. a sanctioned pseudonym) is reported, the rest stand."""
    now = now or utcnow()
    report = preview_csv(session, thread, text, actor=actor, key=key, max_chars=max_chars, now=now)
    for row in report.rows:
        if not row.ok or row.item is None:
            continue
        try:
            with session.begin_nested():
                result = import_item(session, thread, row.item, actor=actor, key=key, now=now)
        except (DomainError, IntegrityError) as error:
            if isinstance(error, IntegrityError):  # a concurrent import of the same post
                error = Conflict("import_conflict")
            row.errors.append(error)
            row.action = ""
            continue
        row.action = result.action
        row.comment_id = result.comment.id
    report.committed = True
    session.flush()
    return report


def imported_origins(session: Session, consultation_id: int) -> dict[int, str]:
    """comment id → platform for every imported comment of a consultation (analysis uses it to
    count imported comments apart)."""
    return {
        cid: platform
        for cid, platform in session.execute(
            select(Comment.id, Comment.origin_platform)
            .join(Thread, Thread.id == Comment.thread_id)
            .where(Thread.consultation_id == consultation_id, Comment.origin_platform.is_not(None))
        )
        if platform is not None
    }
