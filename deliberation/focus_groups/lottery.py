"""The draw itself, through the `sortition-algorithms` package (Flanigan et al., Nature 2021).

Nothing here re-derives an algorithm: the package builds the fair distribution over panels
(`find_distribution_maximin` / `find_distribution_nash`), standardises it and rounds it to one
panel (`lottery_rounding`), from a seeded random provider, so the same pool, quotas, algorithm
and seed give the same panel. This module only translates our rows into the package's
FeatureCollection and People, and its errors into ours (naming the category).

Why maximin by default: LEXIMIN (the fairest) needs the commercial Gurobi solver; without it
the package itself falls back to maximin, which maximises the smallest selection probability —
exactly the figure published as the draw's summary — and runs on the open-source HiGHS solver.
Nash (maximising the product of probabilities, via cvxpy) is selectable.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from typing import TYPE_CHECKING

from ..errors import Conflict, ValidationError

# sortition-algorithms (with cvxpy and gspread) takes about 0.25 s to import, so the functions
# that run the package load it; a process that only starts the web app never pays for it.
if TYPE_CHECKING:
    from sortition_algorithms.features import FeatureCollection
    from sortition_algorithms.people import People

DEFAULT_ALGORITHM = "maximin"
ALGORITHMS = ("maximin", "nash", "leximin")
SOLVER = "highspy"  # the open-source HiGHS solver the package uses by default
PACKAGE = "sortition-algorithms"


@dataclass(frozen=True)
class Quota:
    category: str
    feature: str
    min: int
    max: int


@dataclass(frozen=True)
class Draw:
    panel: list[str]  # selected ids, sorted
    reserve: list[str]  # the ranked reserve: first is asked first
    probabilities: dict[str, float]  # each volunteer's selection probability
    algorithm: str  # the algorithm that actually ran (leximin without Gurobi runs maximin)


def package_version() -> str:
    return version(PACKAGE)


def pool_hash(pool: Mapping[str, Mapping[str, str]]) -> str:
    """SHA-256 of the pool snapshot: ids and features, sorted, as canonical JSON."""
    data = {pid: dict(sorted(pool[pid].items())) for pid in sorted(pool)}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def feature_collection(quotas: Sequence[Quota]) -> FeatureCollection:
    from sortition_algorithms.features import FeatureValueMinMax, set_default_max_flex

    fc: FeatureCollection = {}
    for q in quotas:
        fc.setdefault(q.category, {})[q.feature] = FeatureValueMinMax(min=q.min, max=q.max)
    set_default_max_flex(fc)
    return fc


def people_of(pool: Mapping[str, Mapping[str, str]], fc: FeatureCollection) -> People:
    from sortition_algorithms import errors as sa_errors
    from sortition_algorithms.people import People

    people = People(columns_to_keep=[])
    for row, pid in enumerate(sorted(pool), start=2):
        data = {cat: pool[pid].get(cat, "") for cat in fc}
        try:
            people.add(pid, data, fc, row)
        except sa_errors.SelectionMultilineError as error:
            raise ValidationError(
                "focus_volunteer_feature_unknown", id=pid, detail="; ".join(error.all_lines)
            ) from None
    return people


def suggest_change(
    pool: Mapping[str, Mapping[str, str]], quotas: Sequence[Quota], size: int
) -> list[Quota] | None:
    """The smallest change of seat numbers that makes the quotas drawable, from the package's own
    relaxation (an integer program: lower minimums and raise maximums by the least weighted
    total; it is more reluctant to lower a minimum that is already small). Only the quotas that
    change are returned, with their new numbers; [] when the quotas are feasible as they are,
    None when no change of seat numbers helps (the pool itself is too small or too narrow)."""
    from sortition_algorithms import errors as sa_errors
    from sortition_algorithms.committee_generation.common import setup_committee_generation

    fc = feature_collection(quotas)
    people = people_of(pool, fc)
    try:
        setup_committee_generation(fc, people, size, [], SOLVER)
    except sa_errors.InfeasibleQuotasError as error:
        relaxed: FeatureCollection = error.features
        return [
            Quota(q.category, q.feature, new.min, new.max)
            for q in quotas
            if (new := relaxed[q.category][q.feature]) and (new.min, new.max) != (q.min, q.max)
        ]
    except sa_errors.SortitionBaseError:
        return None
    return []


def format_change(change: Sequence[Quota] | None, quotas: Sequence[Quota]) -> str:
    """“gender / 女: 5–7 → 3–7; …” — seats min–max before and after, in no particular language."""
    if not change:
        return "—"
    before = {(q.category, q.feature): q for q in quotas}
    return "; ".join(
        f"{c.category} / {c.feature}: {before[(c.category, c.feature)].min}–"
        f"{before[(c.category, c.feature)].max} → {c.min}–{c.max}"
        for c in change
    )


def _infeasible(
    code: str,
    pool: Mapping[str, Mapping[str, str]],
    quotas: Sequence[Quota],
    size: int,
    **params: object,
) -> Conflict:
    """The refusal: what is wrong (code and params) and the smallest change that fixes it."""
    change = suggest_change(pool, quotas, size)
    return Conflict(
        code,
        **params,
        change=format_change(change, quotas),
        changes=[c.__dict__ for c in change or []],
    )


def check_feasible(
    pool: Mapping[str, Mapping[str, str]], quotas: Sequence[Quota], size: int
) -> None:
    """Refuse what cannot be drawn, naming the category and the reason, with the smallest
    change of seat numbers that would make it drawable: run before any draw."""
    from sortition_algorithms.features import (
        report_min_max_against_number_to_select_structured,
        report_min_max_error_details_structured,
    )
    from sortition_algorithms.people import check_people_per_feature_value

    if not quotas:
        raise ValidationError("focus_no_quotas")
    if size < 1:
        raise ValidationError("focus_bad_size", size=size)
    if len(pool) < size:
        raise Conflict("focus_pool_too_small", pool=len(pool), size=size)
    fc = feature_collection(quotas)
    for issue in report_min_max_against_number_to_select_structured(fc, size, "category"):
        code = {
            "min_exceeds_number_to_select": "focus_quota_mins_over_size",
            "max_below_number_to_select": "focus_quota_maxes_under_size",
        }.get(issue.issue_type, "focus_quotas_infeasible")
        raise _infeasible(
            code, pool, quotas, size, category=issue.feature_name, total=issue.feature_sum
        )
    for issue in report_min_max_error_details_structured(fc, "category"):
        raise _infeasible(
            "focus_quotas_infeasible", pool, quotas, size, category=issue.largest_minimum_feature
        )
    people = people_of(pool, fc)
    for short in check_people_per_feature_value(fc, people):
        raise _infeasible(
            "focus_quota_too_few_people",
            pool,
            quotas,
            size,
            category=short.feature_name,
            feature=short.value_name,
            min=short.min_required,
            have=short.actual_count,
        )
    # Each category alone can be met; whether they can be met together is the integer program's
    # question (one solve, the same the draw starts with).
    change = suggest_change(pool, quotas, size)
    if change is None:
        raise Conflict("focus_quotas_unfixable")
    if change:
        raise Conflict(
            "focus_quotas_infeasible",
            category=change[0].category,
            change=format_change(change, quotas),
            changes=[c.__dict__ for c in change],
        )


def draw(
    pool: Mapping[str, Mapping[str, str]],
    quotas: Sequence[Quota],
    size: int,
    seed: int,
    algorithm: str = DEFAULT_ALGORITHM,
) -> Draw:
    """One panel from the package's fair distribution, seeded; deterministic for equal input.

    The package's heuristics iterate over sets of ids, whose order follows Python's string
    hash, which differs per process unless PYTHONHASHSEED is fixed. So the draw runs in a
    child process with PYTHONHASHSEED=0: the same input gives the same panel on any machine
    with the same package version (the audit record names it)."""
    if algorithm not in ALGORITHMS:
        raise ValidationError("focus_bad_algorithm", algorithm=algorithm)
    if seed < 1:
        raise ValidationError("focus_bad_seed")
    check_feasible(pool, quotas, size)
    if os.environ.get("PYTHONHASHSEED") == "0":
        return draw_here(pool, quotas, size, seed, algorithm)
    request = {
        "pool": pool,
        "quotas": [q.__dict__ for q in quotas],
        "size": size,
        "seed": seed,
        "algorithm": algorithm,
    }
    child = subprocess.run(  # our own module, our own interpreter
        [sys.executable, "-m", "deliberation.focus_groups.lottery"],
        input=json.dumps(request, ensure_ascii=False),
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        check=False,
    )
    answer = json.loads(child.stdout.strip().splitlines()[-1]) if child.stdout.strip() else {}
    if "error" in answer:
        kind = {"invalid": ValidationError}.get(answer["error"]["kind"], Conflict)
        raise kind(answer["error"]["code"], **answer["error"]["params"])
    if child.returncode != 0 or "panel" not in answer:
        raise Conflict("focus_draw_failed", detail=child.stderr.strip()[-500:])
    return Draw(**answer)


def draw_here(
    pool: Mapping[str, Mapping[str, str]],
    quotas: Sequence[Quota],
    size: int,
    seed: int,
    algorithm: str,
) -> Draw:
    """The draw in this process (see `draw` for why it normally runs in a child)."""
    from sortition_algorithms import errors as sa_errors
    from sortition_algorithms.committee_generation import (
        GUROBI_AVAILABLE,
        find_distribution_leximin,
        find_distribution_maximin,
        find_distribution_nash,
        standardize_distribution,
    )
    from sortition_algorithms.core import lottery_rounding
    from sortition_algorithms.utils import set_random_provider

    fc = feature_collection(quotas)
    people = people_of(pool, fc)
    ran = "maximin" if algorithm == "leximin" and not GUROBI_AVAILABLE else algorithm
    find = {
        "maximin": find_distribution_maximin,
        "nash": find_distribution_nash,
        "leximin": find_distribution_leximin,
    }[ran]
    set_random_provider(seed)
    try:
        committees, probabilities, _ = find(fc, people, size, [], SOLVER)
    except sa_errors.InfeasibleQuotasError as error:
        change = [
            Quota(q.category, q.feature, new.min, new.max)
            for q in quotas
            if (new := error.features[q.category][q.feature])
            and (new.min, new.max) != (q.min, q.max)
        ]
        raise Conflict(
            "focus_quotas_infeasible",
            category=_changed_category(fc, error.features),
            change=format_change(change, quotas),
            changes=[c.__dict__ for c in change],
        ) from None
    except sa_errors.SortitionBaseError as error:
        raise Conflict("focus_draw_failed", detail=str(error)) from None
    committees, probabilities = standardize_distribution(committees, probabilities)
    # Ids sorted inside each committee, committees in a stable order: the same panel in any process.
    order = sorted(range(len(committees)), key=lambda i: sorted(committees[i]))
    committees = [committees[i] for i in order]
    probabilities = [probabilities[i] for i in order]
    panel = sorted(lottery_rounding(committees, probabilities, 1)[0])
    marginals = dict.fromkeys(sorted(pool), 0.0)
    for committee, p in zip(committees, probabilities, strict=True):
        for pid in committee:
            marginals[pid] += p
    rest = sorted(set(pool) - set(panel))
    random.Random(f"{seed}:reserve").shuffle(rest)
    return Draw(
        panel=panel,
        reserve=rest,
        probabilities={k: round(min(v, 1.0), 6) for k, v in marginals.items()},
        algorithm=ran,
    )


def replay(
    record: Mapping[str, object], pool: Mapping[str, Mapping[str, str]]
) -> tuple[list[str], list[str]]:
    """Draw again from an audit record and the pool: (the panel, what differs from the record).

    An empty list of differences means the same panel from the same inputs."""
    differences: list[str] = []
    if pool_hash(pool) != record.get("pool_hash"):
        differences.append(
            f"pool_hash: the pool given hashes to {pool_hash(pool)}, "
            f"the record says {record.get('pool_hash')} ({len(pool)} people, "
            f"the record {record.get('pool_size')})"
        )
    if record.get("package_version") != package_version():
        differences.append(
            f"package_version: {PACKAGE} {package_version()} installed, "
            f"the record used {record.get('package_version')}"
        )
    quotas = [Quota(**q) for q in record["quotas"]]  # type: ignore[attr-defined]
    result = draw(pool, quotas, int(record["size"]), int(record["seed"]), str(record["algorithm"]))  # type: ignore[call-overload]
    expected = list(record.get("panel", []))  # type: ignore[call-overload]
    missing = sorted(set(expected) - set(result.panel))
    extra = sorted(set(result.panel) - set(expected))
    if missing or extra:
        differences.append(
            f"panel: not drawn again: {', '.join(missing) or '-'}; drawn instead: {', '.join(extra) or '-'}"
        )
    return result.panel, differences


def _changed_category(original: FeatureCollection, relaxed: FeatureCollection) -> str:
    for category, features in original.items():
        for feature, mm in features.items():
            new = relaxed[category][feature]
            if (new.min, new.max) != (mm.min, mm.max):
                return category
    return next(iter(original))


def keeps_quotas(
    members: Sequence[str], pool: Mapping[str, Mapping[str, str]], quotas: Sequence[Quota]
) -> bool:
    """Whether a panel of these ids meets every category's minimum and maximum."""
    for q in quotas:
        count = sum(1 for m in members if pool[m].get(q.category, "").lower() == q.feature.lower())
        if not q.min <= count <= q.max:
            return False
    return True


def _main() -> None:
    """The child process of `draw`: a JSON request on stdin, the Draw as JSON on stdout."""
    request = json.loads(sys.stdin.read())
    quotas = [Quota(**q) for q in request["quotas"]]
    try:
        result = draw_here(
            request["pool"], quotas, request["size"], request["seed"], request["algorithm"]
        )
    except (ValidationError, Conflict) as error:
        kind = "invalid" if isinstance(error, ValidationError) else "conflict"
        payload = {"error": {"kind": kind, "code": error.code, "params": error.params}}
        print(json.dumps(payload, ensure_ascii=False))
        return
    print(json.dumps(result.__dict__, ensure_ascii=False))


if __name__ == "__main__":
    _main()
