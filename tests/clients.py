"""The test client the `client` fixture hands out (tests/conftest.py)."""

from __future__ import annotations

import contextvars

from flask.globals import _cv_app
from flask.testing import FlaskClient


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (so its own `g`, login and db session), as in
    production, even though the test body holds one open for the factories."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        def run():  # type: ignore[no-untyped-def]
            _cv_app.set(None)  # only inside this copied context
            return FlaskClient.open(self, *args, **kwargs)

        return contextvars.copy_context().run(run)
