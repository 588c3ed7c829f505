"""Staff and the analysis teaching each other: confidence and the 待確認 list, confirmations,
quotes refreshed after a merge, coherence flags with a pre-filled split, and moves that become
examples for the next guided run."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from deliberation.models import Theme, ThemeEdit, ThemeMember
from deliberation.services import analysis_runs, curation, theme_learning, theme_settings
from tests.factories import api_csrf, csrf_from, login, make_agency, make_user

from .helpers import analyse

SEEDS = json.loads(
    (Path(__file__).parents[1] / "unit" / "analysis" / "seeds" / "ev-scooter.json").read_text(
        encoding="utf-8"
    )
)


def _members(run) -> dict[str, dict[int, float]]:
    out: dict[str, dict[int, float]] = {}
    for key, cid, weight in db.session.execute(
        select(Theme.key, ThemeMember.comment_id, ThemeMember.weight)
        .join(ThemeMember, ThemeMember.theme_id == Theme.id)
        .where(Theme.run_id == run.id)
    ):
        out.setdefault(key, {})[cid] = weight
    return out


def test_every_member_has_a_confidence_and_the_least_certain_are_listed_first(analysed, client):
    consultation, run, staff = analysed.consultation, analysed.run, analysed.staff
    weights = [w for m in _members(run).values() for w in m.values()]
    assert all(0.0 <= w < 1.0 for w in weights) and len(set(weights)) > 10
    login(client, staff)
    api = client.get(f"/api/v1/consultations/{consultation.id}/themes").get_json()
    review = api["to_confirm"]
    assert review and [e["confidence"] for e in review] == sorted(e["confidence"] for e in review)
    assert review[0]["confidence"] == min(weights)
    t1 = next(t for t in api["themes"] if t["key"] == "T1")
    assert set(t1["confidence"]) == {str(c) for c in t1["member_comment_ids"]}
    assert 0 <= t1["coherence"] <= 1
    page = client.get(f"/staff/consultations/{consultation.id}/themes").get_data(as_text=True)
    assert "待確認" in page
    en = client.get(f"/staff/consultations/{consultation.id}/themes?lang=en").get_data(as_text=True)
    assert "To confirm" in en and "0 comments confirmed by staff so far." in en
    assert f"#{review[0]['comment_id']}" in en


def test_confirming_a_comment_makes_it_certain_and_counts_it(analysed, client):
    consultation, run, staff = analysed.consultation, analysed.run, analysed.staff
    login(client, staff)
    first = theme_learning.to_review(db.session, run)[0]
    base = f"/staff/consultations/{consultation.id}/themes"
    token = csrf_from(client.get(base).get_data(as_text=True))
    r = client.post(
        f"{base}/{first['key']}/confirm",
        data={"csrf_token": token, "comment_ids": str(first["comment_id"])},
    )
    assert r.status_code == 303 and r.headers["Location"].endswith("#review")
    db.session.expire_all()
    assert _members(run)[first["key"]][first["comment_id"]] == 1.0
    assert first["comment_id"] not in {
        e["comment_id"] for e in theme_learning.to_review(db.session, run)
    }
    assert theme_learning.confirmed_count(db.session, consultation.id) == 1
    page = client.get(f"{base}?lang=en").get_data(as_text=True)
    assert "1 comments confirmed by staff so far." in page
    # confirming a comment under a theme it is not in is refused, nothing logged
    other = next(k for k in _members(run) if k != first["key"])
    r = client.post(
        f"/api/v1/consultations/{consultation.id}/themes/{other}/confirm",
        json={"comment_ids": [first["comment_id"]]},
        headers=api_csrf(client),
    )
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "comment_not_in_theme"
    confirms = select(func.count(ThemeEdit.id)).where(ThemeEdit.action == "confirm")
    assert db.session.scalar(confirms) == 1


def test_only_curators_may_confirm(analysed, client):
    consultation = analysed.consultation
    key = "T1"
    cid = next(iter(_members(analysed.run)[key]))
    url = f"/api/v1/consultations/{consultation.id}/themes/{key}/confirm"
    r = client.post(url, json={"comment_ids": [cid]})
    assert r.status_code in (400, 401, 403)
    for user, code in (
        (make_user("citizen"), 403),
        (make_user("staff", agency=make_agency("MOL", "勞動部")), 403),
        (make_user("reviewer"), 403),
    ):
        with client.session_transaction() as s:
            s.clear()
        login(client, user)
        assert (
            client.post(url, json={"comment_ids": [cid]}, headers=api_csrf(client)).status_code
            == code
        )
    with client.session_transaction() as s:
        s.clear()
    login(client, make_user("admin"))
    assert (
        client.post(url, json={"comment_ids": [cid]}, headers=api_csrf(client)).status_code == 200
    )
    assert db.session.scalar(select(ThemeEdit.id).where(ThemeEdit.action == "confirm")) is not None


def test_a_merge_refreshes_the_quotes(analysed):
    consultation, run, staff = analysed.consultation, analysed.run, analysed.staff
    before = _members(run)
    themes = {t.key: t for t in db.session.scalars(select(Theme).where(Theme.run_id == run.id))}
    old_target_quotes = list(themes["T4"].representative_ids)
    curation.merge(db.session, consultation, "T3", "T4", actor=staff)
    db.session.commit()
    merged = db.session.scalar(select(Theme).where(Theme.run_id == run.id, Theme.key == "T4"))
    quotes = list(merged.representative_ids)
    assert quotes and set(quotes) <= set(before["T3"]) | set(before["T4"])
    # chosen again over the merged theme: both halves are quoted, not the old list extended
    assert set(quotes[:5]) & set(before["T3"]) and set(quotes[:5]) & set(before["T4"])
    assert quotes[:5] != old_target_quotes[:5]


def test_a_possibly_mixed_theme_offers_its_split_pre_filled(analysed, client):
    consultation, run, staff = analysed.consultation, analysed.run, analysed.staff
    members = sorted(_members(run)["T2"])
    extras = dict(run.working["themes"])
    extras["T2"] = {**extras["T2"], "mixed": True, "split": members[:3]}
    run.working = {**run.working, "themes": extras}
    db.session.commit()
    login(client, staff)
    base = f"/staff/consultations/{consultation.id}/themes"
    page = client.get(base).get_data(as_text=True)
    assert "可能混雜" in page and f"{base}/T2#suggested-split" in page
    detail = client.get(f"{base}/T2").get_data(as_text=True)
    assert 'id="suggested-split"' in detail
    for cid in members[:3]:
        assert f'id="split-{cid}" checked' in detail
    token = csrf_from(detail)
    r = client.post(
        f"{base}/T2/split",
        data={
            "csrf_token": token,
            "label": "拆出來的",
            "comment_ids": [str(c) for c in members[:3]],
        },
    )
    assert r.status_code == 303
    db.session.expire_all()
    assert set(members[:3]) <= set(_members(run)["T7"])


def test_a_move_becomes_an_example_and_the_next_guided_run_learns_it(filled, staff):
    consultation, _ids = filled
    theme_settings.save(db.session, consultation, actor=staff, seed_themes=SEEDS)
    db.session.commit()
    first = analyse(consultation)
    themes = {
        t.label: t.key for t in db.session.scalars(select(Theme).where(Theme.run_id == first.id))
    }
    a, b = SEEDS[0]["name"], SEEDS[1]["name"]
    assert a in themes and b in themes
    moved = sorted(_members(first)[themes[a]])[0]
    curation.move(db.session, consultation, themes[a], [moved], themes[b], actor=staff)
    db.session.commit()
    assert theme_learning.examples_for_run(
        db.session, consultation.id, first, [s["name"] for s in SEEDS]
    ) == {str(moved): b}
    second = analyse(consultation)
    assert second.id != first.id and second.working["examples"] == 1
    # the model itself put it there (the machine assignment, before the edit log is replayed)
    assert moved in second.working["machine"][themes[b]]
    assert moved not in first.working["machine"][themes[b]]
    assert _members(second)[themes[b]][moved] == 1.0
    assert analysis_runs.latest_run(db.session, consultation.id).id == second.id


def test_a_comment_on_two_themes_shows_its_secondary_theme_and_counts_once(analysed, client):
    consultation, run, staff = analysed.consultation, analysed.run, analysed.staff
    secondary = {int(c): k for c, k in run.working["secondary"].items()}
    members = _members(run)
    primary = {cid: key for key, m in members.items() for cid in m}
    shown = [(c, k) for c, k in secondary.items() if primary.get(c) not in (None, k)]
    assert shown, "the synthetic set has comments on two themes"
    cid, other = shown[0]
    key = primary[cid]
    # counted once: every comment is a member of exactly one theme
    assert sum(len(m) for m in members.values()) == len(primary)
    page = sorted(members[key]).index(cid) // 25 + 1
    login(client, staff)
    html = client.get(
        f"/staff/consultations/{consultation.id}/themes/{key}?page={page}&lang=en"
    ).get_data(as_text=True)
    item = html[html.index(f'id="c{cid}"') :]
    item = item[: item.index("</li>")]
    assert "Also about" in item and f"/themes/{other}" in item


def test_citizens_see_the_opinion_map_once_enough_people_voted(analysed, client, monkeypatch):
    from deliberation.services import analysis_queries

    consultation, run = analysed.consultation, analysed.run
    groups = run.groups
    assert len(groups["groups"]) >= 2
    page = f"/consultations/{consultation.id}?lang=en"
    # 12 voters: below the threshold of 20 clustered participants, no map
    assert groups["n_clustered"] < analysis_queries.OPINION_MAP_MIN_PARTICIPANTS
    assert "Opinion map" not in client.get(page).get_data(as_text=True)
    monkeypatch.setattr(analysis_queries, "OPINION_MAP_MIN_PARTICIPANTS", 2)
    html = client.get(page).get_data(as_text=True)  # anonymous: the page is public
    assert "Opinion map" in html and "<caption>" in html and 'scope="row"' in html
    assert "Statements that unite all groups" in html
    for n, group in enumerate(groups["groups"], 1):
        assert f"Group {n}</th>" in html
        assert f"<td>{group['size']}</td>" in html
    zh = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "意見地圖" in zh and "各群體都贊同的意見" in zh
