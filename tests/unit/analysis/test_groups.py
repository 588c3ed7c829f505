"""Opinion groups (analysis.groups): determinism, Polis agreement, exclusions, repness, consensus."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import scipy.sparse as sp

from analysis.groups import OpinionGroups, agreement_with_reference
from analysis.polis import InputError, read_comments, read_participants_votes, read_votes
from tests.datasets import polis_conversations

DATA = polis_conversations()
CONVERSATIONS = sorted(p.name for p in DATA.iterdir() if p.is_dir()) if DATA.is_dir() else []

# Agreement is measured on the participants Polis itself clustered (the export's non-empty
# group-id): older Polis versions clustered people with fewer than 7 votes, and who is clustered
# moves the group centres. Measured with the defaults (seed 0), see docs/analysis.md. These
# conversations stay below the 95% target, for reasons the final vote matrix does not show
# (Polis's incremental history and k smoothing, meta statements the export does not flag); the
# floors guard against regressions.
BELOW_TARGET = {
    "football-concussions": 0.92,
    "london.youth.policing": 0.45,
    "scoop-hivemind.freshwater": 0.92,
    "scoop-hivemind.ubi": 0.45,
}
# london.youth.policing opens with demographic statements ("I am between 15 and 19 years old",
# "I identify as male", ...): Polis's "meta" statements, which it zeroes like moderated-out ones.
LONDON_META = [str(i) for i in range(1, 14)]


def _polis_clustered(reference: list[str | None]) -> list[bool]:
    return [g is not None for g in reference]


@cache
def _fit_conversation(
    name: str, extra_excluded: tuple[str, ...] = (), k: int | None = None
) -> tuple[OpinionGroups, list[str | None]]:
    folder = DATA / name
    matrix = read_participants_votes(folder / "participants-votes.csv")
    rejected = [
        c.id
        for c in read_comments(folder / "comments.csv", include_rejected=True)
        if c.moderated == -1
    ]
    est = OpinionGroups(k=k, random_state=0).fit(
        matrix.values,
        matrix.participant_ids,
        matrix.comment_ids,
        excluded_comments=rejected + list(extra_excluded),
        clustered=_polis_clustered(matrix.reference_groups),
    )
    return est, matrix.reference_groups


def _camps(n_per_camp: int = 12, seed: int = 0) -> np.ndarray:
    """Two camps voting opposite on comments 0-3, all agreeing on 4, mixed noise on 5-7."""
    rng = np.random.RandomState(seed)
    n = 2 * n_per_camp
    values = np.zeros((n, 8))
    camp = np.repeat([1.0, -1.0], n_per_camp)
    values[:, :4] = camp[:, None]
    values[:, 4] = 1.0
    values[:, 5:] = rng.choice([-1.0, 0.0, 1.0], size=(n, 3))
    return values


# ---------------------------------------------------------------- agreement with Polis itself


@pytest.mark.skipif(not CONVERSATIONS, reason=f"Polis open data not found at {DATA}")
@pytest.mark.parametrize("name", CONVERSATIONS)
def test_groups_agree_with_polis_on_each_conversation(name):
    est, reference = _fit_conversation(name)
    agreement = agreement_with_reference(est.labels_, reference)
    if name in BELOW_TARGET:
        assert agreement >= BELOW_TARGET[name]
        pytest.xfail(f"{name}: {agreement:.3f} agreement with Polis, below the 0.95 target")
    assert agreement >= 0.95


@pytest.mark.skipif(not CONVERSATIONS, reason=f"Polis open data not found at {DATA}")
@pytest.mark.parametrize(
    "name",
    ["15-per-hour-seattle", "austria-climate.5twd2jsnkf.2022-08-08", "london.youth.policing"],
)
def test_participants_polis_clustered_are_the_ones_clustered_here_when_they_voted_enough(name):
    folder = DATA / name
    if not folder.is_dir():
        pytest.skip(f"{name} is not in {DATA} (the full Polis open data is in ../shared)")
    matrix = read_participants_votes(folder / "participants-votes.csv")
    est = OpinionGroups().fit(matrix.values, matrix.participant_ids, matrix.comment_ids)
    ours = est.labels_ >= 0
    theirs = np.array(_polis_clustered(matrix.reference_groups))
    assert np.array_equal(ours, theirs)


@pytest.mark.skipif(not CONVERSATIONS, reason=f"Polis open data not found at {DATA}")
def test_london_matches_polis_once_its_meta_statements_are_set_aside_at_polis_k():
    # Explains the london xfail: with the demographic statements treated as meta and Polis's k,
    # the groups are Polis's exactly; the silhouette alone then prefers k = 2 (0.875).
    est, reference = _fit_conversation("london.youth.policing", tuple(LONDON_META), k=3)
    assert agreement_with_reference(est.labels_, reference) >= 0.95


def test_a_given_clustered_set_replaces_the_min_votes_rule():
    values = _camps()
    chosen = np.ones(24, dtype=bool)
    chosen[[0, 12]] = False
    est = OpinionGroups(min_votes=100).fit(values, clustered=chosen)
    assert np.array_equal(est.clustered_, chosen)
    assert est.labels_[0] == est.labels_[12] == -1
    assert agreement_with_reference(est.labels_[chosen], np.repeat([0, 1], 11)) == 1.0
    with pytest.raises(InputError, match="entries for 24 participants"):
        OpinionGroups().fit(values, clustered=chosen[:5])
    with pytest.raises(InputError, match="given as clustered"):
        OpinionGroups().fit(values, clustered=np.arange(24) < 2)


def test_agreement_ignores_label_names_and_unclustered_participants():
    assert agreement_with_reference([0, 0, 1, 1, -1], ["b", "b", "a", "a", "a"]) == 1.0
    assert agreement_with_reference([0, 1, 1, 1], ["x", "x", "y", None]) == pytest.approx(2 / 3)


# ---------------------------------------------------------------- behaviour


def test_same_input_and_seed_give_identical_results():
    values = _camps()
    a = OpinionGroups(random_state=3).fit(values).to_dict()
    b = OpinionGroups(random_state=3).fit(values).to_dict()
    assert a == b


def test_two_opposed_camps_become_two_groups():
    values = _camps()
    est = OpinionGroups().fit(values)
    assert est.k_ == 2
    assert agreement_with_reference(est.labels_, np.repeat([0, 1], 12)) == 1.0
    assert est.projection_.shape == (24, 2)


def test_participants_with_too_few_votes_are_placed_but_not_clustered():
    values = _camps()
    values = np.vstack([values, [1.0, 1.0, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan]])
    est = OpinionGroups(min_votes=7).fit(values)
    assert est.labels_[-1] == -1
    assert (est.labels_[:-1] >= 0).all()
    assert np.isfinite(est.projection_[-1]).all() and np.any(est.projection_[-1] != 0)
    assert "24" in est.to_dict()["unclustered"]


def test_votes_on_excluded_comments_do_not_change_the_result():
    values = _camps()
    noisy = np.hstack([values, np.random.RandomState(1).choice([-1.0, 1.0], size=(24, 3))])
    flipped = noisy.copy()
    flipped[:, 8:] *= -1
    ids = [f"c{j}" for j in range(11)]
    for count_excluded in (True, False):
        kw = {"comment_ids": ids, "excluded_comments": ["c8", "c9", "c10"]}
        a = OpinionGroups(count_excluded=count_excluded).fit(noisy, **kw)
        b = OpinionGroups(count_excluded=count_excluded).fit(flipped, **kw)
        assert a.to_dict() == b.to_dict()
        assert "c9" not in a.comment_ids_
    dropped = OpinionGroups(count_excluded=False).fit(values, comment_ids=ids[:8])
    excluded = OpinionGroups(count_excluded=False).fit(noisy, **kw)
    np.testing.assert_allclose(dropped.projection_, excluded.projection_)
    assert np.array_equal(dropped.labels_, excluded.labels_)


def test_the_comment_everyone_agrees_with_is_consensus_and_the_split_ones_represent_groups():
    values = _camps()
    est = OpinionGroups().fit(values, comment_ids=[f"c{j}" for j in range(8)])
    top = est.consensus_[0]
    assert (top["comment_id"], top["direction"]) == ("c4", "agree")
    assert not any(e["comment_id"] in {"c0", "c1", "c2", "c3"} for e in est.consensus_)
    for group in est.groups_:
        rep_ids = {e["comment_id"] for e in group["representative"]}
        assert rep_ids and rep_ids <= {"c0", "c1", "c2", "c3"}
        for e in group["representative"]:
            assert e["z"] > 1.2816 and e["ratio"] > 1 and 0 < e["rate"] < 1
    assert {e["comment_id"] for e in est.divisive_[:4]} == {"c0", "c1", "c2", "c3"}


def test_sparse_input_gives_the_same_groups_as_dense():
    values = _camps()
    rows, cols = np.nonzero(~np.isnan(values))
    coo = sp.coo_array((values[rows, cols], (rows, cols)), shape=values.shape)
    dense = OpinionGroups().fit(values).to_dict()
    sparse = OpinionGroups().fit(coo).to_dict()
    assert dense == sparse


def test_fixed_k_is_respected():
    est = OpinionGroups(k=3).fit(_camps(20))
    assert est.k_ == 3 and len(est.groups_) == 3


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (np.full((5, 4), np.nan), "every vote is empty"),
        (np.array([[1.0, np.nan]] * 5), "need at least 2"),
        (np.ones((2, 4)), "need at least 3"),
        (np.array([[1.0, 2.0]] * 5), "not 1, -1 or 0"),
        (np.ones((5, 4)), "same point"),
    ],
)
def test_unusable_matrices_raise_input_error_naming_the_problem(values, message):
    with pytest.raises(InputError, match=message):
        OpinionGroups().fit(values)


# ---------------------------------------------------------------- history replay (fit_history)


def _camps_log(n_per_camp: int = 12, seed: int = 0):
    """The _camps votes as a log: participants arrive one by one, a second apart per vote."""
    values = _camps(n_per_camp, seed)
    times, pids, cids, votes = [], [], [], []
    for p, row in enumerate(values):
        for c, v in enumerate(row):
            times.append(1000 * len(times))
            pids.append(f"p{p}")
            cids.append(f"c{c}")
            votes.append(v)
    return times, pids, cids, votes


def test_replaying_the_vote_log_finds_the_two_camps_update_by_update():
    times, pids, cids, votes = _camps_log()
    est = OpinionGroups().fit_history(times, pids, cids, votes)
    assert est.n_updates_ == len(times)  # one vote per second: one Polis update per vote
    assert est.k_ == 2
    assert est.participant_ids_ == [f"p{i}" for i in range(24)]
    assert agreement_with_reference(est.labels_, np.repeat([0, 1], 12)) == 1.0
    assert est.to_dict()["consensus"][0]["comment_id"] == "c4"


def test_one_update_interval_covering_the_whole_log_is_a_single_polis_update():
    times, pids, cids, votes = _camps_log()
    est = OpinionGroups().fit_history(times, pids, cids, votes, update_interval_ms=10**12)
    assert est.n_updates_ == 1
    assert agreement_with_reference(est.labels_, np.repeat([0, 1], 12)) == 1.0


def test_a_changed_vote_counts_once_with_its_latest_value():
    times, pids, cids, votes = _camps_log()
    # p0 first agreed with c4, then changes to disagree at the very end.
    times, pids, cids, votes = times + [10**9], pids + ["p0"], cids + ["c4"], votes + [-1.0]
    est = OpinionGroups().fit_history(times, pids, cids, votes)
    assert est.n_votes_[0] == 8
    c4 = est.comment_ids_.index("c4")
    assert est.group_votes_["disagree"][:, c4].sum() == 1


def test_replay_clusters_only_the_named_participants_and_excludes_comments():
    times, pids, cids, votes = _camps_log()
    named = [f"p{i}" for i in range(24) if i not in (0, 12)]
    est = OpinionGroups().fit_history(
        times, pids, cids, votes, excluded_comments=["c5"], clustered=named
    )
    assert est.labels_[0] == est.labels_[12] == -1
    assert "c5" not in est.comment_ids_ and est.excluded_comment_ids_ == ["c5"]


def test_polis_kmeans_warm_start_keeps_cluster_ids_and_splits_off_the_farthest_point():
    from analysis.groups.replay import _polis_kmeans

    points = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0], [9.0, -9.0]])
    ids, labels, centres = _polis_kmeans(points, 2, None, None, 20)
    assert list(ids) == [0, 1]  # Polis starts from the first k distinct points
    # Warm start for k = 3: the old clusters keep their ids, the farthest point becomes cluster 2.
    ids3, labels3, _ = _polis_kmeans(points, 3, ids, labels, 20)
    assert sorted(ids3) == [0, 1, 2]
    assert labels3[4] not in (labels3[0], labels3[2]) and ids3[labels3[4]] == 2


@pytest.mark.skipif(not CONVERSATIONS, reason=f"Polis open data not found at {DATA}")
def test_replaying_london_reaches_polis_k_through_the_group_k_smoother():
    # The one-shot fit picks k = 4; Polis's k = 3 is what its live updates settled on. The groups
    # still differ (0.54): the 13 demographic statements Polis treated as meta are in the axes.
    folder = DATA / "london.youth.policing"
    log = read_votes(folder / "votes.csv")
    est = OpinionGroups().fit_history(
        log.timestamps,
        log.participant_ids,
        log.comment_ids,
        log.votes,
        excluded_comments=["0", "2", "3"],
    )
    assert est.k_ == 3


@pytest.mark.parametrize(
    ("log", "message"),
    [
        (([], [], [], []), "empty"),
        (([1, 2], ["a"], ["c", "d"], [1, 1]), "2 timestamps but 1 participant"),
        (([1, 2], ["a", "b"], ["c", "d"], [1, 2]), "not 1, -1 or 0"),
        (([1, 2], ["a", "b"], ["c", "c"], [1, 1]), "need at least 2"),
    ],
)
def test_unusable_vote_logs_raise_input_error_naming_the_problem(log, message):
    with pytest.raises(InputError, match=message):
        OpinionGroups().fit_history(*log)
