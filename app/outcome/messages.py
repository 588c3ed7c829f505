"""Error words of the outcome area (English msgids; zh-TW in translations/pending/outcome.json)."""

from flask_babel import lazy_gettext as _l

from app.errors import MESSAGES, STATUS

from .fonts import ChartFontMissing

# No Chinese font: the server cannot draw the charts right now (not the reader's fault).
STATUS[ChartFontMissing] = 503

MESSAGES.setdefault("plan_not_found", _l("That plan does not exist."))
MESSAGES.update(
    {
        "plan_has_no_consultation": _l(
            "This plan has no linked consultation, so there is no outcome section to show or "
            "export. Link a consultation to the plan first."
        ),
        "outcome_forbidden": _l(
            "Only staff of the plan's agencies, reviewers and administrators can read its "
            "outcome section."
        ),
        "invalid_outcome_format": _l(
            "Unknown format “%(format)s”: use docx, md, html, json or csv."
        ),
        "chart_not_found": _l("This section has no such chart."),
        "chart_font_missing": _l(
            "The charts cannot be drawn: this server has no font with Chinese characters, and "
            "a chart in another language or with empty boxes would be wrong. Ask the "
            "administrator to install the Debian package %(package)s (`flask --app wsgi "
            "doctor` shows what is missing)."
        ),
    }
)
