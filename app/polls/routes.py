"""Pages: the staff's poll builder and margins, the answer page, the results page."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from deliberation.errors import DomainError, Forbidden
from deliberation.models import Consultation, utcnow
from deliberation.polls import operations, queries, results, rules
from deliberation.services import consultations

from ..errors import message_for, status_for
from ..extensions import db
from ..security import current_actor
from ..transaction import discard_changes
from . import bp
from .views import consultation_for_staff, refusal_text


def _questions_from_form() -> list[dict[str, Any]]:
    """The builder's ten slots; a slot whose question is blank is left out."""
    out = []
    for i in range(1, rules.MAX_QUESTIONS + 1):
        prompt = request.form.get(f"q{i}_prompt", "").strip()
        if not prompt:
            continue
        out.append(
            {
                "kind": request.form.get(f"q{i}_kind", "single"),
                "prompt": prompt,
                "options": request.form.get(f"q{i}_options", "").splitlines(),
            }
        )
    return out


def _margins_text(consultation_id: int) -> str:
    rows = queries.margins_of(db.session, consultation_id)
    lines = [",".join(rules.MARGIN_COLUMNS)] + [
        f"{m.category},{m.feature},{m.share:g}" for m in rows
    ]
    return "\n".join(lines) + "\n" if rows else ""


def _render_staff(
    consultation: Consultation,
    *,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
):
    poll = queries.poll_of(db.session, consultation.id)
    outcome = results.poll_results(db.session, poll) if poll is not None else None
    return (
        render_template(
            "polls/staff.html",
            consultation=consultation,
            poll=poll,
            slots=range(1, rules.MAX_QUESTIONS + 1),
            responses=queries.response_count(db.session, poll) if poll else 0,
            result=outcome,
            refusal=refusal_text(outcome) if outcome else None,
            picture=results.representativeness(db.session, consultation),
            margins_text=(form or {}).get("margins_csv", _margins_text(consultation.id)),
            margins_source=(form or {}).get(
                "source", queries.margins_source(db.session, consultation.id)
            ),
            error=error,
        ),
        status,
    )


@bp.get("/staff/consultations/<int:consultation_id>/poll")
def staff_page(consultation_id: int):
    consultation, _actor = consultation_for_staff(consultation_id)
    return _render_staff(consultation)


@bp.post("/staff/consultations/<int:consultation_id>/poll")
def save_poll(consultation_id: int):
    consultation, actor = consultation_for_staff(consultation_id)
    try:
        operations.save_poll(
            db.session,
            consultation,
            actor=actor,
            title=request.form.get("title", ""),
            questions=_questions_from_form(),
        )
    except DomainError as error:
        discard_changes()
        text = message_for(error.code, **error.params)
        return _render_staff(consultation, error=text, status=status_for(error))
    flash(_("The poll was saved."), "success")
    return redirect(url_for("polls.staff_page", consultation_id=consultation_id))


@bp.post("/staff/consultations/<int:consultation_id>/poll/margins")
def save_margins(consultation_id: int):
    consultation, actor = consultation_for_staff(consultation_id)
    text = request.form.get("margins_csv", "")
    source = request.form.get("source", "")
    try:
        margins = rules.parse_margins(text)
        operations.set_margins(db.session, consultation, margins, actor=actor, source=source)
    except DomainError as error:
        discard_changes()
        return _render_staff(
            consultation,
            error=message_for(error.code, **error.params),
            status=status_for(error),
            form={"margins_csv": text, "source": source},
        )
    flash(_("The population margins were saved."), "success")
    return redirect(url_for("polls.staff_page", consultation_id=consultation_id))


def _render_answer(
    consultation: Consultation,
    *,
    error: str | None = None,
    status: int = 200,
    given: dict[str, Any] | None = None,
):
    actor = current_actor()
    poll = queries.require_poll(db.session, consultation.id)
    mine = queries.response_of(db.session, poll, actor)
    categories = rules.categories_of(queries.margins_of(db.session, consultation.id))
    answers = given["answers"] if given else (mine.answers if mine else {})
    demographics = given["demographics"] if given else ((mine.demographics or {}) if mine else {})
    return (
        render_template(
            "polls/answer.html",
            consultation=consultation,
            poll=poll,
            mine=mine,
            answers=answers,
            demographics=demographics,
            categories=categories if poll.purged_at is None else {},
            refusal=rules.answer_refusal(actor, consultation, utcnow()),
            results_visible=rules.results_visible(actor, consultation),
            error=error,
        ),
        status,
    )


@bp.get("/consultations/<int:consultation_id>/poll")
def answer_page(consultation_id: int):
    consultation = consultations.get_consultation(db.session, consultation_id, current_actor())
    return _render_answer(consultation)


def _answers_from_form(poll) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for q in poll.questions:
        values = request.form.getlist(f"q_{q.id}")
        out[str(q.id)] = values if q.kind == "multi" else (values[0] if values else "")
    return out


@bp.post("/consultations/<int:consultation_id>/poll")
def answer(consultation_id: int):
    actor = current_actor()
    consultation = consultations.get_consultation(db.session, consultation_id, actor)
    poll = queries.require_poll(db.session, consultation_id)
    categories = rules.categories_of(queries.margins_of(db.session, consultation_id))
    given = _answers_from_form(poll)
    demographics = {c: request.form.get(f"demo_{i}", "") for i, c in enumerate(categories)}
    try:
        _row, created = operations.answer(
            db.session,
            poll,
            actor=actor,
            answers=given,
            demographics=demographics,
            consent=request.form.get("consent") == "yes",
            notice_version=request.form.get("notice_version", ""),
        )
    except DomainError as error:
        discard_changes()
        if error.code == "not_authenticated":
            raise
        return _render_answer(
            consultation,
            error=message_for(error.code, **error.params),
            status=status_for(error),
            given={"answers": _as_indexes(given), "demographics": demographics},
        )
    flash(
        _("Thank you: your answers were recorded.") if created else _("Your answers were updated."),
        "success",
    )
    return redirect(url_for("polls.answer_page", consultation_id=consultation_id))


def _as_indexes(given: dict[str, Any]) -> dict[str, list[int]]:
    """The form's values as the template reads saved answers (so a refused form keeps them)."""
    out: dict[str, list[int]] = {}
    for key, raw in given.items():
        values = raw if isinstance(raw, list) else [raw]
        out[key] = [int(v) for v in values if str(v).isdigit()]
    return out


@bp.get("/consultations/<int:consultation_id>/poll/results")
def results_page(consultation_id: int):
    actor = current_actor()
    consultation = consultations.get_consultation(db.session, consultation_id, actor)
    poll = queries.require_poll(db.session, consultation_id)
    if not rules.results_visible(actor, consultation):
        raise Forbidden("poll_results_after_close")
    outcome = results.poll_results(db.session, poll)
    return render_template(
        "polls/results.html",
        consultation=consultation,
        poll=poll,
        result=outcome,
        refusal=refusal_text(outcome),
        picture=results.representativeness(db.session, consultation),
    )
