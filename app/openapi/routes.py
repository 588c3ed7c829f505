"""GET /api/v1/openapi.json and GET /api/docs."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, render_template, url_for

from . import bp
from .document import build
from .operation import Out, operation


class OpenAPIDocument(Out):
    """The OpenAPI 3.1 document of this API."""

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


def document_bytes() -> bytes:
    """The document, built once per app (the routes do not change while it runs)."""
    cached = current_app.extensions.get("zhongyi_openapi")
    if cached is None:
        cached = json.dumps(build(current_app), ensure_ascii=False, sort_keys=True).encode()
        current_app.extensions["zhongyi_openapi"] = cached
    return cached


@bp.get("/api/v1/openapi.json")
@operation("meta", responses={200: OpenAPIDocument}, public=True)
def document():
    """The OpenAPI 3.1 document of every /api/v1 route."""
    response = Response(document_bytes(), mimetype="application/json")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/api/docs")
def docs_page():
    """The document, browsable (Swagger UI, vendored)."""
    return render_template("openapi/docs.html", spec_url=url_for("openapi.document"))
