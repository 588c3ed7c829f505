"""Flask extensions, created unbound here and bound to an app in create_app()."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from deliberation.accounts import models as _accounts_models  # noqa: F401  (its tables)
from deliberation.models import Base
from deliberation.plan_links import models as _plan_link_models  # noqa: F401  (tables on Base)
from deliberation.trust import models as _trust_models  # noqa: F401  (their tables on Base)

from .ratelimit import account_or_address


class _SQLAlchemy(SQLAlchemy):
    # db.session is a scoped_session: a proxy that forwards every Session method to the
    # session of the current app context. The domain's services take a plain Session; typing
    # the proxy as one lets mypy check every call the web layer makes into the domain.
    session: Session  # type: ignore[assignment]


# The domain models live on deliberation.models.Base; Flask-SQLAlchemy only manages sessions.
db = _SQLAlchemy(metadata=Base.metadata)
migrate = Migrate(compare_type=True, render_as_batch=True)
login = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Limits count the account when there is one, else the address (app/ratelimit.py).
limiter = Limiter(key_func=account_or_address, default_limits=[])
socketio = SocketIO()
