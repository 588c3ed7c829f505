"""What the poll pages share: the staff check, the consultation page's poll card, and the
results and representativeness as the templates and the API show them."""

from __future__ import annotations

from typing import Any

from deliberation.errors import Forbidden, NotAuthenticated
from deliberation.models import Consultation, User
from deliberation.polls import queries, results, rules
from deliberation.services import consultations

from ..errors import message_for
from ..extensions import db
from ..security import current_actor


def consultation_for_staff(consultation_id: int) -> tuple[Consultation, User]:
    """The consultation, after the one rule: 401 without an account, 403 for anyone but its staff."""
    actor = current_actor()
    consultation = consultations.get_consultation(db.session, consultation_id, actor)
    if actor is None:
        raise NotAuthenticated()
    if not rules.can_manage(actor, consultation):
        raise Forbidden("poll_staff_only")
    return consultation, actor


def refusal_text(result: results.PollResults) -> str | None:
    """Why the weighted figures are missing, in the reader's language."""
    if result.refusal is None:
        return None
    return message_for(result.refusal, **result.refusal_params)


def results_json(result: results.PollResults) -> dict[str, Any]:
    """The results as the API gives them (shares 0–1; MoE at 95 %, per answer)."""
    return {
        "poll_id": result.poll_id,
        "title": result.title,
        "respondents": result.respondents,
        "with_demographics": result.with_demographics,
        "weighted": result.weighted,
        "refusal": result.refusal,
        "refusal_params": result.refusal_params,
        "refusal_message": refusal_text(result),
        "design_effect": result.design_effect,
        "effective_n": result.effective_n,
        "questions": [
            {
                "id": q.id,
                "position": q.position,
                "kind": q.kind,
                "prompt": q.prompt,
                "answered": q.answered,
                "weighted_answered": q.weighted_answered,
                "design_effect": q.design_effect,
                "effective_n": q.effective_n,
                "mean": q.mean,
                "weighted_mean": q.weighted_mean,
                "options": [o.__dict__ for o in q.options],
            }
            for q in result.questions
        ],
    }


def representativeness_json(picture: results.Representativeness | None) -> dict[str, Any] | None:
    if picture is None:
        return None
    return {
        "source": picture.source,
        "groups": {g.kind: {"people": g.people, "known": g.known} for g in picture.groups},
        "rows": picture.rows(),
    }


def poll_card(consultation: Consultation) -> dict[str, Any]:
    """For the consultation page: the poll (if any), whether results are public, and after the
    close the representativeness picture."""
    actor = current_actor()
    poll = queries.poll_of(db.session, consultation.id)
    visible = rules.results_visible(actor, consultation)
    picture = None
    if consultation.status in ("closed", "concluded"):
        picture = results.representativeness(db.session, consultation)
    return {"poll": poll, "results_visible": visible, "picture": picture}
