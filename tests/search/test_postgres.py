"""What only the PostgreSQL search backend does: rows written in the publishing transaction
(nothing to drain, nothing left by a crash), its own vocabulary, rebuild and check.

The behaviours both backends share are pinned by the rest of tests/search, which CI runs a
second time with ``TEST_SEARCH_BACKEND=postgres``, and by test_contract.py.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app, search
from app.config import ConfigError
from app.extensions import db
from app.models import IndexTask
from app.search import SearchParams, postgres
from app.services import unit
from tests.conftest import base_config, migrate_and_load_reference
from tests.databases import create_database
from tests.factories import publish

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(app):
    """The test's application with the PostgreSQL search backend (PostgreSQL only)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the PostgreSQL search backend runs on PostgreSQL")
    app.config["SEARCH_BACKEND"] = "postgres"
    postgres.install_hooks()
    search.rebuild()
    return app


def total(q: str = "", **filters) -> int:
    return search.search(SearchParams(q=q, filters=filters)).total


def rows() -> int:
    return db.session.scalar(sa.text("SELECT count(*) FROM search.documents"))


def test_a_publication_is_searchable_when_it_commits_with_nothing_to_drain(pg, monkeypatch):
    monkeypatch.setattr(unit, "_drains", [])  # no after-commit work at all
    publish(title="Hydroponics Basics")
    assert total("hydroponics") == 1
    assert db.session.scalar(sa.select(sa.func.count(IndexTask.id))) == 0


def test_a_publication_whose_commit_fails_leaves_no_row(pg, monkeypatch):
    """The row is written inside the publishing transaction: when that transaction fails
    after the row was written, neither the entry nor its row remains."""
    real = postgres._bump

    def fail_after_writing(session):
        real(session)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(postgres, "_bump", fail_after_writing)
    with pytest.raises(RuntimeError):
        publish(title="Aquaponics Basics")
    db.session.rollback()
    monkeypatch.setattr(postgres, "_bump", real)
    assert total("aquaponics") == 0
    assert rows() == 0
    assert db.session.scalar(sa.text("SELECT count(*) FROM entries")) == 0


def test_a_retirement_removes_the_row_and_its_words(pg):
    publish(title="Zymurgy for Brewers", external_id="ZYM-1")
    assert total("zymurgy") == 1
    assert total("zymurgi") == 1  # a typo is corrected from the words of public entries
    publish(title="Zymurgy for Brewers", external_id="ZYM-1", status="retired")
    assert total("zymurgy") == 0
    words = db.session.scalar(sa.text("SELECT count(*) FROM search.words WHERE word = 'zymurgy'"))
    assert words == 0


def test_check_lists_a_missing_row_and_rebuild_restores_it(pg, runner):
    entry = publish(title="Forgotten Lore")
    db.session.execute(
        sa.text("DELETE FROM search.documents WHERE entry_id = :id"), {"id": entry.id}
    )
    db.session.commit()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"1 missing from the index: {entry.id}" in result.output
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    assert total("lore") == 1


def test_a_change_anywhere_is_seen_by_a_process_that_remembered_the_page(pg):
    """Remembered pages are dropped when the search's generation changes, whichever
    process made the change (here: a write the page cache did not see)."""
    publish(title="Orchard Pruning")
    first = search.remembered_page(("k",), lambda: search.search(SearchParams(q="pruning")))
    assert first.total == 1
    publish(title="Vineyard Pruning")
    second = search.remembered_page(("k",), lambda: search.search(SearchParams(q="pruning")))
    assert second.total == 2


def test_highlights_escape_markup_and_keep_it_visible(pg):
    publish(title="<i>Welding</i> & Cutting", summary="Learn <b>welding</b> & safety.")
    hit = search.search(SearchParams(q="welding")).hits[0]
    assert str(hit.title_html) == "&lt;i&gt;<mark>Welding</mark>&lt;/i&gt; &amp; Cutting"
    assert "&lt;b&gt;<mark>welding</mark>&lt;/b&gt;" in str(hit.snippet_html)


def test_the_backend_needs_postgresql(tmp_path):
    config = base_config(f"sqlite:///{tmp_path}/x.db", tmp_path)
    config["SEARCH_BACKEND"] = "postgres"
    with pytest.raises(ConfigError, match="needs DATABASE_URL on PostgreSQL"):
        create_app(config)
    config["SEARCH_BACKEND"] = "solr"
    with pytest.raises(ConfigError, match="must be one of whoosh, postgres"):
        create_app(config)


def test_searches_read_from_the_replica_named_by_search_database_url(pg, tmp_path):
    """A second database stands in for a read replica: searches (and readiness) read there;
    publications still go to DATABASE_URL."""
    url, drop = create_database("postgresql", tmp_path)
    try:
        replica = create_app({**base_config(url, tmp_path), "SEARCH_BACKEND": "postgres"})
        test_session = db.session  # the test's own, bound to the primary's transaction
        with replica.app_context():
            db.session = scoped_session(sessionmaker(bind=db.engine), scopefunc=_app_ctx_id)
            try:
                migrate_and_load_reference(url, tmp_path / "setup")
                publish(title="Beekeeping on the Replica")
            finally:
                db.session.remove()
                db.session = test_session
                db.engine.dispose()
        publish(title="Beekeeping on the Primary")

        def found() -> list[str]:
            hits = search.search(SearchParams(q="beekeeping")).hits
            return [str(h.title_html) for h in hits]

        assert found() == ["<mark>Beekeeping</mark> on the Primary"]
        pg.config["SEARCH_DATABASE_URL"] = url
        assert found() == ["<mark>Beekeeping</mark> on the Replica"]
        assert search.suggest("beek") == ["Beekeeping on the Replica"]
        assert pg.test_client().get("/readyz").status_code == 200
    finally:
        postgres.close_reader()
        engine = pg.extensions.pop("search_reader_engine", None)
        if engine is not None:
            engine.dispose()
        pg.config["SEARCH_DATABASE_URL"] = ""
        drop()


def test_a_replica_is_for_the_postgresql_backend_only(tmp_path):
    config = base_config(f"sqlite:///{tmp_path}/x.db", tmp_path)
    config["SEARCH_DATABASE_URL"] = "postgresql+psycopg://replica/inventory"
    with pytest.raises(ConfigError, match="SEARCH_BACKEND=postgres only"):
        create_app(config)


def test_an_import_is_searchable_when_it_commits(pg, monkeypatch, tmp_path):
    """The import writes new entries and their index tasks in bulk; their rows come with
    the same commit."""
    import json

    from app.services import importer
    from tests.factories import record

    monkeypatch.setattr(unit, "_drains", [])
    path = tmp_path / "records.jsonl"
    titles = ["Apiary Management", "Apiary Safety", "Apiculture Basics"]
    path.write_text("\n".join(json.dumps(record(title=t)) for t in titles) + "\n")
    assert importer.import_file(path).ok
    assert total("apiary") == 2
    assert total("apicultur") == 1
    assert db.session.scalar(sa.select(sa.func.count(IndexTask.id))) == 0


def test_a_word_read_once_serves_other_pages_sorts_and_filters_until_anything_changes(pg):
    """A query part is matched in PostgreSQL once per generation; another sort, page or filter
    of it reads no document again; any publication drops what was kept."""
    for n in range(3):
        publish(title=f"Orchard Pruning {n}", delivery="online" if n else "in-person")
    assert total("pruning") == 3
    statements = []

    def count(conn, cursor, statement, *args):
        if "FROM search.documents, " in statement:
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        by_title = search.search(SearchParams(q="pruning", sort="title", per_page=2, page=2))
        online = search.search(SearchParams(q="pruning", filters={"delivery": ["online"]}))
        assert [h.entry_id for h in by_title.hits] and by_title.total == 3
        assert online.total == 2
        assert statements == []
        publish(title="Vineyard Pruning")
        assert total("pruning") == 4
        assert len(statements) >= 1
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_a_word_ranks_by_where_it_was_found_title_skill_summary_then_the_rest(pg):
    """The order of where a word was found: title, skill, summary, the rest of the text (a
    taxonomy title only comes last: tests/search/test_precision.py)."""
    publish(title="Apiary Management", summary="Keep hives.")
    publish(title="Hive Keeping", skills=["Apiary inspection"], summary="Keep hives.")
    publish(title="Bee Farming", summary="Run an apiary business.")
    publish(title="Pollinator Care", summary="Care for bees.", assessment="Visit an apiary.")
    titles = [
        str(h.title_html).replace("<mark>", "").replace("</mark>", "")
        for h in search.search(SearchParams(q="apiary")).hits
    ]
    assert titles == ["Apiary Management", "Hive Keeping", "Bee Farming", "Pollinator Care"]


def test_the_migration_gives_existing_rows_the_vector_a_rebuild_writes(pg):
    """Migration 0013 fills ``ranked`` from each row's document and stored summary: the same
    vector the writer makes from the entry (markup and joined words included)."""
    publish(
        title="HVAC/R Controls & <Sensors>",
        skills=["Refrigerant recovery", "Brazing"],
        summary='Service "split" systems & heat pumps; reach <b>EPA 608</b> @ field sites.',
        assessment="Long text about ducts, airflow and the customer's building.",
    )
    publish(title="Welding Basics", summary="Arc & MIG.")
    from importlib import import_module

    migration = import_module("migrations.versions.0013_search_ranked")
    written = dict(
        db.session.execute(sa.text("SELECT entry_id, ranked FROM search.documents")).all()
    )
    db.session.execute(sa.text("UPDATE search.documents SET ranked = ''::tsvector"))
    db.session.execute(sa.text(migration.FILL_RANKED))
    migrated = dict(
        db.session.execute(sa.text("SELECT entry_id, ranked FROM search.documents")).all()
    )
    assert migrated == written
