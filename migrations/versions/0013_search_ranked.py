"""PostgreSQL search: ``search.documents.ranked``, a smaller ``tsvector`` kept in the row
itself: each entry's title (A), skills (B) and summary (C) with their positions, and the words
of the institution, summary and the rest of the text without positions (they rank as D); no
taxonomy titles. Its title and skill words (weights A and B) have a GIN index, for word
beginnings; each sort's columns have a btree index. The search ranks its matches and matches
word beginnings with it instead of the whole document, which is stored out of line and cost
three times as much to read for a word most entries have.

Existing rows get it from their document and their stored summary, the same as
``flask search rebuild`` writes from the entries. SQLite databases are unaffected.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# ``search.texts.summary`` is stored HTML-escaped (markupsafe): back to the text, and the
# characters the index reads as word separators ("/", "\\", "@") as spaces, as when writing.
_SUMMARY = (
    "regexp_replace(replace(replace(replace(replace(replace(t.summary, '&#39;', ''''), "
    "'&#34;', '\"'), '&lt;', '<'), '&gt;', '>'), '&amp;', '&'), '[/\\\\@]', ' ', 'g')"
)


FILL_RANKED = f"""
    UPDATE search.documents AS d
    SET ranked = ts_filter(d.document, '{{a,b}}')
                 || setweight(to_tsvector('search.inventory', {_SUMMARY}), 'C')
                 || strip(ts_filter(d.document, '{{c}}'))
    FROM search.texts AS t WHERE t.entry_id = d.entry_id
"""  # noqa: S608  # nosec B608


SORT_INDEXES = {
    "ix_search_documents_newest": "published DESC, title_sort, entry_id",
    "ix_search_documents_title": "title_sort, entry_id",
    "ix_search_documents_cost": "cost_sort, title_sort, entry_id",
    "ix_search_documents_duration": "duration_sort, title_sort, entry_id",
}


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _postgres():
        return
    op.execute("ALTER TABLE search.documents ADD COLUMN ranked tsvector")
    op.execute(FILL_RANKED)
    op.execute(
        "UPDATE search.documents SET ranked = ts_filter(document, '{a,b}') "
        "|| strip(ts_filter(document, '{c}')) WHERE ranked IS NULL"
    )
    op.execute("ALTER TABLE search.documents ALTER COLUMN ranked SET NOT NULL")
    # Word beginnings are looked for in title and skill words: this expression, in queries too.
    op.execute(
        "CREATE INDEX ix_search_documents_heads ON search.documents "
        "USING gin (ts_filter(ranked, '{a,b}'))"
    )
    # Each sort's order is read once per generation and process: from an index, not a sort
    # of every row (220 ms at 100,000 entries for titles in the database's collation).
    for name, columns in SORT_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON search.documents ({columns})")
    op.execute("UPDATE search.state SET generation = nextval('search.generation') WHERE id = 1")


def downgrade():
    if not _postgres():
        return
    for name in SORT_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS search.{name}")
    op.execute("DROP INDEX IF EXISTS search.ix_search_documents_heads")
    op.execute("ALTER TABLE search.documents DROP COLUMN IF EXISTS ranked")
