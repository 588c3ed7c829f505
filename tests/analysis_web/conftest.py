"""Fixtures for this package; its helpers are in helpers.py."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.extensions import db
from deliberation.models import AnalysisRun, Consultation, User
from tests.factories import general_thread, make_consultation, make_user

from .helpers import (  # noqa: F401  (names test files imported from here before helpers.py)
    SYNTHETIC,
    _tokens,
    analyse,
    fill,
    synthetic,
)


@pytest.fixture(autouse=True)
def quick_themes(app, monkeypatch):
    """Six themes, no k selection: the selection is the slow part and is tested in analysis/."""
    monkeypatch.setitem(app.config, "ANALYSIS_THEME_PARAMS", {"n_themes": 6})


@pytest.fixture
def staff(app):
    return make_user("staff")


@pytest.fixture
def filled(session, staff):
    """A consultation of `staff`'s agency with 120 synthetic comments and votes."""
    consultation = make_consultation(staff=staff)
    ids = fill(general_thread(consultation))
    return consultation, ids


@dataclass
class Analysed:
    """A consultation filled like `filled` and analysed once (six themes), and its staff."""

    consultation: Consultation
    ids: list[int]
    run: AnalysisRun
    staff: User


@pytest.fixture(scope="module")
def analysed_once(app, module_scene) -> dict:
    """The fill and the analysis `analysed` starts from, made once for the module: the same
    120 comments give the same fit, so the tests that only start from it share it."""
    with pytest.MonkeyPatch.context() as patch, module_scene():
        patch.setitem(app.config, "ANALYSIS_THEME_PARAMS", {"n_themes": 6})  # as quick_themes
        staff = make_user("staff")
        consultation = make_consultation(staff=staff)
        ids = fill(general_thread(consultation))
        run = analyse(consultation)
        return {"consultation": consultation.id, "ids": ids, "run": run.id, "staff": staff.id}


@pytest.fixture
def analysed(session, analysed_once) -> Analysed:
    """What `filled` gives plus `analyse(consultation)` done, in this test's session."""
    return Analysed(
        consultation=db.session.get(Consultation, analysed_once["consultation"]),
        ids=list(analysed_once["ids"]),
        run=db.session.get(AnalysisRun, analysed_once["run"]),
        staff=db.session.get(User, analysed_once["staff"]),
    )
