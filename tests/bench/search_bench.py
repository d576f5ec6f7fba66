"""Search latency at 1,000, 10,000 and 100,000 entries, in-process and over HTTP (gunicorn).

Run with ``make bench`` (``BENCH_SIZES=1000,10000`` to choose sizes). Each size gets its own
SQLite database and index in a temporary folder: synthetic records made from the seed inventory
are imported through the import service, the index is rebuilt, and typical searches with every
facet counted are timed. Results are printed and written to ``tests/bench/results/latest.md``.
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
import time
import urllib.request
from pathlib import Path

from flask_migrate import upgrade

from app import create_app, search
from app.services import importer, reference

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seed_data"
QUERIES = [
    ("three words", {"q": "data analytics certificate"}),
    (
        "three words + filters",
        {
            "q": "nursing patient care",
            "delivery": ["online", "hybrid"],
            "endorsement": ["endorsed"],
        },
    ),
    ("one word", {"q": "cybersecurity"}),
    ("phrase", {"q": '"project management"'}),
    ("browse, no words", {"credit": ["non-credit"]}),
]
WORDS = (
    "Applied Advanced Intro Rural Tribal Regional Digital Modern Field Clinical Practical "
    "Professional Industrial Coastal Urban Northern Southern Evening Weekend Accelerated"
).split()


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
    return {"p50": q[49], "p95": q[94], "p99": q[98]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def to_query_string(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(params, doseq=True)


def bench_size(n: int, repeats: int) -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-{n}-"))
    env = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
        "SEARCH_INDEX_DIR": str(tmp / "index"),
        "SECRET_KEY": "bench",
    }
    app = create_app(env)
    rows = []
    with app.app_context():
        upgrade()
        reference.load_institutions(SEED / "institutions.csv")
        reference.load_taxonomies(SEED / "taxonomy")
        from app.extensions import db

        db.session.commit()
        path = tmp / "records.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in synthetic_records(n)) + "\n")
        started = time.perf_counter()
        app.config["SEARCH_INDEX_DIR"] = str(tmp / "index")
        report = importer.import_file(path)
        assert report.ok, report.problems[:5]
        imported = time.perf_counter() - started
        started = time.perf_counter()
        search.rebuild()
        indexed = time.perf_counter() - started
        print(f"{n:>7} entries: import {imported:.1f} s, index rebuild {indexed:.1f} s", flush=True)

        from app.services import discovery

        for label, args in QUERIES:
            params = discovery.parse_params(args)
            discovery.search_inventory(params)  # warm the facet cache of this generation
            samples = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                page = discovery.search_inventory(params)
                samples.append((time.perf_counter() - t0) * 1000)
            rows.append(
                {
                    "size": n,
                    "where": "in-process",
                    "query": label,
                    "total": page.results.total,
                    **percentiles(samples),
                }
            )

    port = free_port()
    server_env = dict(
        os.environ,
        DATABASE_URL=env["SQLALCHEMY_DATABASE_URI"],
        SEARCH_INDEX_DIR=env["SEARCH_INDEX_DIR"],
        SECRET_KEY="bench",
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/api/v1/credentials?"
        for _ in range(100):
            try:
                urllib.request.urlopen(base, timeout=5).read()  # noqa: S310 - local server
                break
            except OSError:
                time.sleep(0.2)
        for label, args in QUERIES:
            url = base + to_query_string(args)
            for _ in range(4):  # warm every worker
                urllib.request.urlopen(url, timeout=30).read()  # noqa: S310
            samples = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                body = urllib.request.urlopen(url, timeout=30).read()  # noqa: S310
                samples.append((time.perf_counter() - t0) * 1000)
            rows.append(
                {
                    "size": n,
                    "where": "HTTP (gunicorn)",
                    "query": label,
                    "total": json.loads(body)["total"],
                    **percentiles(samples),
                }
            )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    return rows


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
    repeats = int(os.environ.get("BENCH_REPEATS", "200"))
    rows = []
    for n in sizes:
        rows.extend(bench_size(n, repeats))
    lines = [
        "| entries | where | query | matches | p50 ms | p95 ms | p99 ms |",
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']:,} | {r['where']} | {r['query']} | {r['total']:,} | "
            f"{r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} |"
        )
    table = "\n".join(lines)
    print(table)
    out = ROOT / "tests" / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
