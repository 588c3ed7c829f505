"""Logging: one handler on the root logger, one structured line per record, with a request id.

Each line is ``key=value`` pairs (LOG_FORMAT=kv, the default) or a JSON object (LOG_FORMAT=json):
time, level, logger, request_id, msg, and the traceback as ``exc`` when there is one. The request
id is the caller's X-Request-ID (a proxy's, when it is a plain token of up to 128 characters) or a
new one, and is echoed in the response's X-Request-ID header, so a user's report, the proxy's log
and ours can be matched.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_BARE = re.compile(r"[^\s\"=]+")


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class RequestIdFilter(logging.Filter):
    """Put the current request's id (or "-") on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class StructuredFormatter(logging.Formatter):
    """One line per record: key=value pairs, or a JSON object."""

    def __init__(self, style: str = "kv") -> None:
        super().__init__()
        self.json = style == "json"

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "msg": record.getMessage(),
        }
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        if self.json:
            return json.dumps(fields, ensure_ascii=False)
        return " ".join(f"{key}={_value(value)}" for key, value in fields.items())


def _value(value: Any) -> str:
    text = str(value)
    return text if _BARE.fullmatch(text) else json.dumps(text, ensure_ascii=False)


def init_app(app: Flask) -> None:
    """Install the handler (once per process) and the request id hooks."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "zhongyi", False):
            root.removeHandler(handler)  # a second app in the same process replaces it
    handler = _StderrHandler()
    handler.zhongyi = True  # type: ignore[attr-defined]
    handler.setFormatter(StructuredFormatter(app.config.get("LOG_FORMAT", "kv")))
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    app.logger.removeHandler(default_handler)  # records reach the root handler instead
    app.before_request(_take_request_id)
    app.after_request(_echo_request_id)


def _take_request_id() -> None:
    given = request.headers.get(HEADER, "")
    g.request_id = given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex


def _echo_request_id(response: Response) -> Response:
    response.headers[HEADER] = g.get("request_id") or uuid.uuid4().hex
    return response
