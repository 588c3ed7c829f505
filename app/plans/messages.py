"""Words for the plans area: error codes, dispositions, plan states and checklist reasons."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from ..errors import MESSAGES

MESSAGES.update(
    {
        "plan_staff_only": _l("Only agency staff can create a plan, for their own agency."),
        "plan_not_found": _l("That plan does not exist."),
        "plan_forbidden": _l(
            "Only staff of the plan's lead and co-agencies, and reviewers, can see this plan."
        ),
        "not_lead_agency": _l("Only staff of the plan's lead agency can change it."),
        "plan_locked": _l(
            "This plan is with the reviewers or already accepted; it cannot be changed now."
        ),
        "invalid_budget": _l("The budget must be a whole number of NT$ thousands, 0 or more."),
        "period_out_of_order": _l("The end of the period must not be before its start."),
        "indicator_name_required": _l("Every performance indicator needs a name."),
        "indicator_too_long": _l(
            "An indicator's name and target can be at most %(max)s characters each."
        ),
        "too_many_indicators": _l("A plan can have at most %(max)s performance indicators."),
        "unknown_consultation": _l("Consultation #%(id)s does not exist."),
        "unknown_agency": _l("There is no agency with the code “%(agency)s”."),
        "note_empty": _l("Please write something before posting."),
        "invalid_disposition": _l(
            "Please choose a disposition: adopted, partly adopted, not adopted or under study."
        ),
        "reasoning_too_long": _l("The reasoning can be at most %(max)s characters."),
        "unit_too_long": _l("The responsible unit can be at most %(max)s characters."),
        "reasoning_required": _l(
            "The response to “%(label)s” needs its reasoning before it can be published."
        ),
        "no_analysis_run": _l("This consultation has no finished analysis yet; run it first."),
        "theme_not_found": _l("There is no theme “%(key)s” in the latest analysis."),
        "response_not_found": _l("This theme has no response yet."),
        "response_missing": _l("“%(label)s” has no response yet; save one before publishing."),
        "nothing_to_publish": _l("There are no responses to publish yet."),
        "reviewers_only": _l("Only reviewers can record a decision on a plan."),
        "invalid_review_decision": _l("A decision is either accept or return with comments."),
        "return_needs_comments": _l("Please say what must change when returning a plan."),
        "plan_not_submitted": _l("Only a plan sent for review can be decided."),
    }
)

DISPOSITIONS: dict[str, Any] = {
    "adopted": _l("Adopted"),
    "partly": _l("Partly adopted"),
    "not_adopted": _l("Not adopted"),
    "under_study": _l("Under study"),
}

PLAN_STATUSES: dict[str, Any] = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted for review"),
    "returned": _l("Returned with comments"),
    "accepted": _l("Accepted"),
}

DECISIONS: dict[str, Any] = {
    "accept": _l("Accept"),
    "return": _l("Return with comments"),
}

CHECKS: dict[str, Any] = {
    "plan_summary": _l("The plan's summary is written"),
    "plan_changes": _l("Section 4, what changed in the plan, is written"),
    "plan_period": _l("The plan period is set"),
    "consultations_closed": _l("Linked consultations are closed"),
    "analysis_final": _l("Analysis run on the final data"),
    "responses_published": _l("Every theme has a published response with reasoning"),
    "no_overdue": _l("No response is overdue"),
    "participation": _l("Participation figures are present"),
    "outcome_current": _l("The outcome section comes from the latest snapshot"),
}

SECTIONS: dict[str, Any] = {
    "plan_summary": _l("The summary"),
    "plan_changes": _l("Section 4 (what changed in the plan)"),
}

REASONS: dict[str, Any] = {
    "section_empty": _l("%(section_name)s is empty."),
    "section_placeholder": _l(
        "%(section_name)s holds only a placeholder (“%(text)s”), not the agency's own words."
    ),
    "section_written": _l("%(section_name)s is written."),
    "period_missing": _l("The plan has no start or no end date."),
    "period_set": _l("The plan period is set."),
    "no_consultations": _l("No consultation is linked to this plan."),
    "consultation_not_closed": _l("“%(title)s” is still open or a draft."),
    "all_closed": _l("All %(count)s linked consultations are closed."),
    "no_analysis": _l("“%(title)s” has no finished analysis."),
    "analysis_while_open": _l(
        "“%(title)s” is not closed, so its analysis cannot be on the final data."
    ),
    "analysis_stale": _l(
        "Comments, votes or moderation of “%(title)s” changed after its latest analysis."
    ),
    "analysis_final_ok": _l("Each consultation's latest analysis matches its final data."),
    "themes_unanswered": _l(
        "%(count)s theme(s) of “%(title)s” have no published response with reasoning: %(themes)s"
    ),
    "all_answered": _l("Every theme has a published response."),
    "responses_overdue": _l("%(count)s response(s) are past their due date and not done."),
    "none_overdue": _l("No follow-up is past its due date."),
    "no_participation": _l("“%(title)s” has no visible comment or imported item."),
    "participation_ok": _l("%(count)s visible comments and imported items."),
    "newer_run_pending": _l("A newer analysis of “%(title)s” has not finished."),
    "newer_run_failed": _l("The newest analysis of “%(title)s” failed."),
    "snapshot_stale": _l(
        "The latest snapshot of “%(title)s” is out of date; run the analysis again."
    ),
    "outcome_current_ok": _l("The outcome section is generated from each latest snapshot."),
}


def label(table: dict[str, Any], code: str | None) -> str:
    if not code:
        return ""
    value = table.get(code)
    return str(value) if value is not None else code


def reason_text(code: str, params: dict[str, Any] | None = None) -> str:
    template = REASONS.get(code)
    if template is None:
        return code
    params = dict(params or {})
    if "section" in params:
        params["section_name"] = label(SECTIONS, str(params["section"]))
    try:
        return str(template) % params
    except (KeyError, ValueError, TypeError):
        return str(template)
