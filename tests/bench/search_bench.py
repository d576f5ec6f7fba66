"""Import, index and search at 1,000, 10,000 and 100,000 entries, per search backend.

Run with ``make bench``. Settings (environment variables):

- ``BENCH_SIZES``: inventory sizes, default ``1000,10000,100000``;
- ``BENCH_BACKENDS``: search backends, default ``whoosh,postgres`` (a backend this version of
  the application does not have is reported as not available, and the run goes on);
- ``BENCH_REPEATS``: timed requests per kind of query, endpoint and run (default 30);
- ``BENCH_SECONDS``: seconds of each throughput measurement (default 5);
- ``BENCH_DATABASE_URL``: the PostgreSQL server (default ``TEST_DATABASE_URL``'s, else
  ``postgresql://postgres@127.0.0.1:5432``); each size gets a throw-away database on it, dropped
  at the end. Without a reachable server, SQLite is used and only Whoosh is measured.

For each size, synthetic records made from the seed inventory are imported once, through the
import service (records per second; the index is left to the rebuild that follows, and at
up to 10,000 entries the same file is imported again, unchanged). Then, for each backend, on
that same database: the index is rebuilt (entries per second), the application is served by
gunicorn (2 workers, ``SEARCH_BACKEND`` set) and, over HTTP, for the search API
(``/api/v1/credentials?q=…``) and the search page (``/search?q=…``), with every facet counted:

- latency (p50, p95, p99) of three kinds of query: *narrow* (a few entries), *broad* (words
  that match more than 30% of the inventory) and *filtered* (words with facet filters or
  filter words), and of their mix, in which a third of the requests are broad;
- two runs: with the result caches off (``SEARCH_MATCH_CACHE=0``) and each request asking for
  another page or sort; and with the caches on and the same searches repeated. In both, what
  each worker keeps per index generation (facet sets, each sort's order, the words' matches)
  is read beforehand;
- the slowest first request of each kind to a newly started server (nothing kept yet), which
  is what the first searches after any change of the inventory cost;
- requests per second with 8 concurrent clients of the mix on each endpoint, and of
  ``/healthz`` of the same application (the ceiling), and their ratio.

Finally, recall@5 of the labelled relevance set (``tests/search/relevance_set.py``) on the
seed inventory, per backend. Every phase is timed. The tables are printed and written to
``tests/bench/results/latest.md``.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

import psycopg
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from app import create_app
from app.config import from_env

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seed_data"
NARROW = [
    {"q": "phlebotomy"},
    {"q": "cherokee language"},
    {"q": "welidng"},
    {"q": "CDL"},
    {"q": "nursing university of oklahoma"},
    {"q": "cyber"},
]
# Candidates for broad words; those matching more than 30% of the inventory are used.
BROAD_CANDIDATES = ["leadership", "safety", "communication", "skills", "management", "data"]
FILTERED = [
    {"q": "nursing patient care", "delivery": ["online", "hybrid"], "endorsement": ["endorsed"]},
    {"q": "short online cybersecurity credential under $500"},
    {"q": "leadership", "credit": ["non-credit"], "delivery": ["online"]},
    {"credit": ["non-credit"], "cost": ["free", "under-500"]},
]
KINDS = ("narrow", "broad", "filtered")
WORDS = (
    "Applied Advanced Intro Rural Tribal Regional Digital Modern Field Clinical Practical "
    "Professional Industrial Coastal Urban Northern Southern Evening Weekend Accelerated"
).split()
SORTS = ["relevance", "relevance", "newest", "title", "cost"]
CLIENTS = 8
ENDPOINTS = {"API": "/api/v1/credentials?", "page": "/search?"}
RUNS = (
    # (label, SEARCH_MATCH_CACHE, each request another page or sort)
    ("caches off, new page/sort", 0, True),
    ("caches on, repeated", 256, False),
)
# Sizes at which the same file is imported a second time (nothing changed).
REIMPORT_UP_TO = 10_000
THROUGHPUT_SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
PG_SERVER = (
    os.environ.get("BENCH_DATABASE_URL")
    or os.environ.get("TEST_DATABASE_URL")
    or "postgresql://postgres@127.0.0.1:5432"
)


def synthetic_records(n: int) -> list[dict]:
    rng = random.Random(42)
    templates = [
        json.loads(line) for line in (SEED / "entries.jsonl").read_text().splitlines() if line
    ]
    skills = sorted({s for t in templates for s in t["skills"]})
    out = []
    for i in range(n):
        record = dict(rng.choice(templates))
        record["external_id"] = f"BENCH-{i:07d}"
        record["title"] = f"{rng.choice(WORDS)} {record['title']} {i % 97}"
        record["skills"] = list(dict.fromkeys(record["skills"][:4] + rng.sample(skills, 2)))
        record["status"] = "active"
        out.append(record)
    return out


# --- time of each phase, and progress of the long ones ------------------------------------


class Clock:
    """Times the phases of the run and prints each as it ends."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.phases: list[tuple[str, float]] = []

    def elapsed(self) -> str:
        return _duration(time.perf_counter() - self.started)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        print(f"[{self.elapsed()}] {name} …", flush=True)
        started = time.perf_counter()
        try:
            yield
        finally:
            took = time.perf_counter() - started
            self.phases.append((name, took))
            print(f"[{self.elapsed()}] {name}: {_duration(took)}", flush=True)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {seconds % 60:02.0f} s"


class Progress:
    """A progress line at each 10% at most every 5 seconds (and every 15 seconds while
    nothing moves), so that a long phase never looks stuck. ``done`` is given to the long
    call as its ``progress`` callback; ``after`` says what happens once the count is
    complete."""

    def __init__(self, label: str, total: int, after: str = "") -> None:
        self.label, self.total, self.after = label, total, after
        self.count = 0
        self.started = self.last = time.perf_counter()
        self.next_step = 0.1
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, daemon=True)

    def __enter__(self) -> Progress:
        self._ticker.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._ticker.join()

    def done(self, n: int) -> None:
        self.count += n
        if self.total and self.count / self.total >= self.next_step - 1e-9:
            while self.count / self.total >= self.next_step - 1e-9:
                self.next_step += 0.1
            finished = self.count >= self.total
            if time.perf_counter() - self.last >= 5 or (finished and self.last > self.started):
                self._print()  # (a phase shorter than a few seconds prints nothing)
            if finished and self.after and time.perf_counter() - self.started >= 5:
                print(f"    {self.label}: {self.after}", flush=True)

    def _print(self) -> None:
        took = time.perf_counter() - self.started
        rate = self.count / took if took else 0
        share = f" ({100 * self.count / self.total:.0f}%)" if self.total else ""
        print(
            f"    {self.label}: {self.count:,}/{self.total:,}{share}, "
            f"{_duration(took)}, {rate:,.0f}/s",
            flush=True,
        )
        self.last = time.perf_counter()

    def _tick(self) -> None:
        while not self._stop.wait(5):
            if time.perf_counter() - self.last >= 15:
                took = _duration(time.perf_counter() - self.started)
                where = f"{self.count:,}/{self.total:,}" if self.count < self.total else "all"
                print(f"    {self.label}: still working ({where}, {took})", flush=True)
                self.last = time.perf_counter()


# --- databases ----------------------------------------------------------------------------


class Database:
    """A throw-away database: on the PostgreSQL server when it answers, else a SQLite file."""

    def __init__(self, tmp: Path, label: str) -> None:
        self.name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
        self.admin: str | None = None
        server = make_url(PG_SERVER.replace("postgresql+psycopg://", "postgresql://"))
        admin = server.set(drivername="postgresql", database="postgres")
        try:
            conninfo = admin.render_as_string(hide_password=False)
            with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.admin = conninfo
            self.url = admin.set(database=self.name).render_as_string(hide_password=False)
        except psycopg.Error as exc:
            print(f"PostgreSQL not reachable at {PG_SERVER} ({exc}); using SQLite.", flush=True)
            self.url = f"sqlite:///{tmp / f'{self.name}.db'}"

    @property
    def postgres(self) -> bool:
        return self.admin is not None

    def drop(self) -> None:
        if self.admin:
            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def environment(database: Database, index_dir: Path, backend: str | None, cache: int = 256):
    """The environment of the application for ``backend`` (None: the default one)."""
    env = dict(
        os.environ,
        DATABASE_URL=database.url,
        SEARCH_INDEX_DIR=str(index_dir),
        SECRET_KEY="bench",
        SEARCH_MATCH_CACHE=str(cache),
    )
    env.pop("SEARCH_BACKEND", None)
    if backend:
        env["SEARCH_BACKEND"] = backend
    return env


def make_app(env: dict, backend: str | None) -> Flask:
    """The application as gunicorn would make it from ``env``. Raises ``Unavailable`` when
    this version of the application has no such backend."""
    try:
        config = from_env(tempfile.gettempdir(), env)
        if backend and backend != "whoosh" and config.get("SEARCH_BACKEND") != backend:
            raise Unavailable("this version does not read SEARCH_BACKEND")
        return create_app(config)
    except Unavailable:
        raise
    except Exception as exc:  # a rejected setting, a missing module
        raise Unavailable(f"{type(exc).__name__}: {exc}") from exc


class Unavailable(RuntimeError):
    pass


def dispose(app: Flask) -> None:
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        with contextlib.suppress(Exception):
            app.extensions["search_store"].close()
        db.engine.dispose()


@contextlib.contextmanager
def index_left_for_later() -> Iterator[None]:
    """The import without its after-commit index update: the rebuild measured next builds the
    index (an import into an inventory with no index builds it the same way)."""
    from app.services import unit

    with mock.patch.object(unit, "_drains", []):
        yield


# --- the server and its clients -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "1"]
            + ["--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(300):
            try:
                self.get("/healthz")
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("gunicorn stopped while starting") from None
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def get(self, path: str) -> bytes:
        url = f"http://127.0.0.1:{self.port}{path}"
        with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - local server
            return response.read()

    def total(self, args: dict) -> int:
        return json.loads(self.get(ENDPOINTS["API"] + urlencode(args, doseq=True)))["total"]

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def mix(endpoint: str, broad: list[dict], repeats: int, vary: bool) -> list[tuple[str, str]]:
    """``(kind, path)`` in a shuffled order, a third broad; ``vary`` gives each request its
    own page and sort so that no two requests in a row are the same search."""
    rng = random.Random(7)
    queries = {"narrow": NARROW, "broad": broad, "filtered": FILTERED}
    out = []
    for i in range(repeats):
        for kind in KINDS:
            args = dict(queries[kind][i % len(queries[kind])])
            if vary:
                args["page"] = str(1 + (i // len(queries[kind])) % 3)
                args["sort"] = SORTS[(i // (3 * len(queries[kind]))) % len(SORTS)]
            out.append((kind, ENDPOINTS[endpoint] + urlencode(args, doseq=True)))
    rng.shuffle(out)
    return out


def percentiles(samples: list[float]) -> dict[str, float]:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": q[49], "p95": q[94], "p99": q[98], "n": len(samples)}


def throughput(server: Server, paths: list[str]) -> float:
    """Requests per second with ``CLIENTS`` threads, each walking ``paths`` from its own
    start, for ``THROUGHPUT_SECONDS``."""
    done = [0] * CLIENTS
    stop = time.perf_counter() + THROUGHPUT_SECONDS

    def client(k: int) -> None:
        i = k * 7
        while time.perf_counter() < stop:
            server.get(paths[i % len(paths)])
            done[k] += 1
            i += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started)


# --- one size -----------------------------------------------------------------------------


@dataclass
class Results:
    loads: list[dict] = field(default_factory=list)
    builds: list[dict] = field(default_factory=list)
    matches: list[dict] = field(default_factory=list)
    latency: list[dict] = field(default_factory=list)
    rates: list[dict] = field(default_factory=list)
    relevance: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load(clock: Clock, n: int, database: Database, tmp: Path, results: Results) -> None:
    """Schema, reference data and ``n`` imported records in ``database``."""
    from app.extensions import db
    from app.services import importer, reference

    app = make_app(environment(database, tmp / "index-import", None), None)
    with app.app_context():
        with clock.phase(f"{n:,}: schema and reference data"):
            upgrade()
            reference.load_institutions(SEED / "institutions.csv")
            reference.load_taxonomies(SEED / "taxonomy")
            db.session.commit()
        path = tmp / "records.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in synthetic_records(n)) + "\n")
        row = {"size": n, "database": "PostgreSQL" if database.postgres else "SQLite"}
        for label in ("import", "re-import"):
            if label == "re-import" and n > REIMPORT_UP_TO:
                break
            with clock.phase(f"{n:,}: {label}"), index_left_for_later():
                with Progress(label, n, "written; committing") as progress:
                    started = time.perf_counter()
                    report = importer.import_file(path, progress=progress.done)
                    took = time.perf_counter() - started
            assert report.ok, report.problems[:5]
            expected = "created" if label == "import" else "unchanged"
            assert getattr(report, expected) == n, report
            row[label] = took
    dispose(app)
    results.loads.append(row)


def bench_backend(
    clock: Clock, n: int, backend: str, database: Database, tmp: Path, repeats: int, results
) -> None:
    from app import search

    index_dir = tmp / f"index-{backend}"
    try:
        app = make_app(environment(database, index_dir, backend), backend)
    except Unavailable as exc:
        message = f"{backend} backend: not available ({exc})"
        print(message, flush=True)
        if message not in results.notes:
            results.notes.append(message)
        return
    with app.app_context(), clock.phase(f"{n:,}: {backend} rebuild"):
        after = "added; writing the index"
        with Progress(f"{backend} rebuild", n, after) as progress:
            started = time.perf_counter()
            count = search.rebuild(progress=progress.done)
            took = time.perf_counter() - started
    dispose(app)
    assert count == n, count
    results.builds.append({"size": n, "backend": backend, "seconds": took})

    broad: list[dict] = []
    for label, cache, vary in RUNS:
        with clock.phase(f"{n:,}: {backend}, {label}"):
            server = Server(environment(database, index_dir, backend, cache))
            try:
                if not broad:
                    # The first time each search is asked of this new server, with nothing
                    # of it kept yet (the first of all also reads the facet sets).
                    first: dict[str, float] = {}
                    for w in BROAD_CANDIDATES:
                        t0 = time.perf_counter()
                        if server.total({"q": w}) > 0.3 * n:
                            broad.append({"q": w})
                            first[w] = (time.perf_counter() - t0) * 1000
                    assert len(broad) >= 2, "no broad words at this size"
                    queries = {"narrow": NARROW, "broad": broad, "filtered": FILTERED}
                    totals, cold = {}, {"broad": list(first.values())}
                    for k in KINDS:
                        totals[k] = []
                        for q in queries[k]:
                            t0 = time.perf_counter()
                            totals[k].append(server.total({**q, "per_page": "1"}))
                            if k != "broad":
                                cold.setdefault(k, []).append((time.perf_counter() - t0) * 1000)
                    results.matches.append(
                        {"size": n, "backend": backend, "broad_words": [b["q"] for b in broad]}
                        | {k: _span(v) for k, v in totals.items()}
                        | {f"cold_{k}": max(v) for k, v in cold.items()}
                    )
                _measure_run(server, n, backend, label, broad, vary, repeats, results)
            finally:
                server.stop()


def _measure_run(server, n, backend, label, broad, vary, repeats, results) -> None:
    for endpoint in ENDPOINTS:
        # Each worker reads what it keeps for the index generation (facet postings, each
        # sort's order, the words' matches): each search is asked in each worker beforehand,
        # and each sort once (what a first request costs is in the "first" columns).
        warm = {p for _kind, p in mix(endpoint, broad, 1 if vary else repeats, False)}
        warm |= {ENDPOINTS[endpoint] + urlencode({"q": "nursing", "sort": s}) for s in SORTS}
        for path in warm:
            for _ in range(4):
                server.get(path)
    rate = {"size": n, "backend": backend, "run": label}
    for endpoint in ENDPOINTS:
        samples: dict[str, list[float]] = {k: [] for k in KINDS}
        for kind, path in mix(endpoint, broad, repeats, vary):
            t0 = time.perf_counter()
            server.get(path)
            samples[kind].append((time.perf_counter() - t0) * 1000)
        samples["mix"] = [v for values in samples.values() for v in values]
        results.latency.append(
            {"size": n, "backend": backend, "run": label, "endpoint": endpoint}
            | {kind: percentiles(values) for kind, values in samples.items()}
        )
        rate[endpoint] = throughput(server, [p for _k, p in mix(endpoint, broad, 20, vary)])
    rate["healthz"] = throughput(server, ["/healthz"])
    results.rates.append(rate)
    print(
        f"    {n:,} entries, {backend}, {label}: API {rate['API']:.0f}/s, "
        f"page {rate['page']:.0f}/s, /healthz {rate['healthz']:.0f}/s",
        flush=True,
    )


def _span(values: list[int]) -> str:
    return f"{min(values):,}–{max(values):,}"


def relevance(clock: Clock, backends: list[str], tmp: Path, results: Results) -> None:
    """Recall@5 of the labelled relevance set on the seed inventory, per backend."""
    from app import search
    from app.services import discovery, seeding
    from tests.search.relevance_set import recall_at_5

    database = Database(tmp, "relevance")
    try:
        app = make_app(environment(database, tmp / "index-seed", None), None)
        with app.app_context(), clock.phase("relevance: seed inventory"):
            upgrade()
            with index_left_for_later():
                seeding.seed()
        dispose(app)
        for backend in backends:
            try:
                app = make_app(
                    environment(database, tmp / f"index-seed-{backend}", backend), backend
                )
            except Unavailable:
                continue
            with app.app_context(), clock.phase(f"relevance: {backend}"):
                search.rebuild()

                def ids(q: str) -> list[int]:
                    params = discovery.parse_params({"q": q, "per_page": "5"})
                    page = discovery.search_inventory(params)
                    return [entry.id for entry, _hit in page.entries]

                score, rows = recall_at_5(ids)
            dispose(app)
            results.relevance.append({"backend": backend, "recall": score, "queries": len(rows)})
    finally:
        database.drop()


# --- the report ---------------------------------------------------------------------------


def report(results: Results, clock: Clock) -> str:
    lines = ["Import (the synthetic records, through the import service):", ""]
    lines += ["| entries | database | import | records/s | re-import, unchanged | records/s |"]
    lines += ["|---:|---|---:|---:|---:|---:|"]
    for r in results.loads:
        again = r.get("re-import")
        lines.append(
            f"| {r['size']:,} | {r['database']} | {_duration(r['import'])} | "
            f"{r['size'] / r['import']:,.0f} | "
            + (f"{_duration(again)} | {r['size'] / again:,.0f} |" if again else "– | – |")
        )
    lines += ["", "Index rebuild:", "", "| entries | backend | rebuild | entries/s |"]
    lines += ["|---:|---|---:|---:|"]
    for r in results.builds:
        lines.append(
            f"| {r['size']:,} | {r['backend']} | {_duration(r['seconds'])} | "
            f"{r['size'] / r['seconds']:,.0f} |"
        )
    lines += [
        "",
        "Matches per kind of query (broad: the words matching more than 30%), and the slowest "
        "first request of each kind to a new server (ms, API; nothing of the search kept yet):",
        "",
    ]
    lines += ["| entries | backend | narrow | broad | filtered | broad words | first: narrow |"]
    lines[-1] += " broad | filtered |"
    lines += ["|---:|---|---:|---:|---:|---|---:|---:|---:|"]
    for r in results.matches:
        lines.append(
            f"| {r['size']:,} | {r['backend']} | {r['narrow']} | {r['broad']} | "
            f"{r['filtered']} | {', '.join(r['broad_words'])} | {r['cold_narrow']:.0f} | "
            f"{r['cold_broad']:.0f} | {r['cold_filtered']:.0f} |"
        )
    lines += [
        "",
        "Latency over HTTP, ms, p50 / p95 / p99 (one client; requests per kind in the last "
        "column, the mix is all of them):",
        "",
        "| entries | backend | run | endpoint | narrow | broad | filtered | mix | requests |",
        "|---:|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results.latency:
        cells = " | ".join(
            f"{r[k]['p50']:.0f} / {r[k]['p95']:.0f} / {r[k]['p99']:.0f}" for k in (*KINDS, "mix")
        )
        lines.append(
            f"| {r['size']:,} | {r['backend']} | {r['run']} | {r['endpoint']} | {cells} | "
            f"{r['narrow']['n']} |"
        )
    lines += [
        "",
        f"Requests per second with {CLIENTS} concurrent clients (the mix), and the share of "
        "/healthz's of the same application:",
        "",
        "| entries | backend | run | API req/s | page req/s | /healthz req/s | API | page |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results.rates:
        lines.append(
            f"| {r['size']:,} | {r['backend']} | {r['run']} | {r['API']:,.0f} | "
            f"{r['page']:,.0f} | {r['healthz']:,.0f} | {100 * r['API'] / r['healthz']:.1f}% | "
            f"{100 * r['page'] / r['healthz']:.1f}% |"
        )
    lines += ["", "Relevance, recall@5 of the labelled set on the seed inventory:", ""]
    for r in results.relevance:
        lines.append(f"- {r['backend']}: {r['recall']:.3f} over {r['queries']} queries")
    lines += ["", "Targets:", ""] + (targets(results) or ["- none measured at these sizes"])
    if results.notes:
        lines += ["", *(f"- {note}" for note in results.notes)]
    lines += ["", "Time of each phase:", "", "| phase | time |", "|---|---:|"]
    lines += [f"| {name} | {_duration(took)} |" for name, took in clock.phases]
    lines.append(f"| **whole run** | **{clock.elapsed()}** |")
    return "\n".join(lines)


def targets(results: Results) -> list[str]:
    out = []
    for r in results.loads:
        if r["size"] == 100_000:
            out.append(_target("import of 100,000 entries", r["import"], 300, "s"))
    for r in results.builds:
        if r["size"] == 100_000:
            out.append(_target(f"{r['backend']} rebuild of 100,000", r["seconds"], 300, "s"))
    for r in results.latency:
        if r["size"] == 10_000 and r["endpoint"] == "API":
            p95 = r["mix"]["p95"]
            what = f"10,000, {r['backend']}, {r['run']}: API mix p95"
            out.append(_target(what, p95, 50, "ms"))
    for r in results.rates:
        if r["size"] == 10_000:
            share = 100 * r["API"] / r["healthz"]
            met = "met" if share >= 10 else "NOT met"
            out.append(
                f"- 10,000, {r['backend']}, {r['run']}: API throughput {share:.1f}% of "
                f"/healthz (target ≥ 10%): {met}"
            )
    return out


def _target(what: str, value: float, limit: float, unit: str) -> str:
    met = "met" if value <= limit else "NOT met"
    shown = _duration(value) if unit == "s" else f"{value:.0f} ms"
    return f"- {what}: {shown} (target ≤ {limit:g} {unit}): {met}"


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
    backends = [b.strip() for b in os.environ.get("BENCH_BACKENDS", "whoosh,postgres").split(",")]
    repeats = int(os.environ.get("BENCH_REPEATS", "30"))
    clock = Clock()
    results = Results()
    print(
        f"Sizes {sizes}, backends {backends}, {repeats} requests per kind and run, "
        f"{THROUGHPUT_SECONDS:g} s per throughput measurement.",
        flush=True,
    )
    for n in sizes:
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-{n}-"))
        database = Database(tmp, str(n))
        try:
            load(clock, n, database, tmp, results)
            for backend in backends:
                if backend != "whoosh" and not database.postgres:
                    results.notes.append(f"{backend} backend: not measured (no PostgreSQL)")
                    continue
                bench_backend(clock, n, backend, database, tmp, repeats, results)
        finally:
            database.drop()
            shutil.rmtree(tmp, ignore_errors=True)
    relevance(clock, backends, Path(tempfile.mkdtemp(prefix="bench-relevance-")), results)
    table = report(results, clock)
    print(table)
    out = ROOT / "tests" / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
