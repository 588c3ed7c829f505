"""Datasets ready before anyone asks: a change to a closed or concluded consultation's data
(its analysis run finished, responses published, concluded) declares a rebuild of its dataset
once the change commits (app/opendata/jobs.py). A download still checks the dataset is
current and builds it when it is not; this only moves the wait off the researcher."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, scoped_session

from ..models import Consultation
from ..outbox import after_commit
from .rules import is_final

REFRESH = "opendata.refresh"


def dataset_changed(session: Session | scoped_session[Any], consultation: Consultation) -> None:
    """Declare the rebuild (closed and concluded consultations; open ones are built on request)."""
    if is_final(consultation.status):
        after_commit(session, REFRESH, consultation.id)
