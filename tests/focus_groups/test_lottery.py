"""The draw through sortition-algorithms: feasibility explained by category, the same panel on
replay, probabilities published as a summary, and every bad CSV refused with its line."""

from __future__ import annotations

import pytest

from deliberation.errors import Conflict, ValidationError
from deliberation.focus_groups import lottery, rules

from .helpers import QUOTAS, QUOTAS_CSV, pool, pool_csv


@pytest.fixture(scope="module")
def drawn():
    people = pool()
    return people, lottery.draw(people, QUOTAS, 6, 42)


def test_the_panel_meets_every_quota_and_everyone_has_a_chance(drawn):
    people, result = drawn
    assert len(result.panel) == 6
    assert lottery.keeps_quotas(result.panel, people, QUOTAS)
    assert result.algorithm == "maximin"  # the default; leximin would need Gurobi
    assert set(result.probabilities) == set(people)
    assert min(result.probabilities.values()) > 0
    assert sum(result.probabilities.values()) == pytest.approx(6, abs=1e-3)
    assert sorted(result.reserve) == sorted(set(people) - set(result.panel))


def test_replaying_the_record_gives_the_same_panel(drawn):
    people, result = drawn
    record = {
        "seed": 42, "size": 6, "algorithm": "maximin", "quotas": [q.__dict__ for q in QUOTAS],
        "pool_hash": lottery.pool_hash(people), "pool_size": len(people),
        "package_version": lottery.package_version(), "panel": result.panel,
    }  # fmt: skip
    panel, differences = lottery.replay(record, people)
    assert panel == result.panel and differences == []
    changed = dict(people) | {"p00": {"age": "40+", "gender": "男"}}
    _, differences = lottery.replay(record, changed)
    assert differences and differences[0].startswith("pool_hash")


def test_leximin_without_gurobi_runs_maximin_and_says_so(drawn):
    people, result = drawn
    again = lottery.draw(people, QUOTAS, 6, 42, "leximin")
    assert again.algorithm == "maximin" and again.panel == result.panel


def _apply(quotas, changes):
    new = {(c["category"], c["feature"]): c for c in changes}
    return [
        lottery.Quota(
            q.category, q.feature, **{k: new[(q.category, q.feature)][k] for k in ("min", "max")}
        )
        if (q.category, q.feature) in new
        else q
        for q in quotas
    ]


def _assert_smallest_change_works(error, quotas, people, size):
    """The suggested change only lowers minimums or raises maximums, and makes it drawable."""
    changes = error.params["changes"]
    assert changes and error.params["change"] != "—"
    before = {(q.category, q.feature): q for q in quotas}
    for c in changes:
        old = before[(c["category"], c["feature"])]
        assert c["min"] <= old.min and c["max"] >= old.max
        assert (
            f"{c['category']} / {c['feature']}: {old.min}–{old.max} → {c['min']}–{c['max']}"
            in (error.params["change"])
        )
    lottery.check_feasible(people, _apply(quotas, changes), size)  # no refusal now


def test_a_minimum_above_the_people_who_have_the_feature_names_it_and_the_smallest_change():
    people = pool()
    quotas = [*QUOTAS[:2], lottery.Quota("gender", "女", 3, 3), lottery.Quota("gender", "男", 3, 3)]
    few_women = {k: v | {"gender": "男"} for k, v in people.items()}
    few_women["p01"]["gender"] = "女"
    with pytest.raises(Conflict) as caught:
        lottery.check_feasible(few_women, quotas, 6)
    assert caught.value.code == "focus_quota_too_few_people"
    assert caught.value.params | {"change": "", "changes": []} == {
        "category": "gender", "feature": "女", "min": 3, "have": 1, "change": "", "changes": [],
    }  # fmt: skip
    _assert_smallest_change_works(caught.value, quotas, few_women, 6)


def test_minimums_that_add_up_past_the_panel_name_the_category_and_the_smallest_change():
    quotas = [lottery.Quota("age", "18-39", 4, 5), lottery.Quota("age", "40+", 4, 5)]
    with pytest.raises(Conflict) as caught:
        lottery.check_feasible(pool(), quotas, 6)
    assert caught.value.code == "focus_quota_mins_over_size"
    assert caught.value.params["category"] == "age" and caught.value.params["total"] == 8
    _assert_smallest_change_works(caught.value, quotas, pool(), 6)


def test_maximums_below_the_panel_name_the_category_and_the_smallest_change():
    quotas = [*QUOTAS[2:], lottery.Quota("age", "18-39", 1, 1), lottery.Quota("age", "40+", 1, 2)]
    with pytest.raises(Conflict) as caught:
        lottery.check_feasible(pool(), quotas, 6)
    assert caught.value.code == "focus_quota_maxes_under_size"
    assert caught.value.params["category"] == "age" and caught.value.params["total"] == 3
    _assert_smallest_change_works(caught.value, quotas, pool(), 6)


def test_quotas_each_possible_but_not_together_get_the_smallest_change():
    # Three young women are needed, but the pool has only two (p03 and p09).
    quotas = [
        lottery.Quota("age", "18-39", 3, 3), lottery.Quota("age", "40+", 3, 3),
        lottery.Quota("gender", "女", 6, 6), lottery.Quota("gender", "男", 0, 0),
    ]  # fmt: skip
    with pytest.raises(Conflict) as caught:
        lottery.check_feasible(pool(), quotas, 6)
    assert caught.value.code == "focus_quotas_infeasible"
    _assert_smallest_change_works(caught.value, quotas, pool(), 6)
    total = sum(
        abs(c["min"] - q.min) + abs(c["max"] - q.max)
        for c in caught.value.params["changes"]
        for q in quotas
        if (q.category, q.feature) == (c["category"], c["feature"])
    )
    assert total == 2  # one seat moved: the least that works


def test_the_refusal_reads_in_both_languages_with_the_change(app):
    from flask_babel import force_locale

    from app.errors import message_for

    quotas = [lottery.Quota("age", "18-39", 4, 5), lottery.Quota("age", "40+", 4, 5)]
    with pytest.raises(Conflict) as caught:
        lottery.check_feasible(pool(), quotas, 6)
    with app.test_request_context():
        with force_locale("en"):
            english = message_for(caught.value.code, **caught.value.params)
        with force_locale("zh_Hant_TW"):
            chinese = message_for(caught.value.code, **caught.value.params)
    assert "Smallest change" in english and "age / 18-39: 4–5 →" in english
    assert "最小調整" in chinese and "age / 18-39: 4–5 →" in chinese


def test_a_pool_smaller_than_the_panel_is_refused():
    with pytest.raises(Conflict) as caught:
        lottery.check_feasible(pool(5), QUOTAS, 6)
    assert caught.value.code == "focus_pool_too_small"
    assert caught.value.params == {"pool": 5, "size": 6}


def test_the_seed_must_be_published_and_positive():
    with pytest.raises(ValidationError):
        lottery.draw(pool(), QUOTAS, 6, 0)


def test_quotas_csv_parses_and_refuses_each_mistake_by_line():
    assert rules.parse_quotas(QUOTAS_CSV) == QUOTAS
    bad = {
        "category,value,min,max\nage,x,1,2\n": "focus_csv_columns",
        "category,feature,min,max\nage,x,1\n": "focus_csv_row_length",
        "category,feature,min,max\nage,x,一,2\n": "focus_csv_number",
        "category,feature,min,max\nage,x,3,2\n": "focus_quota_min_over_max",
        "category,feature,min,max\nage,x,1,2\nage,X,1,2\n": "focus_quota_duplicate",
        "": "focus_csv_empty",
    }
    for text, code in bad.items():
        with pytest.raises(ValidationError) as caught:
            rules.parse_quotas(text)
        assert caught.value.code == code, text


def test_pool_csv_refuses_duplicates_unknown_features_and_missing_columns():
    people = pool(4)
    assert rules.parse_pool(pool_csv(people), QUOTAS) == people
    duplicate = pool_csv(people) + "p01,40+,女\n"
    with pytest.raises(ValidationError) as caught:
        rules.parse_pool(duplicate, QUOTAS)
    assert caught.value.code == "focus_duplicate_volunteer" and caught.value.params["line"] == 6
    with pytest.raises(ValidationError) as caught:
        rules.parse_pool("id,age,gender\np1,70,女\n", QUOTAS)
    assert caught.value.code == "focus_feature_unknown" and caught.value.params["category"] == "age"
    with pytest.raises(ValidationError) as caught:
        rules.parse_pool("id,age\np1,40+\n", QUOTAS)
    assert caught.value.code == "focus_pool_missing_category"


def test_attributes_are_visible_to_the_consultations_staff_only():
    from types import SimpleNamespace as U

    consultation = U(agency_id=1, status="open", opens_at=None, closes_at=None)

    def sees(role, agency=None):
        user = U(id=1, role=role, agency_id=agency, is_active=True)
        return rules.attributes_visible(user, consultation)

    assert sees("staff", 1) and sees("admin")
    assert not sees("staff", 2) and not sees("moderator") and not sees("reviewer")
    assert not sees("citizen") and not rules.attributes_visible(None, consultation)
    assert not rules.can_volunteer(None)
