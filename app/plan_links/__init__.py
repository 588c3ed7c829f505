"""Link requests between agencies (issue 17): the page where a consultation's agency accepts or
declines a plan's request to link it, and the same in the JSON API."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from ..errors import MESSAGES

bp = Blueprint("plan_links", __name__)
api_bp = Blueprint("plan_links_api", __name__)

MESSAGES.update(
    {
        "link_request_not_found": _l("That link request does not exist."),
        "link_request_forbidden": _l(
            "Only staff of the consultation's agency can accept or decline this request."
        ),
        "link_request_decided": _l("This request was already answered (%(state)s)."),
    }
)


def init_app(app: Flask) -> None:
    """Register the pages and the API."""
    from . import api, routes  # noqa: F401  (the routes register themselves)

    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
