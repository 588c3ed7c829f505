"""Words for the error codes of attachments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.errors import MESSAGES

MESSAGES.update(
    {
        "attachment_empty": _l("Please choose a file."),
        "attachment_too_large": _l("A file can be at most %(max)s."),
        "attachment_type": _l(
            "Only PDF, ODT, ODS, DOCX, XLSX, PNG and JPEG files can be attached (checked by their content)."
        ),
        "attachment_infected": _l("The virus scan refused this file."),
    }
)
