"""flask --app wsgi focus-groups quotas | import-pool | draw | replay | purge, as an operator
running a pool recruited elsewhere would, with every refusal leaving nothing written."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from deliberation.focus_groups import queries
from deliberation.focus_groups.models import FocusDraw, FocusVolunteer
from deliberation.models import utcnow

from .helpers import QUOTAS_CSV, pool, pool_csv


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["focus-groups", *map(str, args)])


def _files(tmp_path, people):
    quotas = tmp_path / "quotas.csv"
    quotas.write_text(QUOTAS_CSV, encoding="utf-8")
    pool_file = tmp_path / "pool.csv"
    pool_file.write_text(pool_csv(people), encoding="utf-8")
    return quotas, pool_file


def _volunteers() -> int:
    return db.session.scalar(select(func.count()).select_from(FocusVolunteer)) or 0


def test_draw_prints_the_panel_and_replay_prints_the_same_ids(
    app, session, make_consultation, tmp_path
):
    consultation = make_consultation()
    quotas, pool_file = _files(tmp_path, pool())
    assert "4 quotas in 2 categories" in _run(app, "quotas", consultation.id, quotas).output
    assert "14 volunteers imported" in _run(app, "import-pool", consultation.id, pool_file).output
    audit = tmp_path / "audit.json"
    drawn = _run(app, "draw", consultation.id, "--size", 6, "--seed", 42, "--audit", audit)
    assert drawn.exit_code == 0, drawn.output
    ids = drawn.output.split()
    assert len(ids) == 6 and all(i.startswith("p") for i in ids)
    record = json.loads(audit.read_text(encoding="utf-8"))
    assert record["panel"] == ids and record["seed"] == 42 and record["algorithm_run"] == "maximin"
    assert record["package"] == "sortition-algorithms" and record["package_version"]
    assert len(record["pool_hash"]) == 64 and record["min_probability"] > 0
    replayed = _run(app, "replay", audit)
    assert replayed.exit_code == 0, replayed.output
    assert replayed.stdout.split() == ids
    # From the pool file instead of the database, as anyone with the data would.
    assert _run(app, "replay", audit, "--pool", pool_file).stdout.split() == ids
    # A pool that differs is said to differ, with a non-zero exit.
    other = tmp_path / "other.csv"
    other.write_text(pool_csv(pool(15)), encoding="utf-8")
    differs = _run(app, "replay", audit, "--pool", other)
    assert differs.exit_code == 1 and "DIFFERS pool_hash" in differs.output
    # A lottery is not run twice.
    again = _run(app, "draw", consultation.id, "--seed", 7)
    assert (
        again.exit_code != 0 and db.session.scalar(select(func.count()).select_from(FocusDraw)) == 1
    )


def test_impossible_quotas_exit_non_zero_naming_the_category(
    app, session, make_consultation, tmp_path
):
    consultation = make_consultation()
    men_only = {k: v | {"gender": "男"} for k, v in pool().items()}
    quotas, pool_file = _files(tmp_path, men_only)
    _run(app, "quotas", consultation.id, quotas)
    _run(app, "import-pool", consultation.id, pool_file)
    result = _run(app, "draw", consultation.id, "--size", 6, "--seed", 42)
    assert result.exit_code != 0
    assert "gender" in result.output
    assert db.session.scalar(select(func.count()).select_from(FocusDraw)) == 0


def test_a_pool_smaller_than_the_panel_is_refused(app, session, make_consultation, tmp_path):
    consultation = make_consultation()
    quotas, pool_file = _files(tmp_path, pool(4))
    _run(app, "quotas", consultation.id, quotas)
    _run(app, "import-pool", consultation.id, pool_file)
    result = _run(app, "draw", consultation.id, "--size", 6, "--seed", 42)
    assert result.exit_code != 0 and "4" in result.output and "6" in result.output


def test_a_duplicate_volunteer_imports_nobody(app, session, make_consultation, tmp_path):
    consultation = make_consultation()
    quotas, pool_file = _files(tmp_path, pool(4))
    _run(app, "quotas", consultation.id, quotas)
    bad = tmp_path / "dup.csv"
    bad.write_text(pool_csv(pool(4)) + "p02,40+,女\n", encoding="utf-8")
    result = _run(app, "import-pool", consultation.id, bad)
    assert result.exit_code != 0 and "p02" in result.output
    assert _volunteers() == 0
    _run(app, "import-pool", consultation.id, pool_file)
    again = _run(app, "import-pool", consultation.id, pool_file)
    assert again.exit_code != 0 and _volunteers() == 4


def test_bad_quota_csv_is_refused_with_its_line(app, session, make_consultation, tmp_path):
    consultation = make_consultation()
    bad = tmp_path / "q.csv"
    bad.write_text("category,feature,min,max\nage,18-39,3,1\n", encoding="utf-8")
    result = _run(app, "quotas", consultation.id, bad)
    assert result.exit_code != 0 and "2" in result.output
    assert queries.group_of(db.session, consultation.id) is None  # nothing half-written


def test_purge_erases_attributes_after_the_retention_date(
    app, session, make_consultation, tmp_path
):
    consultation = make_consultation()
    quotas, pool_file = _files(tmp_path, pool(4))
    _run(app, "quotas", consultation.id, quotas)
    _run(app, "import-pool", consultation.id, pool_file)
    assert "0 volunteers' attributes erased" in _run(app, "purge").output
    group = queries.group_of(db.session, consultation.id)
    group.retain_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "4 volunteers' attributes erased" in _run(app, "purge").output
    assert all(v.attributes is None for v in queries.volunteers(db.session, group))
    assert group.purged_at is not None
