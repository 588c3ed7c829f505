"""The background job that fetches link previews (submitted by app/links after a commit)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy.orm import Session

from deliberation.linkfetch import FetchPolicy, LinkFetcher
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
    """Fetch, clean and store these previews; open pages get a links_ready event per comment."""
    ttl = timedelta(hours=int(current_app.config.get("LINK_CACHE_TTL_HOURS", 24 * 7)))
    links.refresh_previews(session, ids, make_fetcher(), ttl=ttl)
