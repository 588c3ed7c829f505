"""Read-endpoint conventions of /api/v1 (issue 19): conditional GETs, caching, CORS, cursors.

- Every 200 JSON answer to a GET carries a weak ETag over its body; If-None-Match with it gives
  a 304 with no body. Answers to a caller with credentials are `Cache-Control: private`; all
  vary on Cookie and Authorization, so no shared cache hands one user's answer to another.
- CORS for public reads only: a GET of a route anonymous may read (`@operation(public=True)`)
  gets `Access-Control-Allow-Origin` for the origins in `API_CORS_ORIGINS` ("*" by default);
  never `Access-Control-Allow-Credentials`, never for writes or private routes.
- Cursor pagination: `page_of(...)` takes `limit` and an opaque signed `cursor`, and answers
  `next_cursor` in the body plus `Link: <...>; rel="next"`.
- Rate limits: Flask-Limiter writes X-RateLimit-Limit/-Remaining/-Reset on every limited
  route (RATELIMIT_HEADERS_ENABLED); a 429 adds Retry-After (app/errors.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, jsonify, request
from itsdangerous import BadSignature, URLSafeSerializer

from deliberation.errors import ValidationError

from ..params import int_arg
from ..security import bearer_token, current_actor
from .operation import current_operation

API = "/api/"
EXPOSED = "ETag, Link, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After"


def _cursor_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="api-cursor")


def encode_cursor(position: Any) -> str:
    """An opaque, signed cursor for a position in a list (the last item's sort key)."""
    return _cursor_serializer().dumps(position)


def decode_cursor(name: str = "cursor") -> Any:
    """The position a `cursor` parameter carries, or None; a forged one is invalid_parameter."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return _cursor_serializer().loads(raw)
    except (BadSignature, ValueError, UnicodeError):
        raise ValidationError("invalid_parameter", field=name) from None


def page_limit(default: int = 100) -> int:
    """`limit`: 1 to API_MAX_LIMIT (an empty one reads as the default)."""
    return int_arg(
        "limit", default, low=1, high=current_app.config["API_MAX_LIMIT"], default_if="empty"
    )


def next_link(response: Response, next_cursor: str | None) -> Response:
    """Add `Link: <this URL with cursor=next>; rel="next"` when there is a next page."""
    if next_cursor is not None:
        args = request.args.to_dict(flat=False)
        args["cursor"] = [next_cursor]
        url = request.base_url + "?" + urlencode(args, doseq=True)
        response.headers.add("Link", f'<{url}>; rel="next"')
    return response


def keyset_page(
    items: Sequence[Any], key: Callable[[Any], list[Any]], *, default: int = 100
) -> tuple[list[Any], str | None]:
    """One page of a list in ascending `key` order: the items after the `cursor`'s key, at most
    `limit` of them, and the next page's cursor (None at the end). A new item never shifts a
    page: the cursor names where the last page ended, not how many came before."""
    after = decode_cursor()
    limit = page_limit(default)
    if after is not None:
        if not isinstance(after, list):
            raise ValidationError("invalid_parameter", field="cursor")
        items = [item for item in items if key(item) > after]
    page = list(items[:limit])
    more = len(items) > limit
    return page, (encode_cursor(key(page[-1])) if more and page else None)


def cursor_page(default: int = 1) -> int:
    """For lists numbered by page: the page the `cursor` names (else `page`, else the first)."""
    after = decode_cursor()
    if after is None:
        return default
    if not isinstance(after, dict) or not isinstance(after.get("page"), int):
        raise ValidationError("invalid_parameter", field="cursor")
    return max(1, after["page"])


def next_page_cursor(page: int, pages: int) -> str | None:
    return encode_cursor({"page": page + 1}) if page < pages else None


def paged(body: dict[str, Any], next_cursor: str | None) -> Response:
    """The JSON answer of a page: `next_cursor` in the body and a `Link: rel="next"` header."""
    body["next_cursor"] = next_cursor
    return next_link(jsonify(body), next_cursor)


def _has_credentials() -> bool:
    return bearer_token() is not None or current_actor() is not None


def conditional(response: Response) -> Response:
    """ETag, caching and CORS for /api/ answers."""
    if not request.path.startswith(API):
        return response
    if request.method in ("GET", "HEAD"):
        response.vary.update(("Cookie", "Authorization"))
        if _has_credentials():
            response.cache_control.private = True
            response.cache_control.public = False
            response.cache_control.no_cache = True
        elif "Cache-Control" not in response.headers:
            response.cache_control.no_cache = True
        if (
            response.status_code == 200
            and response.mimetype == "application/json"
            and not response.direct_passthrough
            and not response.is_streamed
        ):
            if "ETag" not in response.headers:
                response.add_etag(weak=True)
            response.make_conditional(request)
        _cors(response)
    return response


def _cors(response: Response) -> None:
    op = current_operation()
    if op is None or not op.public:
        return
    origin = request.headers.get("Origin")
    allowed = current_app.config.get("API_CORS_ORIGINS") or ()
    if isinstance(allowed, str):
        allowed = [o.strip() for o in allowed.split(",") if o.strip()]
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin and origin in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
    else:
        return
    response.headers["Access-Control-Expose-Headers"] = EXPOSED


def init_app(app: Flask) -> None:
    app.after_request(conditional)
