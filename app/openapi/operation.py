"""One schema source per /api/v1 route: the `operation` decorator (issue 19, "Open API").

A route says what it takes and what it answers next to its `@bp.get(...)`:

    @bp.post("/comments/<int:comment_id>/flags")
    @operation("moderation", body=FlagBody, responses={201: FlagCreated}, errors=(401, 404, 409))
    @limiter.limit("30 per minute")
    def flag(comment_id): ...

(a route under `@limiter.limit` gets 429 and the X-RateLimit-* headers in the document by itself;
every operation may answer 400, every GET 304.)

The same pydantic models are (1) what the request is checked against — `app.params.json_body()`
and `int_arg()` validate the body and the query string against the route's models, with the
API's error codes (`invalid_json`, `invalid_field`, `invalid_parameter`) and in the order the view
already reads them, so who-may-ask checks keep running first — and (2) what the OpenAPI document
(`app/openapi/document.py`) publishes. Response models are what the serializers return; the
schemathesis test (tests/api_contract) checks real answers against them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import current_app, request
from pydantic import BaseModel, ConfigDict, Field

F = TypeVar("F", bound=Callable[..., Any])

# The statuses every operation may answer, whatever it does: a bad parameter anywhere (a NUL
# byte in the query string: app/params.py) is a 400.
ALWAYS = (400,)


class Body(BaseModel):
    """A JSON request body: fields typed as the view reads them; unknown fields are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


class Query(BaseModel):
    """Query-string parameters (strings on the wire, converted as `int_arg` converts them)."""

    model_config = ConfigDict(extra="ignore")


class Out(BaseModel):
    """A response: the fields clients rely on; the server may add fields later."""

    model_config = ConfigDict(extra="allow")


def loose(schema: dict[str, Any], description: str | None = None) -> Any:
    """A body field whose type the domain checks with its own error code (`invalid_date`,
    `invalid_vote`, …): the model lets any JSON value through to it, the document says `schema`."""

    def publish(field_schema: dict[str, Any]) -> None:
        field_schema.pop("default", None)  # absent is fine; null is not a value of `schema`
        field_schema.update(schema)

    return Field(default=None, json_schema_extra=publish, description=description)


@dataclass(frozen=True)
class Operation:
    """What one route takes and answers (read by the document builder and by app.params)."""

    tag: str
    summary: str | None = None
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    body_required: bool = True
    form: Mapping[str, Any] | None = None  # multipart fields: name -> JSON schema
    responses: Mapping[int, Any] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    public: bool = False  # anonymous may call it (CORS for GET, no security requirement)
    headers: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)  # status -> headers

    def statuses(self) -> list[int]:
        return sorted({*self.responses, *ALWAYS, *self.errors})


def operation(
    tag: str,
    *,
    summary: str | None = None,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    body_required: bool = True,
    form: Mapping[str, Any] | None = None,
    responses: Mapping[int, Any] | None = None,
    errors: Iterable[int] = (),
    public: bool = False,
    headers: Mapping[int, Mapping[str, Any]] | None = None,
) -> Callable[[F], F]:
    """Attach the route's schemas to its view (no wrapper: the view runs as before)."""
    op = Operation(
        tag=tag,
        summary=summary,
        query=query,
        body=body,
        body_required=body_required,
        form=form,
        responses=dict(responses or {200: None}),
        errors=tuple(errors),
        public=public,
        headers=dict(headers or {}),
    )

    def attach(view: F) -> F:
        # app/params.py reads the models from here (json_body, int_arg) without importing us.
        view.__api_operation__ = op  # type: ignore[attr-defined]
        return view

    return attach


def operation_of(view: Callable[..., Any] | None) -> Operation | None:
    return getattr(view, "__api_operation__", None)


def current_operation() -> Operation | None:
    """The operation of the view handling this request, if it declared one."""
    if request.endpoint is None:
        return None
    return operation_of(current_app.view_functions.get(request.endpoint))
