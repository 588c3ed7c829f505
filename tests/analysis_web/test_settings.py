"""Theme settings per consultation: staff fix the number of themes or give seed themes (guided
analysis) in the workspace or the API; later runs use them; bad input changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.extensions import db
from deliberation.models import Consultation
from deliberation.services import analysis_runs
from tests.factories import api_csrf, csrf_from, login, make_agency, make_user

from .helpers import analyse

# the seed themes staff would write for the ev-scooter consultation (names and 4-5 keywords each)
SEEDS = json.loads(
    (Path(__file__).parents[1] / "unit" / "analysis" / "seeds" / "ev-scooter.json").read_text(
        encoding="utf-8"
    )
)


def _seed_text(seeds) -> str:
    return "\n".join(f"{s['name']}：{'、'.join(s['keywords'])}" for s in seeds)


def _settings_of(consultation) -> dict | None:
    db.session.expire_all()
    return db.session.get(Consultation, consultation.id).analysis_settings


def _post(client, consultation, **form):
    base = f"/staff/consultations/{consultation.id}/themes"
    token = csrf_from(client.get(base).get_data(as_text=True))
    return client.post(
        f"{base}/settings" + form.pop("query", ""), data={"csrf_token": token, **form}
    )


def test_seed_themes_from_the_workspace_guide_the_next_run(filled, staff, client):
    consultation, ids = filled
    login(client, staff)
    seeds = SEEDS[:4]
    text = _seed_text(seeds) + "\n\n"  # a trailing blank line is fine
    r = _post(client, consultation, n_themes="", seed_themes=text)
    assert r.status_code == 303 and r.headers["Location"].endswith("#theme-settings")
    stored = _settings_of(consultation)
    assert stored["seed_themes"] == seeds
    assert stored["updated_by"] == staff.id

    page = client.get(f"/staff/consultations/{consultation.id}/themes").get_data(as_text=True)
    assert "主題設定已儲存" in page  # the flash, in zh-TW
    assert seeds[0]["name"] in page  # the form shows what is stored

    run = analyse(consultation)
    assert run.status == "done", run.error
    names = [s["name"] for s in seeds]
    assert run.params["seed_names"] == names
    seeded = [t for t in run.themes if t.label in names]
    assert len(seeded) >= 3  # each seed that drew comments is a theme under its own name
    assert sum(t.size for t in seeded) > len(ids) // 4
    page = client.get(f"/staff/consultations/{consultation.id}/themes?lang=en").get_data(
        as_text=True
    )
    assert "guided by 4 seed themes" in page


def test_the_number_of_themes_overrides_the_automatic_choice(filled, staff, client, app):
    consultation, _ids = filled
    assert app.config["ANALYSIS_THEME_PARAMS"] == {"n_themes": 6}  # the deployment default
    login(client, staff)
    assert _post(client, consultation, n_themes="4", seed_themes="").status_code == 303
    run = analyse(consultation)
    assert run.status == "done", run.error
    assert run.params["themes"]["n_themes"] == 4 and run.params["themes"]["k"] == 4
    assert len(run.themes) <= 4


def test_changed_settings_make_the_snapshot_stale(analysed, client):
    consultation, run, staff = analysed.consultation, analysed.run, analysed.staff
    assert not analysis_runs.is_stale(db.session, run)
    login(client, staff)
    _post(client, consultation, n_themes="5", seed_themes="")
    assert analysis_runs.is_stale(db.session, run)
    page = client.get(f"/staff/consultations/{consultation.id}/themes?lang=en")
    assert "or the theme settings changed since this analysis" in page.get_data(as_text=True)
    # saving the same again is no change
    r = _post(client, consultation, n_themes="5", seed_themes="", query="?lang=en")
    assert r.status_code == 303
    after = client.get(f"/staff/consultations/{consultation.id}/themes?lang=en")
    assert "Nothing to change." in after.get_data(as_text=True)


BAD_FORMS = [
    ({"n_themes": "1"}, "主題數須為 2 到 30 的整數", "from 2 to 30"),
    ({"n_themes": "31"}, "主題數須為 2 到 30 的整數", "from 2 to 30"),
    ({"n_themes": "三"}, "主題數須為 2 到 30 的整數", "from 2 to 30"),
    ({"n_themes": "²"}, "主題數須為 2 到 30 的整數", "from 2 to 30"),  # a digit int() refuses
    ({"seed_themes": "充電站：充電樁\n只有名稱沒有冒號"}, "第 2 行", "line 2"),
    ({"seed_themes": "：充電樁"}, "第 1 行：主題沒有名稱", "line 1: the theme has no name"),
    (
        {"seed_themes": "充電站：、 ，"},
        "「充電站」至少需要一個關鍵詞",
        "needs at least one keyword",
    ),
    ({"seed_themes": "充電站：充電樁\n充電站：快充"}, "都叫「充電站」", "Two seed themes"),
    ({"seed_themes": "名" * 61 + "：關鍵"}, "太長：最多 60 個字", "at most 60 characters"),
    (
        {"seed_themes": "充電：" + "、".join(f"詞{i}" for i in range(21))},
        "超過 20 個",
        "more than 20",
    ),
    ({"seed_themes": "\n".join(f"主題{i}：詞{i}" for i in range(31))}, "最多 30 個", "At most 30"),
]


@pytest.mark.parametrize(("form", "zh", "en"), BAD_FORMS)
def test_bad_settings_are_refused_with_the_typed_text_kept(filled, staff, client, form, zh, en):
    consultation, _ids = filled
    login(client, staff)
    _post(client, consultation, n_themes="7", seed_themes="")  # something stored before
    before = _settings_of(consultation)
    full = {"n_themes": "", "seed_themes": "", **form}
    for query, message in (("", zh), ("?lang=en", en)):
        r = _post(client, consultation, query=query, **dict(full))
        assert r.status_code == 400
        page = r.get_data(as_text=True)
        assert message in page
        if full["seed_themes"]:  # what was typed comes back in the form, escaped
            first_line = full["seed_themes"].splitlines()[0]
            assert first_line in page
    assert _settings_of(consultation) == before


def test_markup_in_seed_names_is_plain_text(filled, staff, client):
    consultation, _ids = filled
    login(client, staff)
    name = '<img src=x onerror="alert(1)">補助\u200b'
    assert _post(client, consultation, seed_themes=f"{name}：補助").status_code == 303
    stored = _settings_of(consultation)["seed_themes"][0]["name"]
    assert "\u200b" not in stored  # the sanitizer removed the invisible character
    page = client.get(f"/staff/consultations/{consultation.id}/themes").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_settings_api_round_trip_and_errors(filled, staff, client):
    consultation, _ids = filled
    url = f"/api/v1/consultations/{consultation.id}/analysis/settings"
    assert client.get(url).status_code == 401
    login(client, staff)
    assert client.get(url).get_json()["n_themes"] is None
    headers = api_csrf(client)
    body = {"n_themes": None, "seed_themes": [{"name": "充電站", "keywords": ["充電樁", "快充"]}]}
    r = client.put(url, json=body, headers=headers)
    assert r.status_code == 200
    assert r.get_json()["changed"] is True
    assert r.get_json()["seed_themes"] == body["seed_themes"]
    assert client.get(url).get_json()["seed_themes"] == body["seed_themes"]
    for bad, code in (
        ({"n_themes": "5"}, "invalid_field"),
        ({"n_themes": 40}, "theme_count_range"),
        ({"seed_themes": "充電站：充電樁"}, "invalid_field"),
        ({"seed_themes": [{"name": "充電站"}]}, "invalid_field"),
        ({"seed_themes": [{"name": "充電站", "keywords": []}]}, "seed_keywords_required"),
    ):
        r = client.put(url + "?lang=en", json=bad, headers=headers)
        assert r.status_code == 400 and r.get_json()["error"]["code"] == code, bad
        assert r.get_json()["error"]["message"]
    assert client.get(url).get_json()["seed_themes"] == body["seed_themes"]  # unchanged
    r = client.put(url, json={"n_themes": 8, "seed_themes": None}, headers=headers)
    assert r.get_json()["n_themes"] == 8 and r.get_json()["seed_themes"] == []


def test_only_curators_change_settings(filled, client):
    consultation, _ids = filled
    url = f"/api/v1/consultations/{consultation.id}/analysis/settings"
    for user in (
        make_user("citizen"),
        make_user("staff", agency=make_agency("MOL", "勞動部")),
        make_user("reviewer"),
    ):
        with client.session_transaction() as s:
            s.clear()
        login(client, user)
        r = client.put(url, json={"n_themes": 5}, headers=api_csrf(client))
        assert r.status_code == 403
        page = client.get(f"/staff/consultations/{consultation.id}/themes")
        assert 'name="seed_themes"' not in page.get_data(as_text=True)
    assert _settings_of(consultation) is None


def test_cleared_settings_fall_back_to_the_deployment_default(analysed, client):
    consultation, run, staff = analysed.consultation, analysed.run, analysed.staff
    login(client, staff)
    _post(client, consultation, n_themes="4", seed_themes="")
    assert analysis_runs.is_stale(db.session, run)
    _post(client, consultation, n_themes="", seed_themes="")
    assert not analysis_runs.is_stale(db.session, run)  # the same input as that run again
    assert analyse(consultation).params["themes"]["n_themes"] == 6  # config, not the old 4
