"""A large dataset is read on several connections that share one snapshot (lanes.py): the files
are the ones a single connection writes, and votes cast during a build are in none of them.

These tests need rows another connection can see: they build the scene, committed, in a
database of their own (the other tests' rows sit in a transaction no other connection sees,
so TestingConfig reads on one connection)."""

from __future__ import annotations

import hashlib
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from config import TestingConfig
from deliberation.models import Base, Consultation
from deliberation.opendata import build, queries, store
from deliberation.opendata.lanes import Lanes
from tests.databases import isolated_database_url, using_postgres

from .helpers import Dataset, make_scene

pytestmark = pytest.mark.skipif(
    not using_postgres(), reason="several connections on one snapshot: PostgreSQL only"
)

CSVS = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv", "participation.csv")


@pytest.fixture
def committed(tmp_path):
    """An app on a database of its own, with the open-data scene committed in it."""
    with isolated_database_url(tmp_path, "lanes") as url:
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            Base.metadata.create_all(db.engine)
            scene = make_scene()
            yield app, scene, url
            db.session.remove()
            db.engine.dispose()


def _build(scene, folder, lanes: Lanes) -> Dataset:  # type: ignore[no-untyped-def]
    _manifest, path = store.ensure(
        db.session,
        scene.consultation,
        folder,
        secret="lanes",
        k=5,
        publisher=build.Publisher(),
        lanes=lanes,
    )
    return Dataset(path.read_bytes())


def test_three_connections_write_the_files_one_writes(committed, tmp_path):
    _app, scene, _url = committed
    one = _build(scene, tmp_path / "one", Lanes(db.engine, 1))
    three = _build(scene, tmp_path / "three", Lanes(db.engine, 3))
    for name in CSVS:
        assert three.text(name) == one.text(name), name
    assert len(three.rows("votes.csv")) == 3  # the published votes: not the deleted account's
    figures = {r["key"]: r["value"] for r in three.rows("participation.csv")}
    assert figures["participation_votes"] == "4"  # the outcome section's count, same rule


def test_votes_cast_while_a_dataset_is_built_are_in_none_of_its_files(
    committed, tmp_path, monkeypatch
):
    """The tallies in comments.csv add up to votes.csv even when a vote lands between the
    reads of the build (here: after the first read, before the other lanes start)."""
    _app, scene, url = committed
    engine = create_engine(url)
    subsidy, voter = scene.c["subsidy"].id, scene.people[0].id  # a participant already
    real = queries.fingerprint
    cast = threading.Event()

    def meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not cast.is_set():
            cast.set()
            with engine.begin() as conn:  # another citizen's vote, committed mid-build
                conn.execute(
                    text(
                        "INSERT INTO votes (comment_id, user_id, value, created_at, updated_at)"
                        " VALUES (:c, :u, 1, now(), now())"
                    ),
                    {"c": subsidy, "u": voter},
                )
        return real(*args, **kwargs)

    monkeypatch.setattr(queries, "fingerprint", meanwhile)
    data = _build(scene, tmp_path / "during", Lanes(db.engine, 3))
    assert cast.is_set()
    votes = data.rows("votes.csv")
    row = next(r for r in data.rows("comments.csv") if r["comment-id"] == str(subsidy))
    published = [v for v in votes if v["comment-id"] == str(subsidy)]
    assert int(row["agrees"]) + int(row["disagrees"]) == sum(v["vote"] != "0" for v in published)
    assert len(votes) == 3  # the vote cast during the build waits for the next version
    monkeypatch.setattr(queries, "fingerprint", real)
    after = _build(scene, tmp_path / "after", Lanes(db.engine, 3))
    assert len(after.rows("votes.csv")) == 4
    engine.dispose()


def test_two_downloads_at_once_build_the_dataset_once(committed, tmp_path, monkeypatch):
    """A download and the background job (or two downloads) asking for a dataset not built yet:
    the second waits for the first one's build and serves the same ZIP."""
    app, scene, _url = committed
    real = store.build
    builds: list[int] = []
    started = threading.Barrier(2)

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        builds.append(1)
        time.sleep(0.5)  # long enough for the other request to arrive meanwhile
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "build", slow)
    shas: list[str] = []

    def download() -> None:
        with app.app_context(), Session(db.engine) as own:
            consultation = own.get(Consultation, scene.consultation.id)
            assert consultation is not None
            started.wait()
            manifest, path = store.ensure(
                own,
                consultation,
                tmp_path / "shared",
                secret="lanes",
                k=5,
                publisher=build.Publisher(),
                lanes=Lanes(db.engine, 3),
            )
            shas.append(hashlib.sha256(path.read_bytes()).hexdigest())
            assert shas[-1] == manifest["zip"]["sha256"]

    threads = [threading.Thread(target=download) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(shas) == 2 and shas[0] == shas[1]
    assert builds == [1]
