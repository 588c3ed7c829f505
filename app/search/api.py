"""GET /api/v1/search?q=&page=: the same search as the page, as JSON."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for

from deliberation.sanitize import plain_text
from deliberation.search import queries
from deliberation.search.rules import Segment, highlight

from ..extensions import db
from ..openapi.operation import operation
from ..params import int_arg
from ..security import current_actor
from . import api_bp
from . import schemas as sc


def _snippet(pieces: list[Segment]) -> list[dict[str, Any]]:
    return [{"text": text, "match": match} for text, match in pieces]


@api_bp.get("/search")
@operation("search", query=sc.SearchQuery, responses={200: sc.SearchResults}, public=True)
def search():
    found = queries.search(
        db.session,
        request.args.get("q", ""),
        viewer=current_actor(),
        page=int_arg("page", 1, low=1, high=10_000),
    )
    terms = found.terms
    return jsonify(
        {
            "q": found.q,
            "terms": terms,
            "consultations": [
                {
                    "id": c.id,
                    "title": c.title,
                    "agency": c.agency.name,
                    "status": c.status,
                    "url": url_for("consultations.consultation", consultation_id=c.id),
                    "snippet": _snippet(highlight(f"{c.summary} {plain_text(c.body_html)}", terms)),
                }
                for c in found.consultations
            ],
            "sections": [
                {
                    "id": s.id,
                    "title": s.title,
                    "consultation_id": s.consultation_id,
                    "url": url_for("consultations.thread", thread_id=s.thread.id)
                    if s.thread
                    else url_for("consultations.consultation", consultation_id=s.consultation_id),
                    "snippet": _snippet(highlight(plain_text(s.body_html), terms)),
                }
                for s in found.sections
            ],
            "comments": {
                "items": [
                    {
                        "id": c.id,
                        "thread_id": c.thread_id,
                        "consultation_id": c.thread.consultation_id,
                        "consultation_title": c.thread.consultation.title,
                        "author": c.author.display_name,
                        "created_at": c.created_at.isoformat(),
                        "url": url_for("consultations.comment", comment_id=c.id) + f"#c{c.id}",
                        "snippet": _snippet(highlight(plain_text(c.html), terms)),
                    }
                    for c in found.comments
                ],
                "total": found.total,
                "more": found.more,
                "page": found.page,
                "pages": found.pages,
            },
        }
    )
