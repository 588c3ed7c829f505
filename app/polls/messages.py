"""Words for the poll area's error codes and the refusals of weighting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..errors import MESSAGES

MESSAGES.update(
    {
        "poll_not_found": _l("This consultation has no poll."),
        "poll_staff_only": _l("Only the consultation's staff can manage its poll."),
        "poll_results_after_close": _l("The results are published when the consultation closes."),
        "poll_bad_title": _l("The poll needs a title of at most %(max)s characters."),
        "poll_no_questions": _l("Write at least one question."),
        "poll_too_many_questions": _l("A poll has at most %(max)s questions."),
        "poll_bad_kind": _l(
            "Question %(number)s: choose single choice, multiple choice or 1–5 scale."
        ),
        "poll_bad_prompt": _l(
            "Question %(number)s: the question is empty or longer than %(max)s characters."
        ),
        "poll_bad_options": _l(
            "Question %(number)s: give between 2 and %(max)s options, one a line."
        ),
        "poll_option_too_long": _l(
            "Question %(number)s: an option is longer than %(max)s characters."
        ),
        "poll_duplicate_option": _l("Question %(number)s: an option is listed twice."),
        "poll_locked": _l(
            "People have already answered: the questions and options can no longer change (the "
            "title can)."
        ),
        "poll_one_answer": _l("Question %(number)s takes one answer."),
        "poll_bad_answer": _l("Question %(number)s: that is not one of its options."),
        "poll_empty_answer": _l("Answer at least one question."),
        "poll_closed": _l(
            "The consultation is not open: answers can no longer be given or changed."
        ),
        "poll_consent_required": _l(
            "To give the optional background questions, please read the personal data notice and "
            "tick the box to agree (or leave them blank)."
        ),
        "poll_notice_changed": _l("The notice has changed; please read it again and agree."),
        "poll_purged": _l("Background answers are no longer collected for this poll."),
        "poll_feature_unknown": _l("“%(value)s” is not one of the choices for %(category)s."),
        "poll_answered_concurrently": _l(
            "Your answer was just saved from another window or tab. Reload the page to see it; "
            "you can still change it."
        ),
        "poll_margins_empty": _l("The margins are empty."),
        "poll_margins_columns": _l("The columns must be %(expected)s (got: %(got)s)."),
        "poll_margins_row": _l("Line %(line)s must have three values: category, feature, percent."),
        "poll_margins_name": _l("Line %(line)s: a category or feature is empty or too long."),
        "poll_margins_number": _l("Line %(line)s: “%(value)s” is not a percentage from 0 to 100."),
        "poll_margins_duplicate": _l(
            "Line %(line)s: this feature of %(category)s is listed twice."
        ),
        "poll_too_many_categories": _l("At most %(max)s categories: ask only what is needed."),
        "poll_margins_features": _l("%(category)s needs between 2 and %(max)s features."),
        "poll_margins_sum": _l(
            "The shares of %(category)s add up to %(total)s %%, not 100 %% (± 0.1). Nothing was "
            "saved."
        ),
        "poll_margins_locked": _l(
            "Respondents have already answered the background questions: only the percentages "
            "can change, not the categories or their features."
        ),
        # Why weighted results are missing (analysis.weighting.RakingError codes).
        "poll_no_margins": _l(
            "No population margins have been entered, so there is nothing to weight to."
        ),
        "poll_no_demographics": _l("No respondent has answered every background question yet."),
        "weighting_empty_cell": _l(
            "Weighting is impossible: no respondent has %(feature)s in %(category)s, but the "
            "population does. Merge it with a neighbouring feature in the margins, or wait for "
            "more answers."
        ),
        "weighting_unknown_feature": _l(
            "Weighting is impossible: respondents have %(feature)s in %(category)s, which the "
            "margins do not list."
        ),
        "weighting_no_respondents": _l("No respondent has answered every background question yet."),
        "weighting_no_margins": _l(
            "No population margins have been entered, so there is nothing to weight to."
        ),
        "weighting_length_mismatch": _l(
            "Weighting is impossible: the background answers are incomplete."
        ),
        "weighting_not_converged": _l(
            "Weighting did not converge: these respondents cannot match every margin at once."
        ),
    }
)
