"""The background job that fetches link previews (submitted by app/links after a commit)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from deliberation.linkfetch import FetchPolicy, LinkFetcher
from deliberation.models import LinkPreview
from deliberation.services import links


def make_fetcher() -> LinkFetcher:
    """A fetcher configured from the app (timeouts, size cap, loopback test hosts)."""
    config = current_app.config
    return LinkFetcher(
        FetchPolicy(
            connect_timeout=float(config.get("LINK_FETCH_CONNECT_TIMEOUT", 3.0)),
            total_timeout=float(config.get("LINK_FETCH_TIMEOUT", 8.0)),
            max_bytes=int(config.get("LINK_FETCH_MAX_BYTES", 1_000_000)),
            max_redirects=int(config.get("LINK_FETCH_MAX_REDIRECTS", 3)),
            allow_hosts=frozenset(config.get("LINK_FETCH_ALLOW_HOSTS") or ()),
        )
    )


def fetch_previews(session: Session, ids: list[int]) -> None:
    """Fetch, clean and store these previews; open pages get a links_ready event per comment.

    The network work happens outside any transaction: a fetch may take seconds, and an open
    transaction would hold the database meanwhile (on SQLite every transaction takes the
    write lock at BEGIN, so the whole site would wait for the slowest linked page).
    """
    ttl = timedelta(hours=int(current_app.config.get("LINK_CACHE_TTL_HOURS", 24 * 7)))
    urls = list(session.scalars(select(LinkPreview.url).where(LinkPreview.id.in_(ids))))
    session.commit()  # nothing written yet: end the read before going to the network
    fetcher = make_fetcher()
    results: dict[str, Any] = {}
    for url in urls:
        try:
            results[url] = fetcher(url)
        except Exception as error:  # stored as a failed card by refresh_previews
            results[url] = error

    def fetched(url: str) -> Any:
        result = results[url] if url in results else fetcher(url)
        if isinstance(result, Exception):
            raise result
        return result

    links.refresh_previews(session, ids, fetched, ttl=ttl)
