"""Accounts (issue 13): e-mail verification, 忘記密碼, password and address changes, the
personal-data download, account deletion, and the privacy texts (個資告知, 隱私權政策) with
their admin editor. The domain is deliberation/accounts; mail goes through app/mail.py."""

from __future__ import annotations

from flask import Blueprint, Flask

from ..errors import RATE_LIMIT_CODES

bp = Blueprint("accounts", __name__)

from . import messages  # noqa: E402,F401  (registers the error words)

# Which words a refused (rate-limited) request gets, by the view it was sent to (app/errors.py
# adds the real wait).
ACCOUNT_LIMIT_CODES = {
    "accounts.forgot": "reset_rate_limited",
    "accounts.reset": "reset_rate_limited",
    "accounts.resend": "resend_rate_limited",
    "auth.register": "register_rate_limited",
}


def init_app(app: Flask) -> None:
    """Register this area's blueprint, the 429 words and template helpers."""
    from . import privacy, routes  # noqa: F401  (the routes register themselves)

    app.register_blueprint(bp)
    RATE_LIMIT_CODES.update(ACCOUNT_LIMIT_CODES)
    app.jinja_env.globals["privacy_notice"] = privacy.notice_for_registration
