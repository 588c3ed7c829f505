"""Words for the error codes of imports and participation figures."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.errors import MESSAGES

MESSAGES.update(
    {
        "import_not_allowed": _l(
            "Only moderators and staff of this consultation's agency can do this."
        ),
        "import_consultation_concluded": _l(
            "This consultation is concluded; nothing more can be imported into it."
        ),
        "import_platform_required": _l("Please choose the platform the post came from."),
        "import_platform_unknown": _l("Unknown platform. Use one of: %(platforms)s."),
        "import_url_required": _l("Please give the link to the original post."),
        "import_url_too_long": _l("The link can be at most %(max)s characters."),
        "import_url_invalid": _l("The link must be a full http:// or https:// address."),
        "import_author_required": _l("Please give the author's handle on that platform."),
        "import_author_too_long": _l("The author's handle can be at most %(max)s characters."),
        "import_date_invalid": _l(
            "The date must look like 2024-05-01 or 2024-05-01T14:30 (Taiwan time unless an offset is given)."
        ),
        "import_date_future": _l("The date of the original post is in the future."),
        "import_target_hidden": _l(
            "This post was imported before as comment #%(comment_id)s and hidden by a moderator; it is not updated."
        ),
        "import_conflict": _l("Someone imported the same post at the same moment; try again."),
        "csv_empty": _l("The CSV file is empty."),
        "csv_no_rows": _l("The CSV file has a header but no rows."),
        "csv_encoding": _l("The CSV file must be saved as UTF-8 (or Big5)."),
        "csv_too_large": _l("The CSV file is too large (at most %(max)s characters)."),
        "csv_too_many_rows": _l("A CSV file can have at most %(max)s rows; split it into parts."),
        "csv_missing_columns": _l("The CSV header is missing these columns: %(columns)s."),
        "csv_malformed": _l("The CSV file cannot be read near line %(line)s."),
        "csv_duplicate_row": _l("The same platform and link are already on line %(line)s."),
    }
)
