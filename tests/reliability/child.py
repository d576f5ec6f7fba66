"""A process of the site that stops at a chosen point and waits there to be killed.

``python -m tests.reliability.child POINT MARKER [ARGS]``, in the environment of a
``LiveSite``. The process writes the file ``MARKER`` when it reaches ``POINT`` and then sleeps,
so the test can SIGKILL it there:

- ``rebuild-commit``: ``flask search rebuild`` stops inside the Whoosh commit of the new index
  folder (its segment files written, its table of contents not);
- ``sync-commit``: ``flask search sync`` stops the same way inside the live index;
- ``approve-flushed REQUEST_ID USER_ID VERSION``: the chancellor's approval has sent every row
  it writes (state, transition record, entry, index task, mail) to the database, which has not
  committed them;
- ``approve-committed …``: the same approval, after the commit and before anything follows it
  (the search index, the mail);
- ``approve-ready …``: writes the marker when the app is loaded, then approves at once (the
  test kills it at a moment of its choosing).

Nothing here is part of the application: the points are reached through Whoosh's and
SQLAlchemy's own hooks.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from app import create_app, search
from app.extensions import db
from app.models import TransitionRecord, User
from app.services import workflow
from app.workflow.states import Action


def stop_here(marker: Path) -> None:
    marker.write_text("reached")
    time.sleep(600)
    raise SystemExit("not killed")


def _stop_in_whoosh_commit(marker: Path) -> None:
    from whoosh.writing import SegmentWriter

    def commit_toc(self, segments):
        stop_here(marker)

    SegmentWriter._commit_toc = commit_toc


def _approving(session) -> bool:
    return any(
        isinstance(obj, TransitionRecord) and obj.action is Action.APPROVE
        for obj in list(session.new)
    )


def main(point: str, marker: str, *args: str) -> None:
    marker = Path(marker)
    app = create_app()
    with app.app_context():
        if point == "rebuild-commit":
            _stop_in_whoosh_commit(marker)
            search.rebuild()
        elif point == "sync-commit":
            _stop_in_whoosh_commit(marker)
            search.sync(lock_timeout=30)
        elif point.startswith("approve-"):
            request_id, user_id, version = map(int, args)
            if point == "approve-flushed":

                @event.listens_for(Session, "after_flush")
                def flushed(session, context):
                    if _approving(session):
                        stop_here(marker)

            elif point == "approve-committed":
                pending = {}

                @event.listens_for(Session, "before_commit")
                def before(session):
                    pending["approving"] = _approving(session) or bool(pending.get("approving"))

                @event.listens_for(Session, "after_commit")
                def committed(session):
                    if pending.get("approving"):
                        stop_here(marker)

            user = db.session.get(User, user_id)
            if point == "approve-ready":
                marker.write_text("ready")
            workflow.transition(user, request_id, Action.APPROVE, version=version)
            print("approved", flush=True)
        else:
            raise SystemExit(f"unknown point {point}")


if __name__ == "__main__":
    main(*sys.argv[1:])
