"""The web skin of Zhongyi: create_app binds extensions and registers blueprints — nothing else."""

from __future__ import annotations

from flask import Flask

from config import Config, config_from_env

from .extensions import babel, csrf, db, limiter, login, migrate, socketio


def create_app(config: type[Config] | None = None, **overrides: object) -> Flask:
    """Build the application for a configuration class (from ZHONGYI_ENV by default)."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config or config_from_env())
    app.config.update(overrides)

    from . import database, i18n, security

    database.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    login.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=None)
    limiter.init_app(app)
    socketio.init_app(
        app,
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE"),
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS"),
    )
    security.init_app(app)
    i18n.init_app(app)

    from . import errors
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .cli import register_cli
    from .consultations import bp as consultations_bp
    from .staff import bp as staff_bp

    errors.init_app(app)
    from . import realtime

    realtime.init_app(app)  # the /threads Socket.IO namespace and emit-after-commit
    app.register_blueprint(auth_bp)
    app.register_blueprint(consultations_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    from .moderation import api_bp as moderation_api_bp
    from .moderation import bp as moderation_bp

    app.register_blueprint(moderation_bp)  # the queue, actions, rules and transparency pages
    app.register_blueprint(moderation_api_bp, url_prefix="/api/v1")
    from . import analysis_web, links, plans, polis, social

    links.init_app(app)  # link cards and embeds (issue 7)
    social.init_app(app)  # imports, sharing, the widget, stickiness (issue 7)
    polis.init_app(app)  # Polis-format import/export (issue 6)
    analysis_web.init_app(app)  # analysis runs and the theme workspace (issue 6)
    plans.init_app(app)  # plans, responses, the outcome section, reviews (issue 6)
    from . import outcome

    outcome.init_app(app)  # the 政策溝通成效 section: page, exports, charts, API, CLI (issue 6)
    from . import accounts

    accounts.init_app(app)  # verification, recovery, privacy, data download, deletion (issue 13)
    register_cli(app)
    return app


def _migrations_dir():  # type: ignore[no-untyped-def]
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"
