"""Template helpers of the social area: platform names, safe origin links, share links, and
plain text for Open Graph descriptions."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Flask, current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from deliberation import participation
from deliberation.sanitize import plain_text
from deliberation.services.imports import PLATFORM_NAMES, PLATFORMS

# Brand names stay as they are; the generic ones are translated.
PLATFORM_LABELS: dict[str, Any] = {
    **{p: PLATFORM_NAMES[p] for p in PLATFORMS if p not in ("news", "other")},
    "polis": "Pol.is",  # Polis imports (app/polis): the product's own spelling, not the code
    "news": _l("a news site"),
    "other": _l("another site"),
    "focus_group": _l("the focus group (座談會)"),  # statements of the panel (issue 18)
}
OG_DESCRIPTION_CHARS = 200


def pseudonym_key() -> bytes:
    """The server secret that keys imported participants' pseudonyms.

    SOCIAL_PSEUDONYM_KEY if set (keep it when rotating SECRET_KEY, or the same handle becomes a
    new participant); otherwise derived from SECRET_KEY, never the secret itself.
    """
    explicit = current_app.config.get("SOCIAL_PSEUDONYM_KEY")
    if explicit:
        return str(explicit).encode()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"zhongyi/import-pseudonym", hashlib.sha256).digest()


def platform_label(code: str | None) -> str:
    return str(PLATFORM_LABELS.get(code or "", code or ""))


def safe_origin_url(url: str | None) -> bool:
    """Only absolute http(s) links are ever put in an href."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def share_links(url: str, title: str) -> list[tuple[str, str, str]]:
    """(key, label, href) for LINE, Facebook and X: plain links, no third-party script."""
    u = quote(url, safe="")
    t = quote(title, safe="")
    return [
        ("line", "LINE", f"https://social-plugins.line.me/lineit/share?url={u}"),
        ("facebook", "Facebook", f"https://www.facebook.com/sharer/sharer.php?u={u}"),
        ("x", "X", f"https://twitter.com/intent/tweet?url={u}&text={t}"),
    ]


def og_text(value: str | None, limit: int = OG_DESCRIPTION_CHARS) -> str:
    """Plain text of sanitized HTML or markdown, cut to a card-sized description."""
    text = plain_text(value or "")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _lang() -> str:
    return "en" if str(get_locale()).startswith("en") else "zh-TW"


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(og_text, "og_text")

    @app.context_processor
    def social_helpers() -> dict[str, Any]:
        return {
            "social_platform": platform_label,
            # {code: label} for comments inserted live (static/js/realtime.js)
            "social_platform_labels": lambda: {p: platform_label(p) for p in PLATFORM_LABELS},
            "social_safe_url": safe_origin_url,
            "social_share_links": share_links,
            # the participation figures' words, from their one data dictionary
            "participation_keys": participation.KEYS,
            "participation_label": lambda key: participation.label(key, _lang()),
            "participation_counts": lambda key: participation.counts(key, _lang()),
        }
