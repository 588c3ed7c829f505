"""The OpenAPI 3.1 document of /api/v1, built from the routes' `operation` declarations.

Walks `app.url_map`: every /api/v1 rule, its path parameters from the rule's converters, its
query, body and response models from `@operation(...)`. apispec assembles the document; pydantic
writes the JSON Schemas (2020-12, which is what OpenAPI 3.1 uses). A route without a declaration
is listed by `undocumented(app)` (a test fails on it) and left out of the document.
"""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug.routing import Rule

from ..extensions import limiter
from ..params import MAX_ID
from .operation import Operation, operation_of
from .schemas import ErrorResponse

PREFIX = "/api/v1"
METHODS = ("get", "put", "post", "patch", "delete")
REF = "#/components/schemas/{model}"

TAGS = {
    "consultations": "Consultations, their sections and threads",
    "comments": "Comments, votes and thread events",
    "moderation": "Flags, appeals, the moderation queue, actions and log",
    "analysis": "Analysis runs and themes",
    "plans": "Plans, reviews and theme responses",
    "outcome": "The outcome of a plan (政策溝通成效)",
    "focus-groups": "The focus-group lottery",
    "polls": "Quick polls (民調): answers, raw and weighted results",
    "webhooks": "Agencies' webhooks and their delivery log",
    "attachments": "Files attached to a consultation",
    "notifications": "Notifications and follows",
    "search": "Search",
    "open-data": "Open-data datasets",
    "social": "Imports from other platforms and participation figures",
    "polis": "Polis-format import and export",
    "plan-links": "Requests to link another agency's consultation to a plan",
    "accounts": "The caller's own data",
    "admin": "Administrators: sessions and API tokens of accounts",
    "meta": "This document",
}

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted: queued",
    204: "No content",
    304: "Not modified (If-None-Match matched the ETag)",
    400: "Bad request: `invalid_json`, `invalid_field`, `invalid_parameter` or a domain code",
    401: "Not authenticated: no (or a bad) session or bearer token",
    403: "Forbidden: the caller's role may not do this",
    404: "Not found (or not visible to the caller)",
    409: "Conflict with the current state",
    413: "The upload is too large",
    429: "Too many requests: see Retry-After",
}

RATE_HEADERS = {
    "X-RateLimit-Limit": "Requests allowed in the current window",
    "X-RateLimit-Remaining": "Requests left in the current window",
    "X-RateLimit-Reset": "When the window resets (Unix time)",
}

_RULE_PART = re.compile(r"<(?:(?P<conv>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def openapi_path(rule: Rule) -> str:
    return _RULE_PART.sub(lambda m: "{" + m.group("name") + "}", rule.rule)


def path_parameters(rule: Rule) -> list[dict[str, Any]]:
    out = []
    for m in _RULE_PART.finditer(rule.rule):
        conv, args = m.group("conv"), m.group("args")
        schema: dict[str, Any]
        if conv == "int":
            schema = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
        elif conv == "any":
            schema = {"type": "string", "enum": [a.strip() for a in (args or "").split(",")]}
        else:
            # A path segment: no slash, never empty.
            schema = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
        out.append({"name": m.group("name"), "in": "path", "required": True, "schema": schema})
    return out


def rate_limited(view: Any) -> bool:
    """Whether a `@limiter.limit` decorates this view (so it may answer 429, with the headers)."""
    prefix = f"{view.__module__}.{view.__qualname__}."
    return any(key.startswith(prefix) for key in limiter.limit_manager._decorated_limits)


def api_rules(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.rule.startswith(PREFIX + "/")),
        key=lambda r: (r.rule, r.endpoint),
    )


def undocumented(app: Flask) -> list[str]:
    """The /api/v1 rules whose view declares no `operation`."""
    return [
        f"{r.rule} ({r.endpoint})"
        for r in api_rules(app)
        if operation_of(app.view_functions.get(r.endpoint)) is None
    ]


def _models(ops: list[Operation]) -> list[type[BaseModel]]:
    seen: dict[type[BaseModel], None] = {ErrorResponse: None}
    for op in ops:
        for model in (op.body, *op.responses.values()):
            if isinstance(model, type) and issubclass(model, BaseModel):
                seen[model] = None
    return list(seen)


def _query_parameters(model: type[BaseModel] | None) -> list[dict[str, Any]]:
    if model is None:
        return []
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        out.append(param)
    return out


def _response(status: int, model: Any, op: Operation, limited: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"description": STATUS_TEXT.get(status, "")}
    if isinstance(model, type) and issubclass(model, BaseModel):
        out["content"] = {
            "application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}
        }
        doc = (model.__doc__ or "").strip().splitlines()
        if doc and status < 300:
            out["description"] = doc[0]
    elif isinstance(model, dict):
        out.update(model)  # a non-JSON answer described as is (a zip, a CSV)
    headers: dict[str, Any] = {}
    if limited:
        headers.update(
            {
                name: {"description": text, "schema": {"type": "integer"}}
                for name, text in RATE_HEADERS.items()
            }
        )
    if status == 429:
        headers["Retry-After"] = {
            "description": "Seconds until a request is let through again",
            "schema": {"type": "integer"},
        }
    headers.update(op.headers.get(status, {}))
    if headers:
        out["headers"] = headers
    return out


def _words(endpoint: str) -> str:
    """A summary from the view's name: "trust_api.revoke_sessions" -> "Revoke sessions"."""
    return endpoint.rpartition(".")[2].replace("_", " ").capitalize()


def _operation(app: Flask, rule: Rule, method: str, op: Operation, view: Any) -> dict[str, Any]:
    doc = (view.__doc__ or "").strip()
    limited = rate_limited(view)
    operation: dict[str, Any] = {
        "operationId": rule.endpoint.replace(".", "_") + ("" if method != "head" else "_head"),
        "tags": [op.tag],
        "summary": op.summary or (doc.splitlines()[0] if doc else _words(rule.endpoint)),
        "parameters": path_parameters(rule) + _query_parameters(op.query),
        "responses": {},
    }
    if doc:
        operation["description"] = doc
    if not operation["parameters"]:
        del operation["parameters"]
    if op.body is not None:
        operation["requestBody"] = {
            "required": op.body_required,
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model=op.body.__name__)}}
            },
        }
    elif op.form is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": dict(op.form)}},
        }
    statuses = op.statuses() + ([429] if limited and 429 not in op.statuses() else [])
    for status in sorted(statuses):
        model = op.responses.get(status, ErrorResponse if status >= 400 else None)
        operation["responses"][str(status)] = _response(status, model, op, limited)
    if method == "get":
        operation["responses"]["304"] = {"description": STATUS_TEXT[304]}
    # Anonymous callers (no credentials) are allowed where the route is public.
    security: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
    operation["security"] = ([{}] if op.public else []) + security
    return operation


def build(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every documented /api/v1 route."""
    spec = APISpec(
        title="眾議 Zhongyi API",
        version="1",
        openapi_version="3.1.0",
        info={
            "description": (
                'The JSON API of 眾議 Zhongyi. Errors are `{"error": {"code", "message", '
                '"field"?}}`. Lists that can grow are paginated with `limit` and an opaque '
                '`cursor` (`next_cursor` in the body, `Link: rel="next"`). GET answers carry an '
                "ETag; send it back in If-None-Match for a 304. See docs/api.md."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
    )
    spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "An API token (zy_…)"}
    )
    spec.components.security_scheme(
        "session",
        {
            "type": "apiKey",
            "in": "cookie",
            "name": app.config.get("SESSION_COOKIE_NAME", "session"),
            "description": "A logged-in browser session; writes also need the X-CSRFToken header",
        },
    )
    ops: list[tuple[Rule, str, Operation, Any]] = []
    for rule in api_rules(app):
        view = app.view_functions.get(rule.endpoint)
        op = operation_of(view)
        if op is None:
            continue
        for method in METHODS:
            if method.upper() in (rule.methods or ()):
                ops.append((rule, method, op, view))
    _, defs = models_json_schema(
        [(m, "validation") for m in _models([o for _r, _m, o, _v in ops])], ref_template=REF
    )
    for name, schema in sorted(defs.get("$defs", {}).items()):
        spec.components.schema(name, schema)
    used_tags = sorted({op.tag for _r, _m, op, _v in ops})
    for tag in used_tags:
        spec.tag({"name": tag, "description": TAGS.get(tag, tag)})
    paths: dict[str, dict[str, Any]] = {}
    for rule, method, op, view in ops:
        paths.setdefault(openapi_path(rule), {})[method] = _operation(app, rule, method, op, view)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
