"""`flask --app wsgi doctor`: what this server has and what is missing, one line each.

Checks the Chinese font the outcome charts need (rebuilding matplotlib's font cache when the
font was installed after it), the database and its migrations, Redis (Socket.IO message queue,
rate limits, jobs), mail and the jobs backend. Exits 1 when something configured or required
does not work, so a deployment script can stop on it.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, text

from .extensions import db
from .outcome import fonts

OK, OFF, MISSING = "ok", "off", "MISSING"


@dataclass(frozen=True)
class Finding:
    name: str
    status: str  # ok / off (not configured, optional) / MISSING (configured or required, broken)
    detail: str


def check_fonts() -> Finding:
    found = fonts.check()
    if not found.ok:
        return Finding(
            "fonts",
            MISSING,
            "no font with Chinese glyphs is available to matplotlib, so the outcome charts are "
            f"refused; install the Debian package {fonts.DEBIAN_PACKAGE} "
            f"(apt-get install {fonts.DEBIAN_PACKAGE}) and run doctor again",
        )
    rebuilt = " (the font cache was rebuilt to find it)" if found.rebuilt else ""
    return Finding("fonts", OK, f"charts use {found.font} ({found.path}){rebuilt}")


def check_database() -> Finding:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            has_version = inspect(conn).has_table("alembic_version")
            revision = (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if has_version
                else None
            )
    except Exception as error:
        return Finding("database", MISSING, f"cannot connect: {error.__class__.__name__}: {error}")
    where = db.engine.url.render_as_string(hide_password=True)
    if revision is None:
        return Finding(
            "database", MISSING, f"{where}: no schema; run `flask --app wsgi db upgrade`"
        )
    return Finding("database", OK, f"{where}, migration {revision}")


def _ping_redis(url: str) -> str | None:
    """None when Redis at `url` answers, else the error."""
    from redis import Redis

    try:
        Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception as error:
        return f"{error.__class__.__name__}: {error}"
    return None


def check_redis() -> Finding:
    config = current_app.config
    urls = {
        "Socket.IO message queue": config.get("SOCKETIO_MESSAGE_QUEUE"),
        "jobs": config.get("JOBS_REDIS_URL") if config.get("JOBS_BACKEND") == "rq" else None,
        "rate limits": config.get("RATELIMIT_STORAGE_URI"),
    }
    used = {k: v for k, v in urls.items() if isinstance(v, str) and v.startswith("redis")}
    if not used:
        return Finding("redis", OFF, "not configured: one process, in-memory rate limits")
    errors = [f"{use}: {err}" for use, url in used.items() if (err := _ping_redis(url))]
    if errors:
        return Finding("redis", MISSING, "; ".join(errors))
    return Finding("redis", OK, "answers for " + ", ".join(used))


def check_mail() -> Finding:
    config = current_app.config
    host = config.get("MAIL_SERVER")
    if not host:
        return Finding("mail", OFF, "MAIL_SERVER is not set: responses are not e-mailed")
    port = int(config.get("MAIL_PORT") or 25)
    try:
        with smtplib.SMTP(host, port, timeout=int(config.get("MAIL_TIMEOUT") or 10)) as smtp:
            smtp.noop()
    except (OSError, smtplib.SMTPException) as error:
        return Finding("mail", MISSING, f"{host}:{port} does not answer: {error}")
    return Finding("mail", OK, f"{host}:{port} answers")


def check_jobs() -> Finding:
    config = current_app.config
    backend = config.get("JOBS_BACKEND", "thread")
    if backend in ("thread", "eager"):
        return Finding("jobs", OK, f"backend {backend} (runs in this process)")
    if backend != "rq":
        return Finding("jobs", MISSING, f"unknown JOBS_BACKEND {backend!r}: use thread or rq")
    url = config.get("JOBS_REDIS_URL")
    if not url:
        return Finding("jobs", MISSING, "JOBS_BACKEND=rq needs JOBS_REDIS_URL (or REDIS_URL)")
    error = _ping_redis(url)
    if error:
        return Finding("jobs", MISSING, f"rq: Redis does not answer: {error}")
    from redis import Redis
    from rq import Worker

    workers = Worker.all(connection=Redis.from_url(url))
    queue = config.get("JOBS_QUEUE", "zhongyi")
    serving = [w for w in workers if queue in w.queue_names()]
    if not serving:
        return Finding("jobs", MISSING, f"rq: no worker listens on queue {queue!r}")
    return Finding("jobs", OK, f"rq: {len(serving)} worker(s) on queue {queue!r}")


CHECKS: tuple[Callable[[], Finding], ...] = (
    check_fonts,
    check_database,
    check_redis,
    check_mail,
    check_jobs,
)


def run_checks() -> list[Finding]:
    return [check() for check in CHECKS]


@click.command("doctor")
@with_appcontext
def doctor() -> None:
    """Check fonts, database, Redis, mail and the jobs backend; print what is missing."""
    findings = run_checks()
    width = max(len(f.name) for f in findings)
    for f in findings:
        click.echo(f"{f.status:<7} {f.name:<{width}}  {f.detail}")
    missing = [f.name for f in findings if f.status == MISSING]
    if missing:
        click.echo(f"missing: {', '.join(missing)}")
        raise SystemExit(1)
    click.echo("nothing missing")


def init_app(app: Flask) -> None:
    app.cli.add_command(doctor)
