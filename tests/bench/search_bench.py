"""Search latency and throughput at 1,000, 10,000 and 100,000 entries, and the relevance figure.

Run with ``make bench`` (``BENCH_SIZES=1000,10000`` to choose sizes, ``BENCH_REPEATS`` for the
number of timed requests per query). Each size gets its own SQLite database and index in a
temporary folder: synthetic records made from the seed inventory are imported through the
import service and the index is rebuilt. Then, over HTTP against ``/api/v1/credentials``
served by gunicorn (2 workers), with every facet counted:

- latency of three kinds of query: *narrow* (a few entries), *broad* (words that match more
  than 30% of the inventory) and *filtered* (words with facet filters or filter words), played
  as one mix in which a third of the requests are broad;
- three runs: with the result caches off (``SEARCH_MATCH_CACHE=0``: every request matches,
  scores, counts facets and renders; only the per-term postings of the index generation are
  kept), and on, once with each request asking for another page or sort than the one before
  (the remembered match answers) and once with the same searches repeated (the remembered
  page answers);
- throughput with 8 concurrent clients, of the run's search mix and of ``/healthz`` in the
  same run, and their ratio.

Finally, recall@5 of the labelled relevance set (``tests/search/relevance_set.py``) on the seed
inventory. Results are printed and written to ``tests/bench/results/latest.md``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from flask_migrate import upgrade

from app import create_app, search
from app.services import importer, reference

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
WORDS = (
    "Applied Advanced Intro Rural Tribal Regional Digital Modern Field Clinical Practical "
    "Professional Industrial Coastal Urban Northern Southern Evening Weekend Accelerated"
).split()
SORTS = ["relevance", "relevance", "newest", "title", "cost"]
CLIENTS = 8
THROUGHPUT_SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))


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


def percentiles(samples: list[float]) -> dict[str, float]:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": q[49], "p95": q[94], "n": len(samples)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(n: int) -> tuple[Path, dict]:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-{n}-"))
    env = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
        "SEARCH_INDEX_DIR": str(tmp / "index"),
        "SECRET_KEY": "bench",
    }
    app = create_app(env)
    with app.app_context():
        upgrade()
        reference.load_institutions(SEED / "institutions.csv")
        reference.load_taxonomies(SEED / "taxonomy")
        from app.extensions import db

        db.session.commit()
        path = tmp / "records.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in synthetic_records(n)) + "\n")
        started = time.perf_counter()
        report = importer.import_file(path)
        assert report.ok, report.problems[:5]
        imported = time.perf_counter() - started
        started = time.perf_counter()
        search.rebuild()
        indexed = time.perf_counter() - started
        print(f"{n:>7} entries: import {imported:.1f} s, index rebuild {indexed:.1f} s", flush=True)
        app.extensions["search_store"].close()
        db.engine.dispose()
    return tmp, env


class Server:
    def __init__(self, env: dict, match_cache: int) -> None:
        self.port = free_port()
        server_env = dict(
            os.environ,
            DATABASE_URL=env["SQLALCHEMY_DATABASE_URI"],
            SEARCH_INDEX_DIR=env["SEARCH_INDEX_DIR"],
            SECRET_KEY="bench",
            SEARCH_MATCH_CACHE=str(match_cache),
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "1"]
            + ["--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT,
            env=server_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(150):
            try:
                self.get("/healthz")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def get(self, path: str) -> bytes:
        url = f"http://127.0.0.1:{self.port}{path}"
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - local server
            return response.read()

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def api_path(args: dict) -> str:
    return "/api/v1/credentials?" + urlencode(args, doseq=True)


def mix(broad: list[dict], repeats: int, vary: bool) -> list[tuple[str, str]]:
    """``(kind, path)`` in a shuffled order, a third broad; ``vary`` gives each request its
    own page and sort so that no two requests in a row are the same search."""
    rng = random.Random(7)
    kinds = [("narrow", NARROW), ("broad", broad), ("filtered", FILTERED)]
    out = []
    for i in range(repeats):
        for kind, queries in kinds:
            args = dict(queries[i % len(queries)])
            if vary:
                args["page"] = str(1 + (i // len(queries)) % 3)
                args["sort"] = SORTS[(i // (3 * len(queries))) % len(SORTS)]
            out.append((kind, api_path(args)))
    rng.shuffle(out)
    return out


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


RUNS = (
    # (label, SEARCH_MATCH_CACHE, each request another page or sort)
    ("result caches off, new page/sort", 0, True),
    ("result caches on, new page/sort", 256, True),
    ("result caches on, repeated", 256, False),
)


def bench_size(n: int, repeats: int) -> tuple[list[dict], list[dict]]:
    _tmp, env = build(n)
    rows: list[dict] = []
    ratios: list[dict] = []
    broad: list[dict] = []
    totals: dict[str, list[int]] = {}
    for label, match_cache, vary in RUNS:
        server = Server(env, match_cache)
        try:
            if not broad:
                for word in BROAD_CANDIDATES:
                    body = server.get(api_path({"q": word, "per_page": "1"}))
                    if json.loads(body)["total"] > 0.3 * n:
                        broad.append({"q": word})
                assert len(broad) >= 2, "no broad words at this size"
                for kind, queries in (("narrow", NARROW), ("broad", broad), ("filtered", FILTERED)):
                    totals[kind] = [
                        json.loads(server.get(api_path({**q, "per_page": "1"})))["total"]
                        for q in queries
                    ]
            for path in {p for _k, p in mix(broad, 1, False)}:
                for _ in range(4):  # each worker reads the facet postings of this generation
                    server.get(path)
            samples: dict[str, list[float]] = {"narrow": [], "broad": [], "filtered": []}
            for kind, path in mix(broad, repeats, vary):
                t0 = time.perf_counter()
                server.get(path)
                samples[kind].append((time.perf_counter() - t0) * 1000)
            every = [v for values in samples.values() for v in values]
            for kind in ("narrow", "broad", "filtered", "mix"):
                values = every if kind == "mix" else samples[kind]
                rows.append(
                    {
                        "size": n,
                        "run": label,
                        "kind": kind,
                        "matches": "" if kind == "mix" else _span(totals[kind]),
                        **percentiles(values),
                    }
                )
            paths = [p for _kind, p in mix(broad, 20, vary)]
            health = throughput(server, ["/healthz"])
            searches = throughput(server, paths)
            ratios.append(
                {
                    "size": n,
                    "run": label,
                    "healthz": health,
                    "search": searches,
                    "ratio": searches / health,
                }
            )
            print(
                f"{n:>7} entries, {label}: {searches:.0f} searches/s, {health:.0f} healthz/s "
                f"({100 * searches / health:.1f}%); broad words: {[b['q'] for b in broad]}",
                flush=True,
            )
        finally:
            server.stop()
    return rows, ratios


def _span(values: list[int]) -> str:
    return f"{min(values):,}–{max(values):,}"


def relevance() -> float:
    from tests.search.relevance_set import recall_at_5

    tmp = Path(tempfile.mkdtemp(prefix="bench-relevance-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'seed.db'}",
            "SEARCH_INDEX_DIR": str(tmp / "index"),
            "SECRET_KEY": "bench",
        }
    )
    with app.app_context():
        from app.services import discovery, seeding

        upgrade()
        seeding.seed()
        search.rebuild()

        def ids(q: str) -> list[int]:
            page = discovery.search_inventory(discovery.parse_params({"q": q, "per_page": "5"}))
            return [entry.id for entry, _hit in page.entries]

        score, _rows = recall_at_5(ids)
    return score


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
    repeats = int(os.environ.get("BENCH_REPEATS", "60"))
    rows, ratios = [], []
    for n in sizes:
        size_rows, size_ratios = bench_size(n, repeats)
        rows.extend(size_rows)
        ratios.extend(size_ratios)
    score = relevance()
    lines = [
        "| entries | run | query | matches | p50 ms | p95 ms | requests |",
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']:,} | {r['run']} | {r['kind']} | {r['matches']} | "
            f"{r['p50']:.1f} | {r['p95']:.1f} | {r['n']} |"
        )
    lines += [
        "",
        f"| entries | run | search API req/s ({CLIENTS} clients) | /healthz req/s | ratio |",
        "|---:|---|---:|---:|---:|",
    ]
    for r in ratios:
        lines.append(
            f"| {r['size']:,} | {r['run']} | {r['search']:.0f} | {r['healthz']:.0f} | "
            f"{100 * r['ratio']:.1f}% |"
        )
    lines += ["", f"Relevance: recall@5 = {score:.3f} over the labelled set on the seed inventory."]
    table = "\n".join(lines)
    print(table)
    out = ROOT / "tests" / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
