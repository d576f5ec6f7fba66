"""An indexing process of a rebuild: ``python -m app.search.index_worker INDEX_DIR LIMIT_MB``
(started by ``app.search.builder``, never by hand)."""

import sys

from app.search.builder import write_part

if __name__ == "__main__":
    write_part(sys.argv[1], int(sys.argv[2]))
