"""Curating themes: every edit is logged, survives re-analysis, and bad edits change nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from deliberation.errors import NotFound, ValidationError
from deliberation.models import Theme, ThemeEdit, ThemeMember
from deliberation.services import analysis_runs, curation
from deliberation.services import moderation as mod_service
from tests.factories import csrf_from, general_thread, login, make_comment, make_user

from .helpers import analyse


def _members(run) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for key, cid in db.session.execute(
        select(Theme.key, ThemeMember.comment_id)
        .join(ThemeMember, ThemeMember.theme_id == Theme.id)
        .where(Theme.run_id == run.id)
    ):
        out.setdefault(key, set()).add(cid)
    return out


def _themes(run) -> dict[str, Theme]:
    return {t.key: t for t in db.session.scalars(select(Theme).where(Theme.run_id == run.id))}


def _edits() -> int:
    return db.session.scalar(select(func.count(ThemeEdit.id))) or 0


def test_every_curation_edit_is_logged_and_survives_a_rerun(analysed, client):
    consultation, run, staff = analysed.consultation, analysed.run, analysed.staff
    before = _members(run)
    moved = sorted(before["T6"])[0]
    split_off = sorted(before["T2"])[:2]
    pinned = sorted(before["T5"])[0]

    curation.rename(db.session, consultation, "T1", "購車補助的金額與資格", actor=staff)
    curation.merge(db.session, consultation, "T3", "T4", actor=staff)
    curation.discard(db.session, consultation, "T6", actor=staff)
    curation.pin(db.session, consultation, "T5", pinned, actor=staff)
    curation.move(db.session, consultation, "T6", [moved], "T1", actor=staff)
    split = curation.split(db.session, consultation, "T2", split_off, "二手車補助", actor=staff)
    db.session.commit()
    new_key = split.payload["new_key"]
    assert new_key == "T7"

    def check(current) -> None:
        themes, members = _themes(current), _members(current)
        assert themes["T1"].label == "購車補助的金額與資格"
        # the merge is theme-level: whatever the model now calls T3 goes into T4
        machine_t3 = set(current.working["machine"]["T3"]) - {moved, *split_off}
        assert "T3" not in themes and machine_t3 and machine_t3 <= members["T4"]
        assert themes["T6"].discarded
        assert pinned in themes["T5"].pinned_ids
        assert moved in members["T1"] and moved not in members["T6"]
        assert themes[new_key].label == "二手車補助"
        assert members[new_key] == set(split_off)
        assert sum(t.size for t in themes.values()) == sum(len(m) for m in members.values())

    check(run)
    # new input, a new run: the machine themes are recomputed and every edit is replayed
    make_comment(general_thread(consultation), body="二手電動機車也應該納入補助，不然買不起新車")
    rerun = analyse(consultation, staff)
    assert rerun.id != run.id and rerun.status == "done"
    check(rerun)
    assert rerun.working["edits_applied"] == 6

    login(client, staff)
    log = client.get(f"/staff/consultations/{consultation.id}/themes/log?lang=en")
    text = log.get_data(as_text=True)
    assert log.status_code == 200 and text.count("<tr>") == 7  # header + six edits
    assert "T3 merged into T4" in text and "購車補助的金額與資格" in text
    api = client.get(f"/api/v1/consultations/{consultation.id}/themes").get_json()
    keys = [t["key"] for t in api["themes"]]
    assert "T3" not in keys and new_key in keys
    assert api["run"]["id"] == rerun.id


def test_merging_a_theme_into_itself_is_refused_and_changes_nothing(analysed, client):
    consultation, run, staff = analysed.consultation, analysed.run, analysed.staff
    before = _members(run)
    login(client, staff)
    page = client.get(f"/staff/consultations/{consultation.id}/themes/T2")
    r = client.post(
        f"/staff/consultations/{consultation.id}/themes/T2/merge?lang=en",
        data={"target": "T2", "csrf_token": csrf_from(page.get_data(as_text=True))},
        follow_redirects=True,
    )
    assert "A theme cannot be merged into itself" in r.get_data(as_text=True)
    api = client.post(
        f"/api/v1/consultations/{consultation.id}/themes/T2/merge",
        json={"target": "T2"},
        headers={"X-CSRFToken": csrf_from(page.get_data(as_text=True))},
    )
    assert api.status_code == 400 and api.get_json()["error"]["code"] == "merge_into_itself"
    assert _members(run) == before and _edits() == 0


def test_splitting_off_zero_comments_is_refused_and_changes_nothing(analysed, client):
    consultation, run, staff = analysed.consultation, analysed.run, analysed.staff
    before = _members(run)
    login(client, staff)
    page = client.get(f"/staff/consultations/{consultation.id}/themes/T1")
    token = csrf_from(page.get_data(as_text=True))
    r = client.post(
        f"/staff/consultations/{consultation.id}/themes/T1/split?lang=en",
        data={"label": "新主題", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Select at least one comment to split off" in r.get_data(as_text=True)
    api = client.post(
        f"/api/v1/consultations/{consultation.id}/themes/T1/split",
        json={"comment_ids": [], "label": "新主題"},
        headers={"X-CSRFToken": token},
    )
    assert api.status_code == 400 and api.get_json()["error"]["code"] == "split_empty"
    assert _members(run) == before and _edits() == 0
    assert set(_themes(run)) == {f"T{i}" for i in range(1, 7)}


def test_unknown_themes_and_foreign_comments_are_refused_with_their_own_codes(analysed):
    consultation, run, staff = analysed.consultation, analysed.run, analysed.staff
    members = _members(run)
    outsider = sorted(members["T2"])[0]
    cases = [
        (lambda: curation.merge(db.session, consultation, "T99", "T1", actor=staff), "theme_not_found"),
        (lambda: curation.move(db.session, consultation, "T1", [outsider], "T3", actor=staff), "comment_not_in_theme"),
        (lambda: curation.pin(db.session, consultation, "T1", outsider, actor=staff), "comment_not_in_theme"),
        (lambda: curation.rename(db.session, consultation, "T1", "   ", actor=staff), "theme_label_required"),
        (lambda: curation.split(db.session, consultation, "T1", sorted(members["T1"]), "全部", actor=staff), "split_everything"),
        (lambda: curation.move(db.session, consultation, "T1", sorted(members["T1"])[:1], "T1", actor=staff), "move_to_same_theme"),
    ]  # fmt: skip
    for call, code in cases:
        try:
            call()
        except (ValidationError, NotFound) as err:
            assert err.code == code
        else:
            raise AssertionError(f"expected {code}")
    assert _members(run) == members and _edits() == 0


def test_a_rerun_skips_edits_whose_comments_were_hidden_since(analysed):
    consultation, run, staff = analysed.consultation, analysed.run, analysed.staff
    members = _members(run)
    first, second = sorted(members["T2"])[:2]
    curation.move(db.session, consultation, "T2", [first, second], "T1", actor=staff)
    curation.pin(db.session, consultation, "T1", first, actor=staff)
    db.session.commit()
    mod_service.act_on_comment(
        db.session, first, actor=make_user("moderator"), action="hide", reason="spam"
    )
    db.session.commit()
    rerun = analyse(consultation)
    after = _members(rerun)
    assert first not in set().union(*after.values())
    assert second in after["T1"]
    assert _themes(rerun)["T1"].pinned_ids == []


def test_the_workspace_pages_show_themes_members_and_curation_forms(analysed, client):
    consultation, run, staff = analysed.consultation, analysed.run, analysed.staff
    theme = _themes(run)["T1"]
    login(client, staff)
    page = client.get(f"/staff/consultations/{consultation.id}/themes?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert theme.label in html and "Opinion groups" in html and "Representative comments" in html
    assert 'class="aw-stance"' in html and "analysis_web.js" in html
    detail = client.get(f"/staff/consultations/{consultation.id}/themes/T1?lang=en")
    html = detail.get_data(as_text=True)
    assert "Merge this theme into" in html and 'name="comment_ids"' in html
    assert f"{theme.size} matching comments" in html
    word = theme.keywords[0]
    searched = client.get(
        f"/staff/consultations/{consultation.id}/themes/T1", query_string={"q": word, "lang": "en"}
    ).get_data(as_text=True)
    assert word in searched and "matching comments" in searched
    token = csrf_from(html)
    r = client.post(
        f"/staff/consultations/{consultation.id}/themes/T1/rename",
        data={"label": "充電與補助", "csrf_token": token},
    )
    assert r.status_code == 303
    assert db.session.scalar(select(Theme.label).where(Theme.id == theme.id)) == "充電與補助"
    assert analysis_runs.latest_run(db.session, consultation.id).id == run.id
