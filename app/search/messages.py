"""Words for the error codes of search."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.errors import MESSAGES

MESSAGES.update(
    {
        "search_query_required": _l("Please type the words to look for."),
        "search_query_too_long": _l("A search can be at most %(max)s characters."),
        "too_many_tags": _l("You can use at most %(max)s tags."),
        "tag_too_long": _l("A tag can be at most %(max)s characters."),
    }
)
