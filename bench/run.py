"""``make bench``: measure the registry on SQLite and PostgreSQL, then load-test ``make serve``.

For each database: the shipped data (38 partners), then 20,000 cities / 100,000
partnerships / 200,000 events of synthetic data. For every public page and API list it
prints p50 and p95 server time over repeated in-process requests with a cold cache (the data
generation raised before each, so no cached response or aggregate answers), SQL queries per
request, the raw SQL time of the same queries and Django's floor (a minimal view
rendering the base template, timed the same way), with the ratio p95 / (floor p50 + raw SQL);
and, separately, the warm p50/p95 (the response cache answering). Then import
rows per second, the network summary's time and queries, peak memory per request, and a
load run: 50 concurrent connections for 60 s (wrk) against gunicorn on PostgreSQL.

Environment: ``BENCH_PG_URL`` (default ``postgres://postgres@127.0.0.1:5432/diplomacy_bench``),
``BENCH_REPEAT`` (requests per URL, default 25), ``BENCH_LOAD_SECONDS`` (default 60; 0 skips the
load run), ``BENCH_DATABASES`` (``sqlite,postgresql`` by default) and, for a smaller full size,
``BENCH_CITIES``, ``BENCH_PARTNERSHIPS``, ``BENCH_EVENTS``; ``BENCH_IMPORT_ROWS`` (default 5,000; 0
skips the import rate) (see ``bench/measure.py``). The JSON
file records these settings and the machine's load average at the start and the end.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/diplomacy_bench")
SQLITE_PATH = Path(os.environ.get("BENCH_SQLITE", "/tmp/registry-bench.sqlite3"))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
LOAD_PORT = int(os.environ.get("BENCH_PORT", "8877"))
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
SETTINGS = (
    *("BENCH_REPEAT", "BENCH_LOAD_SECONDS", "BENCH_DATABASES"),
    *("BENCH_CITIES", "BENCH_PARTNERSHIPS", "BENCH_EVENTS", "BENCH_IMPORT_ROWS", "BENCH_PG_URL"),
)
TARGET_RATIO = 2.0
TARGET_IMPORT = 5000
RESULTS = ROOT / "bench" / "results"  # one JSON file per run


def recreate_pg(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def run_measure(url: str) -> list[dict]:
    process = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "measure.py"), url], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if process.returncode != 0:
        print(process.stdout[-3000:], process.stderr[-5000:], file=sys.stderr)
        raise SystemExit(f"measure.py failed for {url}")
    return [json.loads(line) for line in process.stdout.splitlines() if line.startswith("{")]


def print_table(db: str, rows: list[dict]) -> list[str]:
    misses = []
    floors = {r["size"]: r for r in rows if r["kind"] == "floor"}
    sizes = {r["size"]: r["partnerships"] for r in rows if r["kind"] == "size"}
    print(f"\n## {db}")
    for size, count in sizes.items():
        floor = floors[size]
        print(
            f"\n### {size}: {count:,} partnerships — Django floor p50 {floor['p50']:.2f} ms, "
            f"p95 {floor['p95']:.2f} ms (cold), warm p50 {floor.get('warm_p50', 0):.2f} ms, "
            f"{floor['queries']} queries"
        )
        print(
            f"{'URL (cold cache)':<72} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7} "
            f"{'SQL ms':>8} {'ratio':>6} {'peak KiB':>8} {'warm p95':>8}"
        )
        for r in (r for r in rows if r["kind"] == "url" and r["size"] == size):
            budget = floor["p50"] + r["raw_sql"]
            ratio = r["p95"] / budget if budget else 0
            flag = "" if ratio <= TARGET_RATIO and r["status"] == 200 else "  <-- miss"
            if flag:
                misses.append(f"{db} {size} {r['url']}: ratio {ratio:.2f} (status {r['status']})")
            print(
                f"{r['url']:<72} {r['status']:>6} {r['p50']:>8.2f} {r['p95']:>8.2f} {r['queries']:>7} "
                f"{r['raw_sql']:>8.2f} {ratio:>6.2f} {r['peak_kib']:>8} {r.get('warm_p95', 0):>8.2f}{flag}"
            )
    for r in rows:
        if r["kind"] == "network":
            print(
                f"network summary ({r['size']}, home {r['home']}, {r['partnerships']} partnerships): "
                f"p50 {r['p50']:.2f} ms in {r['queries']} query(ies)"
            )
            if r["queries"] != 1:
                misses.append(f"{db} network summary takes {r['queries']} queries")
        if r["kind"] == "generate":
            print(f"generate_network: {r['partnerships']:,} partnerships in {r['seconds']:.1f} s")
        if r["kind"] == "import":
            print(f"spreadsheet import with validation: {r['rows_per_s']:,.0f} rows/s ({r['rows']} rows)")
            if r["rows_per_s"] < TARGET_IMPORT:
                misses.append(f"{db} import {r['rows_per_s']:,.0f} rows/s < {TARGET_IMPORT}")
    by_url: dict[str, dict[str, int]] = {}
    for r in rows:
        if r["kind"] == "url":
            by_url.setdefault(r["url"], {})[r["size"]] = r["queries"]
    changed = [u for u, q in by_url.items() if len(set(q.values())) > 1]
    print("queries per request identical at both sizes:", "yes" if not changed else f"no: {changed}")
    misses += [f"{db} queries differ by size: {u}" for u in changed]
    return misses


def load_run() -> str:
    """50 concurrent connections for LOAD_SECONDS against gunicorn on the PostgreSQL bench data;
    wrk's report (empty without wrk)."""
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        print("\nload run skipped: wrk is not installed and could not be installed")
        return ""
    env = {
        **os.environ,
        "DATABASE_URL": PG_URL,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "y" * 60,
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "API_ANON_RATE": "1000000/minute",
        "CONN_MAX_AGE": "60",
    }
    if subprocess.run(["redis-cli", "ping"], capture_output=True, text=True, check=False).stdout.strip() == "PONG":
        env["REDIS_URL"] = "redis://127.0.0.1:6379/3"
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "diplomacy.wsgi",
            *("--workers", "4", "--worker-class", "gthread", "--threads", "4", "--timeout", "60"),
            *("--bind", f"127.0.0.1:{LOAD_PORT}"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{LOAD_PORT}/robots.txt", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        script = ROOT / "bench" / "load.lua"
        result = subprocess.run(
            [
                "wrk",
                "-t2",
                "-c50",
                f"-d{LOAD_SECONDS}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                f"http://127.0.0.1:{LOAD_PORT}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        print(f"\n## Load run: wrk, 50 connections, {LOAD_SECONDS} s, gunicorn 4 workers, PostgreSQL full size")
        print(result.stdout.strip())
        return result.stdout.strip()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def checks(rows: list[dict]) -> int:
    """How many targets ``print_table`` checks for one database: each URL's ratio, the import
    rate, each network summary's query count, and the query counts per URL across sizes."""
    kinds = [r["kind"] for r in rows]
    return kinds.count("url") + kinds.count("import") + kinds.count("network") + 1


def write_json(
    started_at: datetime.datetime, measured: dict[str, list[dict]], load: str, misses: list[str], loadavg: tuple
) -> Path:
    """The run's figures as one JSON file, ``bench/results/<UTC start>.json``: every measured
    row per database, the load run's wrk output and the targets missed."""
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    path = RESULTS / f"{started_at:%Y%m%dT%H%M%SZ}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    total = sum(checks(rows) for rows in measured.values())
    document = {
        "started_at": started_at.isoformat(),
        "commit": commit.stdout.strip(),
        "settings": {name: os.environ[name] for name in SETTINGS if name in os.environ},
        "machine": {"cpus": os.cpu_count(), "load_average_start": loadavg, "load_average_end": os.getloadavg()},
        "targets": {"ratio": TARGET_RATIO, "import_rows_per_s": TARGET_IMPORT},
        "databases": measured,
        "load": load,
        "checked": total,
        "missed": misses,
    }
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return path


def main() -> None:
    started = time.perf_counter()
    started_at = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    misses: list[str] = []
    measured: dict[str, list[dict]] = {}
    loadavg = os.getloadavg()
    SQLITE_PATH.unlink(missing_ok=True)
    print("# make bench")
    if "sqlite" in DATABASES:
        measured["SQLite"] = run_measure(f"sqlite:///{SQLITE_PATH}")
        misses += print_table("SQLite", measured["SQLite"])
    if "postgresql" in DATABASES:
        recreate_pg(PG_URL)
        measured["PostgreSQL"] = run_measure(PG_URL)
        misses += print_table("PostgreSQL", measured["PostgreSQL"])
    load = load_run() if LOAD_SECONDS and "postgresql" in DATABASES else ""
    total = sum(checks(rows) for rows in measured.values())
    print(f"\nTargets met: {total - len(misses)} of {total}; missed: {len(misses)}")
    for miss in misses:
        print(f"- {miss}")
    print(f"figures written to {write_json(started_at, measured, load, misses, loadavg).relative_to(ROOT)}")
    print(f"bench took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
