"""Words for the focus-group area's error codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..errors import MESSAGES

MESSAGES.update(
    {
        "focus_group_not_found": _l("This consultation has no focus group yet."),
        "focus_staff_only": _l("Only the consultation's staff can manage its focus group."),
        "focus_no_quotas": _l("Set the categories and their quotas first."),
        "focus_bad_size": _l("The panel size must be between 1 and 200 (got %(size)s)."),
        "focus_bad_seed": _l(
            "The seed must be a whole number of 1 or more, published before the draw."
        ),
        "focus_bad_algorithm": _l(
            "Unknown algorithm “%(algorithm)s”: use maximin, nash or leximin."
        ),
        "focus_pool_too_small": _l(
            "The pool has %(pool)s people, fewer than the %(size)s seats of the panel."
        ),
        "focus_quotas_infeasible": _l(
            "The quotas cannot all be met together with this pool, starting with the category "
            "“%(category)s”. Smallest change that makes them feasible (seats, minimum–maximum): "
            "%(change)s"
        ),
        "focus_quota_mins_over_size": _l(
            "In the category “%(category)s” the minimums add up to %(total)s seats, more than the "
            "panel has. Smallest change that makes the quotas feasible (seats, minimum–maximum): "
            "%(change)s"
        ),
        "focus_quota_maxes_under_size": _l(
            "In the category “%(category)s” the maximums add up to only %(total)s seats, fewer "
            "than the panel has. Smallest change that makes the quotas feasible (seats, "
            "minimum–maximum): %(change)s"
        ),
        "focus_quota_too_few_people": _l(
            "Only %(have)s volunteers have “%(feature)s” in the category “%(category)s”, fewer "
            "than its minimum of %(min)s. Smallest change that makes the quotas feasible (seats, "
            "minimum–maximum): %(change)s"
        ),
        "focus_quotas_unfixable": _l(
            "No change of seat numbers makes these quotas possible with this pool: recruit more "
            "volunteers or make the panel smaller."
        ),
        "focus_draw_failed": _l("The draw could not be completed: %(detail)s"),
        "focus_csv_empty": _l("The CSV file is empty."),
        "focus_csv_columns": _l("The CSV columns must be %(expected)s (got: %(got)s)."),
        "focus_csv_row_length": _l(
            "Line %(line)s has %(got)s columns; %(expected)s were expected."
        ),
        "focus_csv_name": _l("Line %(line)s: an id, category or feature is empty or too long."),
        "focus_csv_number": _l(
            "Line %(line)s: %(column)s must be a whole number of 0 or more (got “%(value)s”)."
        ),
        "focus_quota_min_over_max": _l(
            "Line %(line)s: the minimum for %(category)s / %(feature)s is above its maximum."
        ),
        "focus_quota_duplicate": _l("Line %(line)s: %(category)s / %(feature)s is listed twice."),
        "focus_too_many_categories": _l("At most %(max)s categories: ask only what is needed."),
        "focus_pool_missing_category": _l("The pool file has no column “%(category)s”."),
        "focus_pool_too_large": _l("A pool can have at most %(max)s people."),
        "focus_duplicate_volunteer": _l(
            "The volunteer “%(id)s” is already in the pool (line %(line)s). Nothing was imported."
        ),
        "focus_feature_unknown": _l(
            "“%(value)s” is not one of the choices for %(category)s (line %(line)s)."
        ),
        "focus_volunteer_feature_unknown": _l(
            "The volunteer “%(id)s” has a value the quotas do not list: %(detail)s"
        ),
        "focus_purged": _l(
            "The volunteers' attributes were erased after the retention date; this group is closed."
        ),
        "focus_already_drawn": _l(
            "The panel has already been drawn; a lottery is not run twice. Withdrawals are "
            "filled from the reserve."
        ),
        "focus_retention_past": _l("The retention date must be in the future."),
        "focus_quotas_locked": _l(
            "People have already volunteered with these categories: only the seat numbers can "
            "change now."
        ),
        "focus_not_ready": _l("Volunteering opens when staff have set the categories."),
        "focus_consent_required": _l(
            "Please read the personal data notice and tick the box to agree."
        ),
        "focus_notice_changed": _l("The notice has changed; please read it again and agree."),
        "focus_already_volunteered": _l("You have already volunteered for this focus group."),
        "focus_already_withdrawn": _l("This person has already withdrawn."),
        "focus_pool_too_large_for_web": _l(
            "The pool has %(pool)s people: a draw from the page is limited to %(max)s. Run it "
            "with flask --app wsgi focus-groups draw on the server."
        ),
        "focus_audit_invalid": _l("The audit record is not a valid focus-group audit JSON."),
        "focus_volunteer_not_found": _l("No such volunteer in this focus group."),
        "focus_invitation_expired": _l(
            "This invitation link has expired (links are valid for 30 days)."
        ),
        "focus_invitation_invalid": _l(
            "This invitation link is not valid: it may have been copied incompletely or changed."
        ),
        "focus_invitation_bad_address": _l(
            "“%(address)s” is not an e-mail address. Nothing was sent."
        ),
        "focus_invitation_no_address": _l("Give at least one e-mail address."),
        "focus_invitation_too_many": _l("At most %(max)s addresses at a time."),
        "focus_not_drawn": _l("Draw the panel first: a session is for the drawn members."),
        "focus_session_field": _l("Please fill in the field “%(field)s”."),
        "focus_session_too_long": _l(
            "The field “%(field)s” is too long (at most %(max)s characters)."
        ),
        "focus_session_bad_url": _l("The online link must be a full http:// or https:// address."),
        "focus_session_no_venue": _l("Give a place, an online link, or both."),
        "focus_session_thread": _l("Choose a thread of this consultation for the statements."),
        "focus_session_not_found": _l("No such session in this focus group."),
        "focus_notes_no_speaker": _l(
            "Line %(line)s has no speaker: start each turn with the label, e.g. “參與者 A：” or "
            "“A:”, and the facilitator’s with “主持人：”. Nothing was added."
        ),
        "focus_notes_unknown_speaker": _l(
            "Line %(line)s: there is no 參與者 %(label)s in this session (the labels are "
            "%(known)s). Nothing was added."
        ),
        "focus_notes_too_long": _l(
            "The statement starting on line %(line)s is longer than %(max)s characters: split it "
            "with a blank line. Nothing was added."
        ),
        "focus_notes_empty": _l("The notes contain no participant’s statement."),
        "focus_notes_file_too_large": _l("The transcript file is larger than %(max)s MB."),
        "focus_notes_bad_docx": _l("The file is not a readable Word (DOCX) document."),
        "focus_notes_encoding": _l("The text file must be UTF-8 encoded."),
        "focus_notes_file_type": _l("Upload a transcript as a .txt or .docx file."),
        "vote_focus_group_statement": _l(
            "This statement was said at the focus group session: it is not voted on."
        ),
    }
)
