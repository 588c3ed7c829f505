"""Error words of the open-data area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.errors import MESSAGES, STATUS
from deliberation.errors import DomainError


class DatasetUnavailable(DomainError):
    """The dataset cannot be written on this server now (disk full, folder not writable). -> 503"""

    code = "open_data_unavailable"


STATUS[DatasetUnavailable] = 503
MESSAGES.update(
    {
        "open_data_unavailable": _l(
            "The dataset cannot be prepared right now (the server cannot write its files). "
            "Please try again later; the administrator has been told in the log."
        ),
    }
)
