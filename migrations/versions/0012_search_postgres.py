"""PostgreSQL full-text search: the ``search`` schema the ``SEARCH_BACKEND=postgres`` backend
reads and writes in the same transaction as publication (SQLite databases are unaffected)

- ``unaccent`` and ``pg_trgm`` extensions;
- text search configuration ``search.inventory``: accents folded, then English Snowball
  stems, no stop words (a query drops them itself, and keeps "IT");
- ``search.documents``: one row per active published entry: a weighted ``tsvector`` (A title,
  B skills, C institution, summary and the rest of the text, D taxonomy titles) with a GIN
  index, ``facet:value`` keys with a GIN index, and the sort keys;
- ``search.texts``: each entry's title and summary (for highlights) and its words;
- ``search.words``: every folded, unstemmed word of public entries with its number of entries,
  trigram-indexed, for typo correction and word beginnings;
- ``search.suggestions``: ``word-start|Display`` keys for suggestions as one types;
- ``search.state``: a generation number, new at every change (from a sequence), for
  per-process caches.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _postgres():
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE SCHEMA IF NOT EXISTS search")
    op.execute(
        "CREATE TEXT SEARCH DICTIONARY search.english_stem_all "
        "(TEMPLATE = pg_catalog.snowball, Language = english)"
    )
    op.execute("CREATE TEXT SEARCH CONFIGURATION search.inventory (COPY = pg_catalog.simple)")
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION search.inventory ALTER MAPPING FOR "
        "asciiword, asciihword, hword_asciipart, word, hword, hword_part "
        "WITH unaccent, search.english_stem_all"
    )
    op.execute(
        """
        CREATE TABLE search.documents (
            entry_id integer PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
            version integer NOT NULL,
            document tsvector NOT NULL,
            facets text[] NOT NULL DEFAULT '{}',
            published integer NOT NULL,
            title_sort text NOT NULL,
            cost_sort bigint NOT NULL,
            duration_sort bigint NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX ix_search_documents_document ON search.documents USING gin (document)")
    op.execute("CREATE INDEX ix_search_documents_facets ON search.documents USING gin (facets)")
    # What only a page of results or a change needs, apart, so that the rows a search scans
    # stay narrow (about three times faster to match and rank).
    op.execute(
        """
        CREATE TABLE search.texts (
            entry_id integer PRIMARY KEY
                REFERENCES search.documents (entry_id) ON DELETE CASCADE,
            title text NOT NULL,
            summary text NOT NULL,
            words text[] NOT NULL DEFAULT '{}'
        )
        """
    )
    op.execute(
        """
        CREATE TABLE search.words (
            word text PRIMARY KEY,
            entries integer NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX ix_search_words_trgm ON search.words USING gin (word gin_trgm_ops)")
    op.execute("CREATE INDEX ix_search_words_prefix ON search.words (word text_pattern_ops)")
    op.execute(
        """
        CREATE TABLE search.suggestions (
            entry_id integer NOT NULL REFERENCES search.documents (entry_id) ON DELETE CASCADE,
            key text NOT NULL,
            display text NOT NULL
        )
        """
    )
    op.execute(
        "CREATE INDEX ix_search_suggestions_key ON search.suggestions (key text_pattern_ops)"
    )
    op.execute("CREATE INDEX ix_search_suggestions_entry ON search.suggestions (entry_id)")
    # A sequence, not a counter: a rolled-back change never hands its number to another.
    op.execute("CREATE SEQUENCE search.generation")
    op.execute(
        """
        CREATE TABLE search.state (
            id integer PRIMARY KEY CHECK (id = 1),
            generation bigint NOT NULL
        )
        """
    )
    op.execute("INSERT INTO search.state (id, generation) VALUES (1, nextval('search.generation'))")


def downgrade():
    if not _postgres():
        return
    op.execute("DROP SCHEMA IF EXISTS search CASCADE")
