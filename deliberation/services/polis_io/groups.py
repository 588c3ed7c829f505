"""The opinion group of each participant for an export: the latest analysis run's when it is
current (its stored membership, or its parameters replayed on the same visible votes), else
computed now from the visible votes (Polis method, seed 0).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from analysis.polis import InputError

from .. import analysis_queries, moderation


def group_labels(session: Session, consultation_id: int) -> dict[int, int]:
    """User id -> opinion group id: from the latest analysis run when it is current (its stored
    membership, or else its parameters re-applied to the same visible votes), otherwise computed
    now from the visible votes (Polis method, seed 0)."""
    votes = moderation.visible_votes_for_analysis(session, consultation_id)
    voters = {u for u, _c, _v in votes}
    run = analysis_queries.latest_run(session, consultation_id)
    params: dict[str, Any] = {"random_state": 0}
    if run is not None and run.groups and not analysis_queries.is_stale(session, run):
        # A current run's parameters give the same groups, numbered the same, as its report.
        stored_params = (run.params or {}).get("groups")
        if isinstance(stored_params, dict):
            params = dict(stored_params)
            if "k_range" in params:
                params["k_range"] = tuple(params["k_range"])
        stored: dict[int, int] = {}
        try:
            for group in run.groups.get("groups") or []:
                for p in group.get("participants") or []:
                    stored[int(p)] = int(group["id"])
        except (TypeError, ValueError, KeyError, AttributeError):
            stored = {}
        if stored and set(stored) <= voters:
            return stored
    if not votes:
        return {}
    # the numeric stack (NumPy, SciPy, scikit-learn) loads on first use, not with the web app
    import numpy as np
    import scipy.sparse as sp

    from analysis.groups import OpinionGroups

    users = sorted(voters)
    cols = sorted({c for _u, c, _v in votes})
    row_of = {u: i for i, u in enumerate(users)}
    col_of = {c: j for j, c in enumerate(cols)}
    matrix = sp.coo_array(
        (
            np.array([v for _u, _c, v in votes], dtype=float),
            (
                np.array([row_of[u] for u, _c, _v in votes]),
                np.array([col_of[c] for _u, c, _v in votes]),
            ),
        ),
        shape=(len(users), len(cols)),
    )
    try:
        estimator = OpinionGroups(**params).fit(
            matrix, participant_ids=[str(u) for u in users], comment_ids=[str(c) for c in cols]
        )
    except (InputError, TypeError, ValueError):
        # Too few votes or comments to find groups (or unusable stored parameters): unclustered.
        return {}
    return {
        int(p): int(label)
        for p, label in zip(estimator.participant_ids_, estimator.labels_, strict=True)
        if label >= 0
    }
