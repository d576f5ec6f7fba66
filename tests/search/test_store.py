"""The index follows the database, survives crashes and lock contention, and can be rebuilt.

Tests marked ``whoosh`` handle the index folder itself; tests/search/test_postgres.py has the
PostgreSQL backend's own."""

from __future__ import annotations

import shutil
import sys

import pytest
import sqlalchemy as sa

from app import search
from app.extensions import db
from app.models import IndexTask
from app.search import SearchParams
from app.services import unit
from tests.factories import publish


def total(q="") -> int:
    return search.search(SearchParams(q=q)).total


def test_publishing_reaches_the_index_after_the_commit(index):
    publish(title="Hydroponics Basics")
    assert total("hydroponics") == 1
    assert db.session.scalar(sa.select(sa.func.count(IndexTask.id))) == 0


@pytest.mark.whoosh
def test_a_task_left_by_a_crash_is_applied_by_sync(index, monkeypatch, runner):
    monkeypatch.setattr(unit, "_drains", [])  # the process dies right after the commit
    publish(title="Aquaponics Basics")
    assert total("aquaponics") == 0
    assert db.session.scalar(sa.select(sa.func.count(IndexTask.id))) == 1
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0 and "Applied 1" in result.output
    assert total("aquaponics") == 1


@pytest.mark.whoosh
def test_a_busy_writer_lock_leaves_the_task_for_later(index):
    store = search.store()
    with store.writer_lock(timeout=1):
        publish(title="Beekeeping Basics")  # the request still succeeds
    assert total("beekeeping") == 0
    assert db.session.scalar(sa.select(sa.func.count(IndexTask.id))) == 1
    assert search.sync() == 1
    assert total("beekeeping") == 1


@pytest.mark.whoosh
def test_rebuild_swaps_in_a_new_index_and_check_agrees(app, runner):
    publish(title="Viticulture")
    publish(title="Enology")
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "2 entries" in result.output
    assert total() == 2
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 0 and "agrees" in check.output
    assert len(list(search.store().root.glob("index-*"))) == 1


@pytest.mark.whoosh
def test_check_lists_differences_and_exits_non_zero(index, monkeypatch, runner):
    monkeypatch.setattr(unit, "_drains", [])
    entry = publish(title="Forgotten")
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"1 missing from the index: {entry.id}" in result.output


@pytest.mark.whoosh
def test_a_missing_index_answers_503_and_other_pages_keep_working(index, client):
    publish(title="Orchard Management")
    shutil.rmtree(search.store().root)
    search.store().close()
    response = client.get("/search?q=orchard")
    assert response.status_code == 503
    assert b"temporarily unavailable" in response.data
    api = client.get("/api/v1/credentials?q=orchard")
    assert api.status_code == 503 and api.json["status"] == 503
    assert client.get("/institutions").status_code == 200
    search.rebuild()
    assert client.get("/search?q=orchard").status_code == 200


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # Whoosh leaks a damaged index's file
@pytest.mark.whoosh
def test_a_corrupt_index_answers_503(index, client):
    publish(title="Orchard Management")
    search.store().close()
    for path in search.store().current_dir().iterdir():
        path.write_bytes(b"garbage")
    response = client.get("/search?q=orchard")
    assert response.status_code == 503
    assert b"Traceback" not in response.data


@pytest.mark.whoosh
def test_a_fresh_deployment_builds_its_index_at_the_first_publication(app, client):
    """No `flask search rebuild` was ever run: the first index task builds the whole index."""
    assert not search.store().exists()
    publish(title="Orchard Management")
    assert search.store().exists()
    assert client.get("/search?q=orchard").status_code == 200
    assert total("orchard") == 1
    assert search.check().ok


@pytest.mark.whoosh
def test_a_rebuild_in_several_processes_answers_as_one_process_does(app, monkeypatch):
    """A large inventory is indexed by several processes, each writing the entries of one
    contiguous run: searches find the same entries in the same order as after a rebuild in
    one process, and later publications still reach the index."""
    store_module = sys.modules["app.search.store"]  # (``app.search.store`` is a function)

    for title in ["Welding", "Welding Safety", "Pipe Welding", "Nursing", "Safety"]:
        publish(title=f"{title} Basics")
    queries = [SearchParams(q="welding"), SearchParams(q="basics"), SearchParams(sort="title")]

    def answers() -> list[list[int]]:
        return [[hit.entry_id for hit in search.search(params).hits] for params in queries]

    search.rebuild()
    one_process = answers()
    monkeypatch.setattr(store_module, "REBUILD_PARALLEL_FROM", 1)
    monkeypatch.setattr(store_module, "REBUILD_PROCESSES", 2)
    monkeypatch.setattr(store_module, "REBUILD_CHUNK", 2)
    assert search.rebuild() == 5
    assert len(search.store().open()._segments()) == 2
    assert answers() == one_process
    assert search.check().ok
    publish(title="Welding Inspection Basics")
    assert total("welding") == 4


@pytest.mark.whoosh
def test_a_failed_indexing_process_leaves_the_live_index_answering(app, monkeypatch):
    from app.search import builder

    store_module = sys.modules["app.search.store"]
    publish(title="Welding Basics")
    publish(title="Nursing Basics")
    monkeypatch.setattr(store_module, "REBUILD_PARALLEL_FROM", 1)
    monkeypatch.setattr(store_module, "REBUILD_PROCESSES", 2)
    monkeypatch.setattr(builder, "WORKER_MODULE", "app.search.no_such_module")
    with pytest.raises(RuntimeError, match="indexing process stopped"):
        search.rebuild()
    assert total("welding") == 1
    assert len(list(search.store().root.glob("index-*"))) == 1
