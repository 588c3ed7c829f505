"""poll.csv of the open dataset: each answer of the consultation's quick poll counted, raw and
weighted, once the consultation has closed (results are not public before). Counts below k are
shown as "<k" and their shares left empty, like every small cell of the dataset."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from ..models import Consultation
from ..polls import queries as poll_queries
from ..polls import results
from .rules import is_final, suppress


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def poll_rows(session: Session, consultation: Consultation, k: int) -> Iterator[list[str]]:
    """One row per question and answer option; nothing while the consultation is open."""
    poll = poll_queries.poll_of(session, consultation.id)
    if poll is None or not is_final(consultation.status):
        return
    out = results.poll_results(session, poll)
    for q in out.questions:
        for o in q.options:
            small = 0 < o.count < k
            yield [
                str(q.position),
                q.prompt,
                q.kind,
                o.label,
                suppress(o.count, k),
                "" if small else _number(o.share),
                "" if small else _number(o.weighted_share),
                "" if small else _number(o.moe),
            ]
