"""The migration history builds an empty database that matches the models, and goes back down."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
from config import TestingConfig
from deliberation.models import Base
from deliberation.search.index import is_index_object


def test_upgrade_on_an_empty_database_matches_the_models_and_downgrades(empty_database_url):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(
                    conn,
                    opts={
                        "compare_type": True,
                        # the full-text indexes are outside the metadata (deliberation/search)
                        "include_name": lambda name, type_, _parents: (
                            not is_index_object(name, type_)
                        ),
                    },
                ),
                Base.metadata,
            )
            assert diff == [], f"models and migrations disagree: {diff}"
            assert "comments" in inspect(conn).get_table_names()
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_0004_moves_a_runs_working_state_out_of_its_groups_and_back(empty_database_url):
    """Runs made before 0004 kept their working state inside `groups` under "snapshot"."""
    import sqlalchemy as sa

    from deliberation.models import AnalysisRun
    from deliberation.services import accounts, consultations

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    working = {"machine": {"T1": [1, 2]}, "votes": {"1": [3, 0, 1]}, "duplicates": [[1, 2]]}
    groups = {"groups": [{"id": 0, "size": 5}], "consensus": []}
    with app.app_context():
        upgrade()
        staff = accounts.create_user(
            db.session,
            email="staff@example.tw",
            display_name="承辦",
            password="long password",
            role="staff",
            agency=accounts.get_or_create_agency(db.session, "NDC"),
        )
        item = consultations.create_consultation(
            db.session, actor=staff, title="遷移", sections=[consultations.SectionInput(title="一")]
        )
        run = AnalysisRun(consultation_id=item.id, groups={**groups, "snapshot": working})
        db.session.add(run)
        db.session.flush()
        run_id = run.id
        db.session.commit()
        db.session.remove()

        def stored() -> tuple[dict, dict | None]:
            with db.engine.connect() as conn:
                names = {c["name"] for c in inspect(conn).get_columns("analysis_runs")}
                cols = [sa.column("groups", sa.JSON)]
                if "working" in names:
                    cols.append(sa.column("working", sa.JSON))
                table = sa.table("analysis_runs", sa.column("id", sa.Integer), *cols)
                row = conn.execute(sa.select(*cols).where(table.c.id == run_id)).one()
            return row[0], (row[1] if len(row) > 1 else None)

        downgrade(revision="0003")  # an old row: the state inside groups
        assert stored() == ({**groups, "snapshot": working}, None)
        upgrade()
        assert stored() == (groups, working)
        downgrade(revision="0003")
        assert stored() == ({**groups, "snapshot": working}, None)
        db.engine.dispose()
