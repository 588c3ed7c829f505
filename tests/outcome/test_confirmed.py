"""The outcome section says how many comments staff confirmed in the theme workspace."""

from __future__ import annotations

from app.extensions import db
from deliberation.outcome import build_section
from deliberation.services import curation


def _summary(scene, lang: str = "zh-TW") -> str:
    (c,) = build_section(db.session, scene.plan.id, actor=scene.lead_staff, lang=lang).consultations
    assert c.run is not None
    return c.run.summary


def test_the_analysis_line_states_how_many_comments_staff_confirmed(scene):
    assert "承辦人員已確認 0 則留言的主題歸屬。" in _summary(scene)
    curation.edit(
        db.session,
        scene.consultation,
        "confirm",
        {"key": "T2", "comment_ids": [scene.c["charging"].id, scene.c["ptt1"].id]},
        actor=scene.lead_staff,
    )
    curation.move(
        db.session, scene.consultation, "T1", [scene.c["subsidy"].id], "T2", actor=scene.lead_staff
    )
    db.session.commit()
    assert "承辦人員已確認 3 則留言的主題歸屬。" in _summary(scene)
    assert "Staff confirmed the theme of 3 comments." in _summary(scene, "en")
