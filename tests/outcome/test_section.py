"""The section as data: what it counts, what it quotes, and what it leaves out."""

from __future__ import annotations

import pytest

from app.extensions import db
from deliberation.errors import Conflict, Forbidden, NotAuthenticated
from deliberation.outcome import build_section
from tests.factories import general_thread, make_agency, make_comment

from .helpers import HIDDEN_TEXT, PENDING_TEXT, make_plan


def _section(scene, actor=None, **kwargs):
    return build_section(db.session, scene.plan.id, actor=actor or scene.lead_staff, **kwargs)


def _figures(consultation):
    return {f.key: f for f in consultation.figures}


def _all_text(section) -> str:
    return repr(section.to_dict())


def test_hidden_and_pending_comments_never_enter_a_count_a_theme_a_quote_or_a_group(scene):
    section = _section(scene)
    (c,) = section.consultations
    figures = _figures(c)
    assert (
        figures["participation_comments"].value == 2
    )  # subsidy and charging; hidden and pending left out
    assert figures["participation_replies"].value == 1
    assert (
        figures["participation_votes"].value == 3
    )  # the vote on the hidden comment is not counted
    t1 = next(t for t in c.themes if t.key == "T1")
    assert scene.c["hidden"].id not in t1.member_ids
    assert scene.c["pending"].id not in t1.member_ids
    assert t1.size == 3  # subsidy, reply, dcard: the snapshot said 5
    assert t1.stance == {"agree": 1, "disagree": 1, "pass": 0}
    quoted = [q.comment_id for q in t1.quotes]
    assert scene.c["hidden"].id not in quoted and scene.c["pending"].id not in quoted
    statements = [s.comment_id for g in c.groups for s in g.statements]
    statements += [s.comment_id for s in c.consensus]
    assert scene.c["hidden"].id not in statements and scene.c["pending"].id not in statements
    text = _all_text(section)
    assert "HIDDENSECRET" not in text and "PENDINGSECRET" not in text
    assert HIDDEN_TEXT and PENDING_TEXT  # the texts exist in the database, just not here


def test_imported_posts_are_counted_separately_per_platform_and_not_as_participants(scene):
    (c,) = _section(scene).consultations
    platforms = {p.platform: p for p in c.imported}
    assert platforms["ptt"].comments == 2 and platforms["ptt"].participants == 2
    assert platforms["dcard"].comments == 1
    figures = _figures(c)
    assert figures["participation_imported_comments"].value == 3
    # four citizens posted visible comments... one only posted hidden/pending ones; two voters.
    assert figures["participation_people"].value == 5
    assert {ch.name for ch in c.channels} == {"zhongyi", "ptt", "dcard"}


def test_every_figure_says_what_it_counts(scene):
    section = _section(scene)
    (c,) = section.consultations
    for figure in [*c.figures, *section.totals]:
        assert figure.counts and figure.label
    assert "可見" in _figures(c)["participation_comments"].counts
    for platform in c.imported:
        assert platform.platform_label in platform.counts
    english = _section(scene, lang="en")
    assert (
        "Visible top-level comments"
        in _figures(english.consultations[0])["participation_comments"].counts
    )


def test_moderation_figures_count_flags_and_hides(scene):
    figures = _figures(_section(scene).consultations[0])
    assert figures["participation_flags"].value == 1
    assert figures["participation_moderator_hidden"].value == 1


def test_themes_are_ordered_by_size_without_discarded_ones_and_quote_pinned_comments_first(scene):
    (c,) = _section(scene).consultations
    assert [t.key for t in c.themes] == ["T1", "T2"]  # T3 was discarded by the curator
    t1 = c.themes[0]
    assert [q.comment_id for q in t1.quotes] == [
        scene.c["reply"].id,  # pinned (the pinned pending one is skipped)
        scene.c["subsidy"].id,
        scene.c["dcard"].id,
    ]
    assert t1.quotes[0].pinned and not t1.quotes[1].pinned
    assert t1.quotes[0].permalink == f"/comments/{scene.c['reply'].id}"
    assert t1.quotes[1].text == "支持提高補助金額，減輕家庭負擔"  # plain text, no markup
    assert t1.quotes[2].platform == "dcard"


def test_a_stale_snapshot_is_flagged_once_the_input_changes(scene):
    section = _section(scene)
    assert not section.stale and not section.consultations[0].run.stale
    make_comment(general_thread(scene.consultation), body="分析後的新留言")
    section = _section(scene)
    assert section.stale and section.consultations[0].run.stale
    assert "過時" in section.stale_label
    assert any("過時" in note for note in section.notes)


def test_agency_staff_see_draft_responses_marked_and_reviewers_only_published_ones(scene):
    staff = _section(scene, scene.co_staff)
    t2 = next(t for t in staff.consultations[0].themes if t.key == "T2")
    assert staff.include_drafts and t2.response is not None and not t2.response.published
    assert t2.response.due_date and t2.response.responsible_unit == "產業處"
    reviewer = _section(scene, scene.reviewer)
    t2 = next(t for t in reviewer.consultations[0].themes if t.key == "T2")
    assert not reviewer.include_drafts and t2.response is None
    assert "DRAFTREASON" not in _all_text(reviewer)
    assert "僅列已發布" in reviewer.audience_note
    t1 = next(t for t in reviewer.consultations[0].themes if t.key == "T1")
    assert t1.response.disposition == "adopted" and t1.response.disposition_label == "採納"
    # staff may ask for the reviewers' view
    assert not _section(scene, scene.lead_staff, include_drafts=False).include_drafts


def test_reviewers_cannot_ask_for_drafts(scene):
    assert not _section(scene, scene.reviewer, include_drafts=True).include_drafts


def test_opinion_groups_and_consensus_statements_come_from_the_run(scene):
    (c,) = _section(scene).consultations
    assert [g.label for g in c.groups] == ["意見群 A", "意見群 B"]
    assert c.groups[0].size == 2
    assert [s.comment_id for s in c.groups[0].statements] == [scene.c["subsidy"].id]
    assert [s.comment_id for s in c.consensus] == [scene.c["charging"].id]
    assert c.consensus[0].direction == "agree"


def test_a_run_without_groups_gives_an_empty_list_not_an_error(scene):
    scene.run.groups = None
    db.session.commit()
    (c,) = _section(scene).consultations
    assert c.groups == [] and c.consensus == [] and c.themes


def test_the_run_snapshot_is_described(scene):
    run = _section(scene).consultations[0].run
    assert run.id == scene.run.id and run.code_version == "0.1.0+test"
    assert run.input_counts["comments"] == 6 and "0.1.0+test" in run.summary


def test_per_day_series_counts_visible_items_by_taipei_date(scene):
    section = _section(scene)
    days = section.per_day
    assert sum(d.comments for d in days) == 2
    assert sum(d.replies for d in days) == 1
    assert sum(d.imported for d in days) == 3
    assert sum(d.votes for d in days) == 3
    assert len(days) == 2  # imported posts carry their original date, two days earlier


def test_the_plans_changes_are_part_of_the_section(scene):
    section = _section(scene)
    assert "5,000" in section.changes_text and "<li>" in section.changes_html


def test_a_plan_without_a_consultation_is_a_clear_error(scene):
    plan = make_plan(make_agency("NDC"), [])
    with pytest.raises(Conflict) as error:
        build_section(db.session, plan.id, actor=scene.lead_staff)
    assert error.value.code == "plan_has_no_consultation"


def test_only_the_plans_agencies_reviewers_and_admins_may_read_it(scene):
    for actor in (scene.lead_staff, scene.co_staff, scene.reviewer, scene.admin):
        assert _section(scene, actor).plan_id == scene.plan.id
    for actor in (scene.other_staff, scene.citizen):
        with pytest.raises(Forbidden):
            build_section(db.session, scene.plan.id, actor=actor)
    with pytest.raises(NotAuthenticated):
        build_section(db.session, scene.plan.id, actor=None)
