"""The factory: production refuses an unsafe SECRET_KEY, every line logged carries a request id."""

from __future__ import annotations

import json
import logging
import re
import sys

import pytest

import config as settings
from app import AREAS, create_app, logs
from config import Config, ProductionConfig, TestingConfig


@pytest.mark.parametrize("secret", [settings.DEFAULT_SECRET_KEY, "", "   "])
def test_production_refuses_to_start_with_the_default_secret_key(secret):
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set .* production"):
        create_app(ProductionConfig, SECRET_KEY=secret, SQLALCHEMY_DATABASE_URI="sqlite://")


def test_development_and_tests_start_with_their_keys_and_production_with_a_real_one():
    settings.check({"SECRET_KEY": settings.DEFAULT_SECRET_KEY, "REQUIRE_SECRET_KEY": False})
    settings.check({k: getattr(TestingConfig, k) for k in ("SECRET_KEY", "REQUIRE_SECRET_KEY")})
    settings.check({"SECRET_KEY": "a-long-random-production-value", "REQUIRE_SECRET_KEY": True})
    assert Config.REQUIRE_SECRET_KEY is False and ProductionConfig.REQUIRE_SECRET_KEY is True


def test_every_area_registers_itself_the_same_way(app):
    for area in AREAS:
        assert callable(area.init_app), area.__name__
    assert {"auth", "consultations", "staff", "api", "moderation", "moderation_api"} <= set(
        app.blueprints
    )


def test_the_request_id_is_taken_from_the_header_or_made_and_echoed(client):
    given = client.get("/", headers={"X-Request-ID": "proxy-7f3a.42"})
    assert given.headers["X-Request-ID"] == "proxy-7f3a.42"
    made = client.get("/")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-ID"])
    refused = client.get("/", headers={"X-Request-ID": 'two words" or=injected'})
    assert re.fullmatch(r"[0-9a-f]{32}", refused.headers["X-Request-ID"])


def _line(app, style: str, message: str, exc: bool = False) -> str:
    with app.test_request_context("/", headers={"X-Request-ID": "req-42"}):
        logs._take_request_id()
        record = logging.LogRecord("app.test", logging.WARNING, __file__, 1, message, (), None)
        if exc:
            try:
                raise ValueError("boom")
            except ValueError:
                record.exc_info = sys.exc_info()
        logs.RequestIdFilter().filter(record)
        return logs.StructuredFormatter(style).format(record)


def test_log_lines_are_key_value_pairs_with_the_request_id(app):
    line = _line(app, "kv", "留言 已送出")
    assert "level=WARNING logger=app.test request_id=req-42" in line
    assert 'msg="留言 已送出"' in line and "\n" not in line
    assert re.match(r"time=\d{4}-\d\d-\d\dT", line)


def test_log_lines_can_be_json_with_the_traceback(app):
    data = json.loads(_line(app, "json", "failed", exc=True))
    assert data["request_id"] == "req-42" and data["msg"] == "failed"
    assert "ValueError: boom" in data["exc"]


def test_create_app_installs_one_handler_however_many_apps_are_made(app):
    ours = [h for h in logging.getLogger().handlers if getattr(h, "zhongyi", False)]
    assert len(ours) == 1
