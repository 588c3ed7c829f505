"""Request parameters for the JSON API: the body, its fields and query-string integers.

Every parser raises `ValidationError` with the codes the API documents (`invalid_json`,
`invalid_field`, `invalid_parameter`); app/errors.py turns them into 400 responses.
"""

from __future__ import annotations

from typing import Any, Literal, overload

from flask import request

from deliberation.errors import ValidationError


def json_body(*, optional: bool = False) -> dict[str, Any]:
    """The request's JSON object, or `invalid_json`; with `optional`, an empty body reads as {}."""
    data = request.get_json(silent=True)
    if optional and not data:
        return {}
    if not isinstance(data, dict):
        raise ValidationError("invalid_json")
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
    """An integer field (a JSON boolean is not one); absent or null gives None, unless required."""
    value = data.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("invalid_field", field=name)
    return value


def int_list(data: dict[str, Any], name: str, *, required: bool = False) -> list[int]:
    """A list of integers; absent, null or empty gives [], unless required (then only [] is)."""
    value = data.get(name) if required else data.get(name) or []
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
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
    """A query-string integer in [low, high], or `invalid_parameter`.

    `default` stands for a missing parameter ("absent"), also an empty one ("empty"), or also
    one of only spaces ("blank"); anything else that is not an integer is invalid.
    """
    raw = request.args.get(name)
    if (
        raw is None
        or (default_if == "empty" and raw == "")
        or (default_if == "blank" and not raw.strip())
    ):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError("invalid_parameter", field=name) from None
    if value < low or (high is not None and value > high):
        raise ValidationError("invalid_parameter", field=name)
    return value
