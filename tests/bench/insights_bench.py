"""How long the insights page takes on 10,000 entries with a year of workflow and demand.

Run with ``make bench`` (or ``python -m tests.bench.insights_bench``; ``INSIGHTS_BENCH_ENTRIES``
and ``INSIGHTS_BENCH_REQUESTS`` choose the sizes). The requests are walked through the real
workflow at dates spread over the past year; the demand counts are a year of daily searches,
views and click-throughs. The page is fetched through the app, signed in as staff.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine
from flask_migrate import upgrade

from app import create_app
from app.enums import Role
from app.extensions import db
from app.models import DemandCount, Institution
from app.services import demand, importer, reference, unit, users, workflow
from app.workflow.states import Action, RequestState
from tests.bench.search_bench import SEED, synthetic_records
from tests.workflow_helpers import COMPLETE_FIELDS

PASSWORD = "bench password for insights"


def build(tmp: Path, entries: int, requests: int):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
            "SEARCH_INDEX_DIR": str(tmp / "index"),
            "MAIL_DIR": str(tmp / "mail"),
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
        }
    )
    rng = random.Random(7)
    with app.app_context():
        upgrade()
        reference.load_institutions(SEED / "institutions.csv")
        reference.load_taxonomies(SEED / "taxonomy")
        db.session.commit()
        path = tmp / "records.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in synthetic_records(entries)) + "\n")
        report = importer.import_file(path)
        assert report.ok, report.problems[:5]

        institutions = db.session.scalars(db.select(Institution).limit(8)).all()
        liaisons = [
            users.create_user(
                email=f"liaison{i}@bench.example.edu",
                name=f"Liaison {i}",
                role=Role.LIAISON,
                institution=inst,
                password=PASSWORD,
            )
            for i, inst in enumerate(institutions)
        ]
        staff = users.create_user(
            email="staff@bench.example.org", name="Staff", role=Role.STAFF, password=PASSWORD
        )
        chancellor = users.create_user(
            email="chancellor@bench.example.org",
            name="Chancellor",
            role=Role.CHANCELLOR,
            password=PASSWORD,
        )
        unit.commit()

        now = datetime.now(UTC)
        started = time.perf_counter()
        for n in range(requests):
            filed = now - timedelta(days=rng.uniform(0, 365))
            liaison = rng.choice(liaisons)
            fields = {**COMPLETE_FIELDS, "title": f"Bench request {n}"}
            with time_machine.travel(filed, tick=False):
                req = workflow.create_request(liaison, "endorsement", fields)
                req = workflow.transition(liaison, req.id, Action.SUBMIT, version=req.version)
            fate = rng.random()
            if fate < 0.15:
                continue  # still waiting
            at = filed + timedelta(days=rng.uniform(1, 10))
            steps = [(staff, Action.CLAIM, {})]
            if fate < 0.4:
                steps += [
                    (staff, Action.REQUEST_REVISIONS, {"comment": "Add a partner."}),
                    (liaison, Action.RESUBMIT, {}),
                ]
            rec = "decline" if fate > 0.9 else "endorse"
            steps.append((staff, Action.RECOMMEND, {"comment": "Done.", "recommendation": rec}))
            final = Action.DECLINE if rec == "decline" else Action.APPROVE
            steps.append((chancellor, final, {"comment": "Agreed."} if rec == "decline" else {}))
            for actor, action, kwargs in steps:
                at = min(at + timedelta(days=rng.uniform(0, 6)), now)
                with time_machine.travel(at, tick=False):
                    if action is Action.RECOMMEND and req.state is RequestState.SUBMITTED:
                        # A resubmission the reviewer has to take up again.
                        req = workflow.transition(staff, req.id, Action.CLAIM, version=req.version)
                    req = workflow.transition(actor, req.id, action, version=req.version, **kwargs)
        walked = time.perf_counter() - started

        words = [f"skill {i}" for i in range(400)]
        rows = []
        for day in range(365):
            d = (now - timedelta(days=day)).date()
            for w in rng.sample(words, 60):
                rows.append({"day": d, "kind": "search", "key": w, "count": rng.randint(1, 40)})
            for w in rng.sample(words, 10):
                rows.append({"day": d, "kind": "search_zero", "key": w, "count": 1})
            for e in rng.sample(range(1, entries + 1), 80):
                rows.append({"day": d, "kind": "view", "key": str(e), "count": rng.randint(1, 9)})
                rows.append({"day": d, "kind": "enroll", "key": str(e), "count": 1})
        db.session.execute(db.insert(DemandCount), rows)
        db.session.commit()
        print(
            f"{entries:,} entries, {requests:,} requests walked in {walked:.0f} s, "
            f"{len(rows):,} demand rows",
            flush=True,
        )
    return app


def main() -> None:
    entries = int(os.environ.get("INSIGHTS_BENCH_ENTRIES", "10000"))
    requests = int(os.environ.get("INSIGHTS_BENCH_REQUESTS", "1000"))
    tmp = Path(tempfile.mkdtemp(prefix="bench-insights-"))
    app = build(tmp, entries, requests)
    client = app.test_client()
    answer = client.post("/login", data={"email": "staff@bench.example.org", "password": PASSWORD})
    assert answer.status_code == 302, answer.status_code
    samples = []
    for _ in range(20):
        started = time.perf_counter()
        response = client.get("/insights/")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with app.app_context():
        demand.flush()
    q = statistics.quantiles(samples, n=20, method="inclusive")
    print(
        f"/insights (a year, {entries:,} entries, {requests:,} requests): "
        f"median {statistics.median(samples):.0f} ms, p95 {q[18]:.0f} ms",
        flush=True,
    )


if __name__ == "__main__":
    main()
