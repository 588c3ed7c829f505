"""The web skin of Zhongyi: create_app binds extensions and registers the areas — nothing else."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

import config as settings
from config import Config, config_from_env

from . import (
    accounts,
    analysis_web,
    api,
    attachments,
    auth,
    cli,
    consultations,
    database,
    errors,
    focus_groups,
    i18n,
    links,
    logs,
    mail,
    moderation,
    notifications,
    openapi,
    opendata,
    outbox,
    outcome,
    params,
    plan_links,
    plans,
    polis,
    polls,
    ratelimit,
    realtime,
    search,
    security,
    social,
    staff,
    transaction,
    trust,
    vocabulary,
    webhooks,
)
from .extensions import babel, csrf, db, limiter, login, migrate, socketio

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

# Each area registers its own blueprints, hooks, template helpers, follow-up handlers and CLI
# commands in its init_app(app); a new area is one more line here.
AREAS = (
    mail,  # the one mail module: "mail.send" after the commit (file, SMTP or none)
    auth,  # register, log in, log out
    accounts,  # verification, recovery, privacy, data download, deletion (issue 13)
    consultations,  # consultation, thread and comment pages
    staff,  # /staff: create and edit consultations
    api,  # /api/v1: consultations, threads, comments, votes, events
    moderation,  # the queue, actions, rules and transparency pages, /api/v1/moderation
    links,  # link cards and embeds (issue 7)
    social,  # imports, sharing, the widget, stickiness (issue 7)
    polis,  # Polis-format import/export (issue 6)
    analysis_web,  # analysis runs and the theme workspace (issue 6)
    plans,  # plans, responses, reviews (issue 6)
    outcome,  # the 政策溝通成效 section: page, exports, charts, API, CLI (issue 6)
    focus_groups,  # the 政策提案座談會 lottery: pool, quotas, draw, replay (issue 18)
    trust,  # 2FA, server-side sessions, reserved names, the badge, admin (issue 13)
    vocabulary,  # the words for every stored code pages show (issue 15)
    plan_links,  # consent to link another agency's consultation (issue 17)
    opendata,  # /open-data: datasets, ZIP downloads, /api/v1/open-data (issue 19)
    notifications,  # 通知, follows, the live unread count (issue 14)
    search,  # search over consultations, sections and comments (issue 14)
    attachments,  # files attached to a consultation (issue 14)
    polls,  # quick polls (民調): answers, raking to margins, representativeness (issue 18)
    openapi,  # /api/v1/openapi.json, /api/docs; ETag, CORS and cursors of API reads (issue 19)
    webhooks,  # signed event notifications to agencies' systems (issue 19)
)


def create_app(config: type[Config] | None = None, **overrides: object) -> Flask:
    """Build the application for a configuration class (from ZHONGYI_ENV by default)."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config or config_from_env())
    app.config.update(overrides)
    settings.check(app.config)  # production refuses the default SECRET_KEY
    params.init_app(app)  # bounded ids in paths, the JSON loader, no NUL in any parameter

    logs.init_app(app)  # one structured handler, request ids
    database.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    login.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=None)
    limiter.init_app(app)
    ratelimit.init_app(app, limiter)  # the limiter's log (issue 17)
    socketio.init_app(
        app,
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE"),
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS"),
    )
    security.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    outbox.init_app(app)  # the after-commit dispatcher; the areas register their handlers
    realtime.init_app(app)  # the /threads Socket.IO namespace and its broadcast handler
    for area in AREAS:
        area.init_app(app)
    cli.register_cli(app)
    transaction.wrap_views(app)  # every view is one unit of work: the commit point
    ratelimit.trust_proxy(app)  # TRUSTED_PROXY_HOPS: outermost, so every path sees the client
    return app
