"""The accounts every benchmark starts from (imported as `people`: bench/ is on sys.path when a
benchmark runs as a script)."""

from __future__ import annotations

from typing import Any


def ndc_staff(session: Any) -> Any:
    """The NDC agency's staff account (staff@bench.tw), made in `session`."""
    from deliberation.services import accounts

    return accounts.create_user(
        session,
        email="staff@bench.tw",
        display_name="承辦人",
        password="bench-password",
        role="staff",
        agency=accounts.get_or_create_agency(session, "NDC", "國家發展委員會"),
    )
