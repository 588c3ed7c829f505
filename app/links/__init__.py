"""Link cards and safe embeds (issue 7): wiring only.

- the embed policy (THIRD_PARTY_EMBEDS) for the domain's card serializer;
- the handler of the "links.fetch_previews" follow-up, which the domain declares on the
  after-commit outbox when a comment brings new links: the background fetch
  ("app.links.jobs:fetch_previews"), one job per transaction;
- template helpers for app/templates/links/_cards.html;
- `flask links refresh` for previews left pending (a lost job) or expired;
- `/link-images/<id>`: card images, fetched by the server, served from this site (only for cards
  a visible comment shows), so readers' browsers never contact the third party;
- the production guard: LINK_FETCH_ALLOW_HOSTS (loopback test servers) is refused there.
"""

from __future__ import annotations

import logging
from typing import Any

import click
from flask import Blueprint, Flask, Response, abort, current_app, g, has_app_context
from flask.cli import AppGroup

from deliberation.models import Comment
from deliberation.services import links as service

from .. import outbox
from ..extensions import db
from ..transaction import cli_unit
from .jobs import fetch_previews

log = logging.getLogger(__name__)

JOB = "app.links.jobs:fetch_previews"
FOLLOW_UP = "links.fetch_previews"  # declared by deliberation/services/links.attach
bp = Blueprint("links", __name__)


def init_app(app: Flask) -> None:
    """Register this area's hooks, template helpers and CLI; refuse unsafe production config."""
    if app.config.get("LINK_FETCH_ALLOW_HOSTS") and not app.config.get(
        "LINK_FETCH_ALLOW_HOSTS_PERMITTED", True
    ):
        raise RuntimeError(
            "LINK_FETCH_ALLOW_HOSTS lets the link fetcher reach loopback servers; it is for "
            "tests and local demos only and is refused in production. Unset it."
        )
    if not app.config.get("THIRD_PARTY_EMBEDS", True):
        extra = dict(app.config.get("CSP_EXTRA") or {})
        extra.pop("frame-src", None)  # no third-party frames at all
        app.config["CSP_EXTRA"] = extra
    service.set_embed_policy(_embeds_enabled)
    outbox.register(app, FOLLOW_UP, JOB, merge=True)
    app.jinja_env.globals.update(link_cards=_cards_for, links_assets_once=_assets_once)
    app.cli.add_command(_cli)
    app.register_blueprint(bp)


@bp.get("/link-images/<int:preview_id>")
def card_image(preview_id: int) -> Response:
    preview = service.public_image(db.session, preview_id)
    if preview is None or preview.image_data is None:
        abort(404)
    response = Response(preview.image_data, mimetype=preview.image_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = 'inline; filename="link-card"'
    response.cache_control.public = True
    response.cache_control.max_age = 86400  # the URL changes (?v=) when the card is refetched
    return response


def _embeds_enabled() -> bool:
    if not has_app_context():
        return True
    return bool(current_app.config.get("THIRD_PARTY_EMBEDS", True))


def _cards_for(comment: Comment) -> list[dict[str, Any]]:
    return service.cards_of(comment)


def _assets_once() -> bool:
    """True the first time a page asks: the cards' stylesheet is linked once per page."""
    if g.get("_links_assets"):
        return False
    g._links_assets = True
    return True


_cli = AppGroup("links", help="Link cards.")


@_cli.command("refresh")
@click.option("--limit", default=500, show_default=True)
@cli_unit
def refresh(limit: int) -> None:
    """Fetch the link previews that are still pending or have expired."""
    ids = service.pending_previews(db.session, limit=limit)
    fetch_previews(db.session, ids)
    click.echo(f"{len(ids)} previews refreshed")
