"""The background job: rebuild a closed or concluded consultation's dataset after its data
changed (declared by deliberation/opendata/refresh.py), so the first researcher to download it
does not wait for the build."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from deliberation.models import Consultation
from deliberation.opendata.rules import is_final

from .helpers import ensure


def refresh(session: Session, consultation_id: int) -> None:
    """Build the dataset now if its data changed since the last build (OPEN_DATA_PREBUILD)."""
    if not current_app.config.get("OPEN_DATA_PREBUILD", True):
        return
    consultation = session.get(Consultation, consultation_id)
    if consultation is None or not is_final(consultation.status):
        return
    ensure(consultation)
