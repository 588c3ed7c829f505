"""Configuration: every value comes from the environment, with a default that works on a bare machine."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def _host_ports(value: str) -> frozenset[tuple[str, int]]:
    """ "127.0.0.1:8001, localhost:8002" -> {("127.0.0.1", 8001), ("localhost", 8002)}."""
    pairs = set()
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        host, sep, port = item.rpartition(":")
        if not sep or not port.isdigit() or not host:
            raise ValueError(f"LINK_FETCH_ALLOW_HOSTS: {item!r} is not host:port")
        pairs.add((host.strip("[]").lower(), int(port)))
    return frozenset(pairs)


# Where the allow-listed providers' embeds are framed from (deliberation/embeds.py EMBED_ORIGINS).
EMBED_FRAME_SRC = (
    "https://www.youtube-nocookie.com https://player.vimeo.com https://www.facebook.com "
    "https://www.instagram.com https://www.threads.net https://platform.twitter.com"
)


def _database_url(url: str | None) -> str:
    if not url:
        INSTANCE_DIR.mkdir(exist_ok=True)
        url = f"sqlite:///{INSTANCE_DIR / 'zhongyi.sqlite3'}"
    # Heroku-style URLs and plain postgresql:// both go through psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


DEFAULT_SECRET_KEY = "dev-only-not-secret-change-me"


class Config:
    """Development defaults: SQLite under instance/, in-process Socket.IO, zh-TW first."""

    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    # Production refuses to start with the default (or an empty) SECRET_KEY: see check().
    REQUIRE_SECRET_KEY = False
    # Logging (app/logs.py): one structured line per record, "kv" (key=value) or "json".
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "kv").lower()
    SQLALCHEMY_DATABASE_URI = _database_url(os.environ.get("DATABASE_URL"))
    # No pre-ping (it costs a round trip per request); recycle connections instead.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_recycle": _int("DB_POOL_RECYCLE", 1800)}
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    # threading for the embedded default; production serves with gevent (docs/deploy.md).
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")
    SOCKETIO_CORS_ORIGINS = os.environ.get("SOCKETIO_CORS_ORIGINS") or None
    # WebSocket permessage-deflate compresses every message once per connection: with a
    # thousand readers on a thread that is most of the fan-out's CPU for a few hundred bytes
    # saved per message (bench/RESULTS.md, "Real-time fan-out"). Off unless asked for.
    SOCKETIO_WS_COMPRESSION = _bool("SOCKETIO_WS_COMPRESSION", False)

    # Sessions: HttpOnly + SameSite always; Secure in production (see ProductionConfig).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)  # Flask-Login's cookie, unused (app/trust)
    # "Keep me logged in": days a remembered session lives, never more than 30 (app/trust).
    REMEMBER_DAYS = min(_int("REMEMBER_DAYS", 30), 30)
    # Staff, moderators, reviewers and admins must sign in with a second factor (docs/two-factor.md).
    TWO_FACTOR_REQUIRED = _bool("TWO_FACTOR_REQUIRED", True)
    # Local demo only: the TOTP secret offered to the demo accounts (@demo.zhongyi.tw) at
    # enrolment, documented in docs/two-factor.md. Never set in production.
    DEMO_TOTP_SECRET: str | None = os.environ.get(
        "DEMO_TOTP_SECRET", "ZHONGYIDEMOTOTPSECRETLOCALONLY23"
    )

    # werkzeug's password hash method for new accounts (scrypt: deliberately slow).
    PASSWORD_HASH_METHOD = "scrypt"

    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    # CSRF is checked in a before_request hook so bearer-token API calls can skip it.
    WTF_CSRF_CHECK_DEFAULT = False

    BABEL_DEFAULT_LOCALE = "zh_TW"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("BABEL_DEFAULT_TIMEZONE", "Asia/Taipei")
    LANGUAGES = ("zh_TW", "en")

    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Retry-After itself is written by the 429 handler (app/errors.py) with the same number its
    # message shows; Flask-Limiter's own copy goes under this name so it cannot round it down.
    RATELIMIT_HEADER_RETRY_AFTER = "X-RateLimit-Retry-After"
    # Redis down: count in this process's memory (and log it) instead of failing the request;
    # back to Redis once it answers (docs/deploy.md, "Failure behaviour").
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # A dead or stalled Redis must cost a request milliseconds, not the client's timeout.
    RATELIMIT_STORAGE_OPTIONS: dict = (
        {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        if RATELIMIT_STORAGE_URI.startswith(("redis://", "rediss://"))
        else {}
    )
    # How many proxies in front of the app set X-Forwarded-For / -Proto (nginx alone: 1). The
    # default 0 trusts no header: behind a proxy every client then shares the proxy's address.
    TRUSTED_PROXY_HOPS = _int("TRUSTED_PROXY_HOPS", 0)

    COMMENT_MAX_CHARS = _int("COMMENT_MAX_CHARS", 5000)
    COMMENT_EDIT_WINDOW_MINUTES = _int("COMMENT_EDIT_WINDOW_MINUTES", 15)
    THREAD_PAGE_SIZE = _int("THREAD_PAGE_SIZE", 20)
    THREAD_DISPLAY_DEPTH = _int("THREAD_DISPLAY_DEPTH", 5)
    API_MAX_LIMIT = 200
    # Origins allowed to read the public API from a browser (CORS on GETs anonymous may make;
    # never with credentials): "*" (any), or a comma-separated list; empty turns CORS off.
    API_CORS_ORIGINS = os.environ.get("API_CORS_ORIGINS", "*")
    # Largest request body (uploads: Polis CSVs, imported posts); larger ones get a 413 message.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 32 * 1024 * 1024)
    # Read a thread's cache key on its own autocommit connection (one round trip). The tests turn
    # this off: their per-test transaction is invisible to other connections.
    PUBLIC_STATE_AUTOCOMMIT = True

    # Background jobs (app/jobs.py): "thread" in-process, "rq" on Redis, "eager" inline (tests).
    JOBS_BACKEND = os.environ.get("JOBS_BACKEND", "thread")
    JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL") or os.environ.get("REDIS_URL")
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "zhongyi")
    JOBS_THREADS = _int("JOBS_THREADS", 2)

    # Link cards and embeds (app/links, docs/links.md). Agencies that must can turn third-party
    # embeds off site-wide; cards (fetched by our server, images over https) stay.
    THIRD_PARTY_EMBEDS = _bool("THIRD_PARTY_EMBEDS", True)
    # Loopback test servers ("host:port,...") the fetcher may reach; refused in production.
    LINK_FETCH_ALLOW_HOSTS = _host_ports(os.environ.get("LINK_FETCH_ALLOW_HOSTS", ""))
    LINK_FETCH_ALLOW_HOSTS_PERMITTED = True
    LINK_FETCH_CONNECT_TIMEOUT = _float("LINK_FETCH_CONNECT_TIMEOUT", 3.0)
    LINK_FETCH_TIMEOUT = _float("LINK_FETCH_TIMEOUT", 8.0)  # total, per request
    LINK_FETCH_MAX_BYTES = _int("LINK_FETCH_MAX_BYTES", 1_000_000)
    LINK_FETCH_MAX_REDIRECTS = 3
    LINK_CACHE_TTL_HOURS = _int("LINK_CACHE_TTL_HOURS", 24 * 7)  # refetch a card after this
    # Webhooks (app/webhooks, docs/webhooks.md): the link fetcher's SSRF rules apply to their
    # URLs; loopback test receivers ("host:port,...") only outside production; https required
    # in production; attempts and the first wait of the exponential backoff (doubling, ±20 %).
    WEBHOOK_ALLOW_HOSTS = _host_ports(os.environ.get("WEBHOOK_ALLOW_HOSTS", ""))
    WEBHOOK_ALLOW_HOSTS_PERMITTED = True
    WEBHOOK_REQUIRE_HTTPS = _bool("WEBHOOK_REQUIRE_HTTPS", False)
    WEBHOOK_MAX_ATTEMPTS = _int("WEBHOOK_MAX_ATTEMPTS", 8)
    WEBHOOK_BACKOFF_SECONDS = _float("WEBHOOK_BACKOFF_SECONDS", 30.0)
    WEBHOOK_CONNECT_TIMEOUT = _float("WEBHOOK_CONNECT_TIMEOUT", 3.0)
    WEBHOOK_TIMEOUT = _float("WEBHOOK_TIMEOUT", 10.0)  # total, per attempt
    # Card images are served from this site (/link-images/<id>): img-src stays 'self' data:.
    CSP_EXTRA: dict = {"frame-src": EMBED_FRAME_SRC} if THIRD_PARTY_EMBEDS else {}

    # Open data (docs/open-data.md): a large dataset is built on this many database connections
    # reading one snapshot (PostgreSQL; votes.csv and the participation figures on their own
    # connections while the first writes the other files). 1: one connection.
    OPEN_DATA_LANES = _int("OPEN_DATA_LANES", 3)
    # A closed or concluded consultation's dataset is rebuilt in a background job when its data
    # change (analysis run, published responses, concluded), before anyone downloads it.
    OPEN_DATA_PREBUILD = _bool("OPEN_DATA_PREBUILD", True)

    # The site's public address, for absolute links in exports (the outcome section's quotes).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # E-mail to authors when a theme they wrote in is answered; off unless MAIL_SERVER is set.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "noreply@zhongyi.localhost")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)
    # Without MAIL_SERVER, account mail (verification, password reset) is written to
    # MAIL_FILE_DIR as .eml files and announced on the console ("file"), or dropped ("none").
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR") or str(INSTANCE_DIR / "mail")

    HOST = os.environ.get("HOST", "127.0.0.1")
    PORT = _int("PORT", 5000)


class TestingConfig(Config):
    """Tests: a database from TEST_DATABASE_URL (PostgreSQL in CI) or an in-memory SQLite."""

    TESTING = True
    SECRET_KEY = "testing"
    SQLALCHEMY_DATABASE_URI = _database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = False
    # The one place tests are "already past 2FA": privileged test users log in with a password
    # alone. Tests of two-factor sign-in turn it back on (tests/trust/conftest.py).
    TWO_FACTOR_REQUIRED = False
    DEMO_TOTP_SECRET = None
    SOCKETIO_MESSAGE_QUEUE = None
    PUBLIC_STATE_AUTOCOMMIT = False
    JOBS_BACKEND = "eager"
    # One iteration: a test's accounts need no protection, and scrypt costs ~80 ms a hash.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"
    MAIL_BACKEND = "none"  # a test that reads mail starts its own SMTP server (MAIL_SERVER)
    # A test's rows sit in a transaction no other connection sees: a dataset is read on one.
    # tests/opendata/test_lanes.py builds on committed rows with several.
    OPEN_DATA_LANES = 1
    # Jobs run at once in tests: a build after every analysis run would slow every test that
    # makes one. tests/opendata/test_prebuild.py turns it on.
    OPEN_DATA_PREBUILD = False


class ProductionConfig(Config):
    """Production: a real SECRET_KEY and secure cookies are required."""

    REQUIRE_SECRET_KEY = True
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = True
    TWO_FACTOR_REQUIRED = True  # not configurable in production
    DEMO_TOTP_SECRET = None
    PREFERRED_URL_SCHEME = "https"
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "gevent")
    # The link fetcher never reaches loopback test servers in production (app/links refuses to
    # start with LINK_FETCH_ALLOW_HOSTS set).
    LINK_FETCH_ALLOW_HOSTS_PERMITTED = False
    WEBHOOK_ALLOW_HOSTS_PERMITTED = False  # the same guard for webhook receivers
    WEBHOOK_REQUIRE_HTTPS = True


def check(config: Mapping[str, Any]) -> None:
    """Refuse a configuration that must not serve: production with the default SECRET_KEY."""
    secret = str(config.get("SECRET_KEY") or "")
    if config.get("REQUIRE_SECRET_KEY") and secret.strip() in ("", DEFAULT_SECRET_KEY):
        raise RuntimeError(
            "SECRET_KEY is not set (or is the development default) and this is the production "
            "configuration (ZHONGYI_ENV=production): sessions and CSRF tokens could be forged. "
            "Set SECRET_KEY "
            "to a long random value, the same in every worker, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'` (docs/deploy.md)."
        )


def config_from_env() -> type[Config]:
    """Pick the configuration class named by ZHONGYI_ENV (development by default)."""
    name = os.environ.get("ZHONGYI_ENV", "development").lower()
    return {"production": ProductionConfig, "testing": TestingConfig}.get(name, Config)
