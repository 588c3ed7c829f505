"""The request parsers the API modules share (app/params.py): each variant's edge cases."""

from __future__ import annotations

import pytest
from flask import Flask

from app.params import int_arg, int_field, int_list, json_body, str_field, str_list
from deliberation.errors import ValidationError

app = Flask(__name__)


def _code(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.code


@pytest.mark.parametrize("body", ["[1]", '"x"', "not json"])
def test_a_body_that_is_not_a_json_object_is_invalid_json(body):
    with app.test_request_context(method="POST", data=body, content_type="application/json"):
        assert _code(json_body) == "invalid_json"


@pytest.mark.parametrize("body", ["", "null", "[]"])
def test_an_optional_body_reads_empty_as_an_empty_object(body):
    with app.test_request_context(method="POST", data=body, content_type="application/json"):
        assert json_body(optional=True) == {}


def test_an_optional_body_that_is_not_an_object_is_still_invalid():
    with app.test_request_context(method="POST", data="[1]", content_type="application/json"):
        assert _code(lambda: json_body(optional=True)) == "invalid_json"


def test_string_fields_default_when_absent_or_null_unless_required_or_null_is_refused():
    data = {"null": None, "n": 3, "s": "x"}
    assert str_field(data, "missing") == "" and str_field(data, "null") == ""
    assert str_field(data, "null", default=None) is None
    assert str_field(data, "s", required=True) == "x"
    assert _code(lambda: str_field(data, "null", required=True)) == "invalid_field"
    assert _code(lambda: str_field(data, "n")) == "invalid_field"
    assert str_field(data, "missing", allow_null=False) == ""
    assert _code(lambda: str_field(data, "null", allow_null=False)) == "invalid_field"


def test_integer_fields_refuse_booleans_and_default_to_none_unless_required():
    data = {"t": True, "i": 4, "null": None}
    assert int_field(data, "i") == 4 and int_field(data, "null") is None
    assert _code(lambda: int_field(data, "t")) == "invalid_field"
    assert _code(lambda: int_field(data, "missing", required=True)) == "invalid_field"
    assert int_list({"ids": [1, 2]}, "ids") == [1, 2] and int_list({}, "ids") == []
    assert _code(lambda: int_list({"ids": [True]}, "ids")) == "invalid_field"
    assert _code(lambda: int_list({}, "ids", required=True)) == "invalid_field"
    assert str_list({"x": None}, "x") == []
    assert _code(lambda: str_list({"x": [1]}, "x")) == "invalid_field"


@pytest.mark.parametrize(
    ("query", "default_if", "expected"),
    [
        ("", "absent", 7),
        ("n=", "absent", "invalid_parameter"),
        ("n=", "empty", 7),
        ("n=%20", "empty", "invalid_parameter"),
        ("n=%20", "blank", 7),
        ("n=%205%20", "absent", 5),
        ("n=0", "blank", "invalid_parameter"),
        ("n=11", "blank", "invalid_parameter"),
        ("n=x", "empty", "invalid_parameter"),
    ],
)
def test_query_integers_default_as_asked_and_stay_within_bounds(query, default_if, expected):
    with app.test_request_context(f"/?{query}"):
        call = lambda: int_arg("n", 7, low=1, high=10, default_if=default_if)  # noqa: E731
        assert (call() if isinstance(expected, int) else _code(call)) == expected
