"""Request parameters, in one place: the JSON body and its fields, query-string integers, ids in
paths, and what no request may carry at all.

Every parser raises `ValidationError` with the codes the API documents (`invalid_json`,
`invalid_field`, `invalid_parameter`); app/errors.py turns them into 400 responses. `init_app`
installs the checks every request gets before a view runs (issue 17): ids in paths fit the
database's integer (larger ones are a 404, like any id that does not exist), no text parameter
carries a NUL byte, and the JSON loader refuses NUL bytes, lone surrogates, integers beyond 64
bits and nesting deeper than `MAX_JSON_DEPTH` — none of which a database column can take.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any, Literal, overload

from flask import Flask, current_app, g, request
from flask.json.provider import DefaultJSONProvider
from pydantic import ValidationError as SchemaError
from werkzeug.routing import IntegerConverter

from deliberation.errors import ValidationError

MAX_ID = 2**31 - 1  # PostgreSQL `integer`: every id column and every count we store
MAX_BIG = 2**63 - 1  # PostgreSQL `bigint`: the largest number any JSON field may carry
MAX_JSON_DEPTH = 32
# Dates outside these years cannot be converted between time zones (year 1 at UTC+8 is year 0).
MIN_YEAR, MAX_YEAR = 1900, 9998


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: 0 to MAX_ID; a larger number matches nothing (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def _bad_text(value: str) -> bool:
    """NUL bytes and lone surrogates: no database text column stores them."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_json(value: Any) -> None:
    """Walk a parsed JSON value without recursion; ValueError for anything unstorable."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError("JSON nested too deeply")
        if isinstance(item, str):
            if _bad_text(item):
                raise ValueError("NUL byte or lone surrogate in JSON text")
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not -MAX_BIG - 1 <= item <= MAX_BIG:
                raise ValueError("JSON integer out of range")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise ValueError("JSON number out of range")
        elif isinstance(item, dict):
            for key, child in item.items():
                stack.append((key, depth + 1))
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


class RequestJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with a loader that turns unstorable input into a ValueError (which
    `request.get_json(silent=True)` reads as "no JSON": `invalid_json`, 400) instead of a
    RecursionError or a database error later (500)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        _check_json(value)
        return value


def reject_bad_parameters() -> None:
    """Before every view: no NUL byte (or lone surrogate) in the query string, a form field or a
    path segment — 400 `invalid_parameter` naming it, as for any other bad parameter."""
    sources = [request.args]
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sources.append(request.form)
    for source in sources:
        for key, value in source.items(multi=True):
            if _bad_text(key) or _bad_text(value):
                raise ValidationError("invalid_parameter", field=key if not _bad_text(key) else "?")
    for key, value in (request.view_args or {}).items():
        if isinstance(value, str) and _bad_text(value):
            raise ValidationError("invalid_parameter", field=key)


def check_datetime(value: datetime, field: str) -> datetime:
    """A date the site can store and show in any time zone (years 1900-9998), else invalid_date."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError("invalid_date", field=field)
    return value


def init_app(app: Flask) -> None:
    """Install the request checks (call before any blueprint is registered: the converter)."""
    app.url_map.converters["int"] = IdConverter
    app.json = RequestJSONProvider(app)
    app.before_request(reject_bad_parameters)


def _declared(part: str) -> Any:
    """The current route's `@operation` model for "body" or "query" (app/openapi), or None."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(getattr(view, "__api_operation__", None), part, None)


def _first_field(error: SchemaError) -> str:
    for item in error.errors():
        if item.get("loc"):
            return str(item["loc"][0])
    return "?"


def check_body(data: dict[str, Any]) -> None:
    """Validate a JSON object against the route's declared body model: `invalid_field` naming
    the first field that does not fit (the OpenAPI document publishes the same model)."""
    model = _declared("body")
    if model is None:
        return
    try:
        model.model_validate(data)
    except SchemaError as error:
        raise ValidationError("invalid_field", field=_first_field(error)) from None


def check_query() -> None:
    """Validate the query string against the route's declared query model, once a request:
    `invalid_parameter` naming the parameter. Empty values read as absent here; `int_arg`
    decides whether an empty one is its default or invalid (with the same code)."""
    if g.get("_query_checked"):
        return
    g._query_checked = True
    model = _declared("query")
    if model is None:
        return
    raw = {key: value.strip() for key, value in request.args.items() if value.strip()}
    try:
        model.model_validate(raw)
    except SchemaError as error:
        raise ValidationError("invalid_parameter", field=_first_field(error)) from None


def json_body(*, optional: bool = False) -> dict[str, Any]:
    """The request's JSON object, or `invalid_json`; with `optional`, an empty body reads as {}.
    Checked against the route's declared body model (`check_body`)."""
    data = request.get_json(silent=True)
    if optional and not data:
        return {}
    if not isinstance(data, dict):
        raise ValidationError("invalid_json")
    check_body(data)
    return data


@overload
def str_field(
    data: dict[str, Any],
    name: str,
    *,
    required: bool = ...,
    default: str = ...,
    allow_null: bool = ...,
) -> str: ...
@overload
def str_field(
    data: dict[str, Any],
    name: str,
    *,
    required: bool = ...,
    default: None,
    allow_null: bool = ...,
) -> str | None: ...
def str_field(
    data: dict[str, Any],
    name: str,
    *,
    required: bool = False,
    default: str | None = "",
    allow_null: bool = True,
) -> str | None:
    """A string field: absent (or null, unless `allow_null` is off) gives `default`, unless required."""
    value = data.get(name)
    if value is None and not required and (allow_null or name not in data):
        return default
    if not isinstance(value, str):
        raise ValidationError("invalid_field", field=name)
    return value


@overload
def int_field(data: dict[str, Any], name: str, *, required: Literal[True]) -> int: ...
@overload
def int_field(data: dict[str, Any], name: str, *, required: bool = ...) -> int | None: ...
def int_field(data: dict[str, Any], name: str, *, required: bool = False) -> int | None:
    """An integer field (a JSON boolean is not one) within ±MAX_ID; absent or null gives None,
    unless required."""
    value = data.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not -MAX_ID <= value <= MAX_ID:
        raise ValidationError("invalid_field", field=name)
    return value


def int_list(data: dict[str, Any], name: str, *, required: bool = False) -> list[int]:
    """A list of integers within ±MAX_ID; absent, null or empty gives [], unless required (then
    only [] is)."""
    value = data.get(name) if required else data.get(name) or []
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and -MAX_ID <= v <= MAX_ID for v in value
    ):
        raise ValidationError("invalid_field", field=name)
    return value


def str_list(data: dict[str, Any], name: str) -> list[str]:
    """A list of strings; absent, null or empty gives []."""
    value = data.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("invalid_field", field=name)
    return value


@overload
def int_arg(
    name: str,
    default: int,
    *,
    low: int,
    high: int | None = ...,
    default_if: Literal["absent", "empty", "blank"] = ...,
) -> int: ...
@overload
def int_arg(
    name: str,
    default: None,
    *,
    low: int,
    high: int | None = ...,
    default_if: Literal["absent", "empty", "blank"] = ...,
) -> int | None: ...
def int_arg(
    name: str,
    default: int | None,
    *,
    low: int,
    high: int | None = None,
    default_if: Literal["absent", "empty", "blank"] = "absent",
) -> int | None:
    """A query-string integer in [low, high] (high: MAX_ID by default), or `invalid_parameter`.

    `default` stands for a missing parameter ("absent"), also an empty one ("empty"), or also
    one of only spaces ("blank"); anything else that is not an integer is invalid. The whole
    query string is first checked against the route's declared query model (`check_query`).
    """
    check_query()
    raw = request.args.get(name)
    if (
        raw is None
        or (default_if == "empty" and raw == "")
        or (default_if == "blank" and not raw.strip())
    ):
        return default
    raw = raw.strip()
    if not (raw.isascii() and raw.lstrip("-").isdigit() and len(raw) <= 12):
        raise ValidationError("invalid_parameter", field=name)
    value = int(raw)
    if value < low or value > (MAX_ID if high is None else high):
        raise ValidationError("invalid_parameter", field=name)
    return value


def id_value(raw: str | None) -> int | None:
    """An id typed in a form or a query string ("12"), or None: ASCII digits only (not "²" or
    "１２"), 1 to MAX_ID."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None
