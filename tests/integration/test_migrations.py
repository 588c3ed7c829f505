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


def test_0009_turns_links_to_another_agencys_consultation_into_pending_requests(
    empty_database_url,
):
    """Before 0009 a plan could link any agency's consultation; those links become requests."""
    import sqlalchemy as sa

    from deliberation.models import Plan, PlanConsultation
    from deliberation.services import accounts, consultations

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        s = db.session
        ndc, moi = (accounts.get_or_create_agency(s, code) for code in ("NDC", "MOI"))
        staff = accounts.create_user(
            s, email="a@example.tw", display_name="甲", password="long password",
            role="staff", agency=moi,
        )  # fmt: skip
        theirs = consultations.create_consultation(s, actor=staff, title="內政部草案")
        s.flush()
        ours = Plan(title="國發會計畫", lead_agency_id=ndc.id)
        own = Plan(title="內政部計畫", lead_agency_id=moi.id)
        s.add_all([ours, own])
        s.flush()
        s.add_all(
            [
                PlanConsultation(plan_id=ours.id, consultation_id=theirs.id),
                PlanConsultation(plan_id=own.id, consultation_id=theirs.id),
            ]
        )
        s.commit()
        ids = (ours.id, own.id, theirs.id)
        s.remove()
        downgrade(revision="0006")  # the links as they were made before consent existed
        upgrade()
        with db.engine.connect() as conn:
            links = set(
                conn.execute(sa.text("SELECT plan_id, consultation_id FROM plan_consultations"))
            )
            asked = list(
                conn.execute(
                    sa.text("SELECT plan_id, consultation_id, status FROM plan_link_requests")
                )
            )
        assert links == {(ids[1], ids[2])}  # the agency's own plan keeps its link
        assert asked == [(ids[0], ids[2], "pending")]
        downgrade(revision="0006")
        db.engine.dispose()
