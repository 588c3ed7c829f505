"""Language: zh-TW first, English available; chosen by ?lang=, a cookie, then the browser."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, redirect, request, url_for
from flask_babel import format_datetime, get_locale
from werkzeug.wrappers import Response

from deliberation.outcome.words import roc_date

COOKIE = "lang"


def _supported() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def _normalise(value: str | None) -> str | None:
    if not value:
        return None
    v = value.replace("-", "_").lower()
    for code in _supported():
        if v == code.lower() or v.split("_")[0] == code.lower():
            return code
    if v.startswith("zh"):
        return "zh_TW"
    return None


def select_locale() -> str:
    """?lang= → cookie → Accept-Language (zh-* counts as zh-TW) → zh-TW."""
    if not has_request_context():  # the CLI and background jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    for value in (request.args.get("lang"), request.cookies.get(COOKIE)):
        chosen = _normalise(value)
        if chosen:
            return chosen
    for lang, _q in request.accept_languages:
        chosen = _normalise(lang)
        if chosen:
            return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang() -> str:
    return "zh-Hant-TW" if str(get_locale()).startswith("zh") else "en"


def when(value: datetime | None, fmt: str = "medium") -> str:
    """A date-time in the reader's locale and Taiwan time; zh-TW pages write 民國 dates, the
    same convention as the documents (115年3月1日 14:05)."""
    if not value:
        return ""
    if str(get_locale()).startswith("zh"):
        local = value.astimezone(_zone())
        return f"{roc_date(local.date())} {local:%H:%M}"
    return format_datetime(value, fmt)


def day(value: datetime | date | str | None) -> str:
    """A day in the reader's convention: 民國 in zh-TW, ISO (YYYY-MM-DD) in English."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    elif isinstance(value, datetime):
        value = value.astimezone(_zone()).date()
    return roc_date(value) if str(get_locale()).startswith("zh") else value.isoformat()


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Taipei"))


def init_app(app: Flask) -> None:
    @app.route("/lang/<code>")
    def set_language(code: str) -> Response:
        chosen = _normalise(code) or app.config["BABEL_DEFAULT_LOCALE"]
        target = request.args.get("next") or ""
        # Only same-site paths: never an open redirect.
        if not target.startswith("/") or target.startswith("//") or "\\" in target:
            target = url_for("consultations.index")
        response = redirect(target)
        response.set_cookie(
            COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=bool(app.config.get("SESSION_COOKIE_SECURE")),  # Secure in production
        )
        return response

    app.jinja_env.globals.update(html_lang=html_lang, get_locale=get_locale)
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["day"] = day
