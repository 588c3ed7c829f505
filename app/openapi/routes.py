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


def reference(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The document as the page lists it: tags, each with its operations."""
    by_tag: dict[str, list[dict[str, Any]]] = {}
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            body = op.get("requestBody", {}).get("content", {})
            by_tag.setdefault(op["tags"][0], []).append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "parameters": op.get("parameters", []),
                    "body": ", ".join(body),
                    "responses": [
                        (k, v.get("description", "")) for k, v in op["responses"].items()
                    ],
                    "public": {} in op.get("security", []),
                }
            )
    return [
        {
            "name": t["name"],
            "description": t.get("description", ""),
            "operations": by_tag[t["name"]],
        }
        for t in document.get("tags", [])
        if t["name"] in by_tag
    ]


@bp.get("/api/docs")
def docs_page():
    """The document, browsable: a server-rendered reference, and Swagger UI on request."""
    return render_template(
        "openapi/docs.html",
        spec_url=url_for("openapi.document"),
        tags=reference(json.loads(document_bytes())),
    )
