"""The words of the Polis import/export errors (codes raised by deliberation/services/polis_io.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.errors import MESSAGES

MESSAGES.update(
    {
        "polis_folder_not_found": _l("There is no folder at %(path)s."),
        "polis_empty_folder": _l(
            "The folder %(path)s has neither comments.csv nor votes.csv: nothing to import."
        ),
        "polis_missing_file": _l(
            "%(file)s is missing. A Polis export needs both comments.csv and votes.csv."
        ),
        "polis_empty_file": _l("%(file)s is empty."),
        "polis_unreadable_file": _l("%(file)s cannot be read: %(detail)s."),
        "polis_bad_header": _l(
            "%(file)s does not have the Polis columns: %(missing)s missing. "
            "The first line should be: %(expected)s"
        ),
        "polis_bad_number": _l(
            "Row %(row)s of %(file)s: “%(column)s” must be a whole number, not “%(value)s”."
        ),
        "polis_bad_moderated": _l(
            "Row %(row)s of %(file)s: “moderated” must be 1, 0 or -1, not “%(value)s”."
        ),
        "polis_bad_vote": _l(
            "Row %(row)s of %(file)s: a vote must be 1 (agree), -1 (disagree) or 0 (pass), "
            "not “%(value)s”."
        ),
        "polis_duplicate_comment": _l(
            "Row %(row)s of comments.csv: comment %(comment_id)s appears twice."
        ),
        "polis_comment_too_long": _l(
            "Row %(row)s of comments.csv: a comment can be at most %(max)s characters."
        ),
        "polis_no_comments": _l("%(file)s has a header but no comments."),
        "polis_unknown_comment": _l(
            "Row %(row)s of votes.csv: a vote on comment %(comment_id)s, which is not in "
            "comments.csv. Nothing was imported; to import anyway and skip such votes, use "
            "--skip-unknown-votes (API: skip_unknown_votes=1)."
        ),
        "polis_bad_slug": _l(
            "The conversation name must contain letters or digits (a-z, 0-9, '.', '-')."
        ),
        "polis_already_imported": _l(
            "The Polis conversation “%(slug)s” was already imported as consultation "
            "%(consultation_id)s. Nothing was imported."
        ),
        "polis_agency_not_found": _l("There is no agency with the code %(agency)s."),
        "polis_import_forbidden": _l(
            "Only staff of the chosen agency or an administrator can import a conversation."
        ),
        "polis_export_forbidden": _l(
            "Only staff of this consultation's agency, reviewers and administrators can export it."
        ),
        "polis_upload_missing": _l(
            "Please upload both files: “comments” (comments.csv) and “votes” (votes.csv)."
        ),
        "polis_cannot_write": _l("Cannot write to %(path)s: %(detail)s."),
    }
)
