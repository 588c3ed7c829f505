"""Link cards: the URLs of a comment, their shared previews, and filling them in.

On post and edit, `attach` reads the links of the comment's *sanitized* HTML (so only what the
sanitizer let through as an http(s) link counts), reuses or creates one `LinkPreview` per URL
(pending until fetched, or expired) and records the comment's `CommentLink` rows in order.
The ids of previews that need a fetch are declared on the after-commit outbox
("links.fetch_previews"); the web layer runs a background job for them after the commit
(app/links), and the job calls
`refresh_previews`, which stores the cleaned result and records a ``links_ready`` thread event
for every comment showing those previews, so open pages fill the card in live.

Reading: `preload(session, comments)` loads the cards of many comments in one query and keeps
them on each comment; `cards_of(comment)` returns them (querying for that one comment if they
were not preloaded). The card shape is the API's ``links`` item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bs4 import BeautifulSoup
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session, undefer

from .. import embeds
from ..linkfetch import sniff_image
from ..models import Comment, CommentLink, CommentStatus, LinkPreview, LinkStatus, utcnow
from ..outbox import after_commit
from ..sanitize import clean_line
from .threadlog import record_event

MAX_LINKS = 5  # cards per comment; further links stay plain links
MAX_URL = 2048
READY_TTL = timedelta(days=7)
FAILED_TTL = timedelta(hours=6)
_CARDS_ATTR = "_zhongyi_link_cards"  # preloaded cards kept on a Comment instance

# Whether third-party embeds are shown at all; the web app installs a function reading its
# config (THIRD_PARTY_EMBEDS), so agencies that must can turn them off site-wide.
_embeds_enabled: Callable[[], bool] = lambda: True  # noqa: E731


def set_embed_policy(policy: Callable[[], bool]) -> None:
    """Install the function that says whether embeds are on (read at every use)."""
    global _embeds_enabled
    _embeds_enabled = policy


def embeds_enabled() -> bool:
    return bool(_embeds_enabled())


# ---- finding links ---------------------------------------------------------------------------


def normalise(url: str) -> str | None:
    """The URL as stored: http(s) only, lower-case scheme and host, no fragment; else None."""
    url = (url or "").strip()
    if len(url) > MAX_URL:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not host or parts.username or parts.password:
        return None
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    netloc = f"[{host}]" if ":" in host else host.lower()
    if port is not None and port != (443 if scheme == "https" else 80):
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def extract_urls(html: str, limit: int = MAX_LINKS) -> list[str]:
    """The distinct http(s) links of sanitized comment HTML, in order of appearance."""
    found: list[str] = []
    for anchor in BeautifulSoup(html or "", "html.parser").find_all("a", href=True):
        href = anchor.get("href")
        url = normalise(href if isinstance(href, str) else "")
        if url and url not in found:
            found.append(url)
            if len(found) >= limit:
                break
    return found


def _needs_fetch(preview: LinkPreview, now: datetime) -> bool:
    if preview.status == LinkStatus.PENDING:
        return True
    return preview.expires_at is None or preview.expires_at <= now


def _preview_for(session: Session, url: str) -> LinkPreview:
    preview = session.scalar(select(LinkPreview).where(LinkPreview.url == url))
    if preview is not None:
        return preview
    found = embeds.match(url)
    preview = LinkPreview(
        url=url,
        status=LinkStatus.PENDING.value,
        provider=found.provider if found else "",
        embed=found.embed if found else None,
    )
    try:
        with session.begin_nested():  # another comment may add the same URL at the same time
            session.add(preview)
    except IntegrityError:
        preview = session.scalars(select(LinkPreview).where(LinkPreview.url == url)).one()
    return preview


def attach(session: Session, comment: Comment, *, now: datetime | None = None) -> list[int]:
    """(Re)link a comment's URLs to previews; returns the ids of previews that need a fetch."""
    now = now or utcnow()
    urls = extract_urls(comment.html)
    existing = list(
        session.scalars(
            select(CommentLink)
            .where(CommentLink.comment_id == comment.id)
            .order_by(CommentLink.position)
        )
    )
    if [link.preview.url for link in existing] == urls:
        return []
    if existing:
        session.execute(delete(CommentLink).where(CommentLink.comment_id == comment.id))
        session.flush()
    to_fetch: list[int] = []
    for position, url in enumerate(urls):
        preview = _preview_for(session, url)
        session.add(CommentLink(comment_id=comment.id, preview_id=preview.id, position=position))
        if _needs_fetch(preview, now):
            to_fetch.append(preview.id)
    session.flush()
    if hasattr(comment, _CARDS_ATTR):
        delattr(comment, _CARDS_ATTR)
    if to_fetch:
        after_commit(session, "links.fetch_previews", to_fetch)
    return to_fetch


# ---- filling previews in ---------------------------------------------------------------------


def _https_image(url: str) -> str:
    url = clean_line(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme != "https" or not parts.hostname or len(url) > MAX_URL:
        return ""
    if any(ch in url for ch in "\"'<>\\ "):
        return ""
    return url


def _store(preview: LinkPreview, meta: Any, now: datetime, ttl: timedelta) -> None:
    preview.title = clean_line(meta.title)[:300]
    preview.site_name = clean_line(meta.site_name)[:120]
    preview.description = clean_line(meta.description)[:500]
    preview.image = _https_image(meta.image)
    data = getattr(meta, "image_data", b"") or b""
    kind = getattr(meta, "image_type", "") or ""
    if preview.image and data and sniff_image(data) == kind:  # any fetcher's result is checked
        preview.image_type, preview.image_data = kind, data
    else:
        preview.image_type, preview.image_data = "", None
    if not preview.embed:
        # A short link (fb.watch, a news site's redirect) may land on an embeddable address.
        final = normalise(getattr(meta, "url", "") or "")
        found = embeds.match(final) if final else None
        if found is not None:
            preview.provider = preview.provider or found.provider
            preview.embed = found.embed
    preview.status = LinkStatus.READY.value
    preview.error = ""
    preview.fetched_at = now
    preview.expires_at = now + ttl


def refresh_previews(
    session: Session,
    preview_ids: Iterable[int],
    fetcher: Callable[[str], Any],
    *,
    now: datetime | None = None,
    ttl: timedelta = READY_TTL,
) -> list[int]:
    """Fetch and store these previews; record `links_ready` for each comment showing them.

    `fetcher(url)` returns an object with url, title, site_name, description and image, or
    raises an exception with a `code` (deliberation.linkfetch.FetchError). Every field is
    cleaned here; the image is kept only if it is https. Returns the ids of affected comments.
    """
    now = now or utcnow()
    ids = sorted(set(preview_ids))
    if not ids:
        return []
    changed: list[int] = []
    for preview in session.scalars(select(LinkPreview).where(LinkPreview.id.in_(ids))):
        if not _needs_fetch(preview, now):
            continue  # another job got there first
        try:
            meta = fetcher(preview.url)
        except Exception as error:  # refused, unreachable, or no metadata: a bare link
            preview.status = LinkStatus.FAILED.value
            preview.error = clean_line(str(getattr(error, "code", "") or type(error).__name__))[
                :200
            ]
            preview.fetched_at = now
            preview.expires_at = now + FAILED_TTL
        else:
            _store(preview, meta, now, ttl)
        changed.append(preview.id)
    session.flush()
    if not changed:
        return []
    rows = session.execute(
        select(Comment.id, Comment.thread_id)
        .join(CommentLink, CommentLink.comment_id == Comment.id)
        .where(CommentLink.preview_id.in_(changed))
        .distinct()
        .order_by(Comment.thread_id, Comment.id)
    ).all()
    for comment_id, thread_id in rows:
        record_event(session, thread_id, "links_ready", comment_id)
    session.flush()
    return [comment_id for comment_id, _ in rows]


def pending_previews(
    session: Session, *, now: datetime | None = None, limit: int = 500
) -> list[int]:
    """Ids of previews still pending or expired (a lost job, a restart): for a re-run."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(LinkPreview.id)
            .where(
                (LinkPreview.status == LinkStatus.PENDING.value) | (LinkPreview.expires_at <= now)
            )
            .order_by(LinkPreview.id)
            .limit(limit)
        )
    )


# ---- reading cards ---------------------------------------------------------------------------


def image_path(preview: LinkPreview) -> str:
    """Where this site serves the card's image ("" without one); changes when it is refetched."""
    if not preview.image_type or preview.fetched_at is None:
        return ""
    return f"/link-images/{preview.id}?v={int(preview.fetched_at.timestamp())}"


def public_image(session: Session, preview_id: int) -> LinkPreview | None:
    """The preview whose stored image may be served: one a visible comment links to."""
    shown = (
        select(CommentLink.preview_id)
        .join(Comment, Comment.id == CommentLink.comment_id)
        .where(CommentLink.preview_id == preview_id, Comment.status == CommentStatus.VISIBLE)
        .limit(1)
    )
    preview = session.scalar(
        select(LinkPreview)
        .where(LinkPreview.id == preview_id, LinkPreview.id.in_(shown))
        .options(undefer(LinkPreview.image_data))
    )
    if preview is None or not preview.image_type or not preview.image_data:
        return None
    return preview


def card(preview: LinkPreview, *, with_embed: bool | None = None) -> dict[str, Any]:
    """One `links` item: what the API gives and the templates render (all fields plain text)."""
    if with_embed is None:
        with_embed = embeds_enabled()
    embed = None
    if with_embed and preview.embed:
        src = embeds.embed_src(preview.embed)
        if src is not None:
            embed = {**preview.embed, "src": src}
    return {
        "url": preview.url,
        "status": preview.status,
        "title": preview.title,
        "site_name": preview.site_name or (urlsplit(preview.url).hostname or ""),
        "description": preview.description,
        "image": image_path(preview),
        "provider": preview.provider,
        "embed": embed,
    }


def preload(session: Session, comments: Sequence[Comment]) -> None:
    """Load the cards of these comments in one query and keep them on each comment."""
    if not comments:
        return
    ids = [c.id for c in comments]
    rows = session.execute(
        select(CommentLink.comment_id, LinkPreview)
        .join(LinkPreview, LinkPreview.id == CommentLink.preview_id)
        .where(CommentLink.comment_id.in_(ids))
        .order_by(CommentLink.comment_id, CommentLink.position)
    ).all()
    with_embed = embeds_enabled()
    by_comment: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for comment_id, preview in rows:
        by_comment[comment_id].append(card(preview, with_embed=with_embed))
    for comment in comments:
        setattr(comment, _CARDS_ATTR, by_comment[comment.id])


def cards_of(comment: Comment) -> list[dict[str, Any]]:
    """The comment's cards in link order (preloaded, or read now for this one comment)."""
    cards = getattr(comment, _CARDS_ATTR, None)
    if cards is not None:
        return list(cards)
    session = object_session(comment)
    if session is None or comment.id is None:
        return []
    preload(session, [comment])
    return list(getattr(comment, _CARDS_ATTR, []))
