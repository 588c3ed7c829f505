"""The search results page."""

from __future__ import annotations

from flask import render_template, request

from deliberation.errors import ValidationError
from deliberation.sanitize import plain_text
from deliberation.search import queries
from deliberation.search.rules import highlight

from ..errors import message_for, status_for
from ..extensions import db
from ..params import int_arg
from ..security import current_actor
from . import bp


@bp.get("/search")
def results():
    """搜尋: consultations, sections and comments holding every word of `q`."""
    q = request.args.get("q", "")
    page = int_arg("page", 1, low=1, high=10_000)
    if not q.strip():
        return render_template("search/results.html", q="", found=None, error=None)
    try:
        found = queries.search(db.session, q, viewer=current_actor(), page=page)
    except ValidationError as error:
        message = message_for(error.code, **error.params)
        return render_template("search/results.html", q=q, found=None, error=message), status_for(
            error
        )
    return render_template(
        "search/results.html",
        q=found.q,
        found=found,
        error=None,
        highlight=highlight,
        plain_text=plain_text,
    )
