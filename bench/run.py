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
load run), ``BENCH_LOAD_WARMUP`` (unmeasured seconds before each load run, default 10),
``BENCH_DATABASES`` (``sqlite,postgresql`` by default) and, for a smaller full size,
``BENCH_CITIES``, ``BENCH_PARTNERSHIPS``, ``BENCH_EVENTS``; ``BENCH_IMPORT_ROWS`` (default 5,000; 0
skips the import rate) (see ``bench/measure.py``). The JSON
file records these settings and the machine's load average at the start and the end.
"""

from __future__ import annotations

import datetime
import json
import os
import runpy
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
LOAD_WARMUP = int(os.environ.get("BENCH_LOAD_WARMUP", "10"))
LOAD_PORT = int(os.environ.get("BENCH_PORT", "8877"))
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
SETTINGS = (
    *("BENCH_REPEAT", "BENCH_LOAD_SECONDS", "BENCH_LOAD_WARMUP", "BENCH_DATABASES"),
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


def ratio_of(row: dict, floor: dict) -> float:
    """The list target's ratio of one URL's row: its cold p95 over (the floor's p50 + the raw SQL of
    the same queries), both in ms; 0 when that budget is 0."""
    budget = floor["p50"] + row["raw_sql"]
    return row["p95"] / budget if budget else 0


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
            ratio = ratio_of(r, floor)
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
    # A page whose query count grows with the data has a query per row somewhere. Fewer queries
    # at full size are not: Django skips a nested prefetch whose level is empty on the page
    # (the synthetic partnerships have no stages or claims, so no query for their sources).
    grown = [u for u, q in by_url.items() if q.get("full", 0) > q.get("shipped", 0)]
    fewer = [u for u, q in by_url.items() if q.get("full", 0) < q.get("shipped", 0)]
    print("queries per request at most the shipped size's at full size:", "yes" if not grown else f"no: {grown}")
    if fewer:
        print(f"  fewer at full size (an empty prefetch level skipped): {fewer}")
    misses += [f"{db} queries grow with the data: {u}" for u in grown]
    return misses


LOAD_P95_MS = 250  # target p95 of the mixed load


def wrk(script_args: list[str], seconds: int = LOAD_SECONDS) -> str:
    """One wrk run (2 threads, 50 connections, ``seconds``) of bench/load.lua; its report."""
    result = subprocess.run(
        [
            *("wrk", "-t2", "-c50", f"-d{seconds}s", "--timeout", "10s"),
            *("-s", str(ROOT / "bench" / "load.lua"), f"http://127.0.0.1:{LOAD_PORT}"),
            *(["--", *script_args] if script_args else []),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip()


def parse_wrk(report: str) -> dict:
    """Throughput (req/s), p50/p95 (ms) and errors (socket errors plus answers >= 400) of a report
    printed by bench/load.lua's ``done``."""
    figures = {}
    for line in report.splitlines():
        if line.startswith("requests:"):
            figures["throughput"] = float(line.rsplit("throughput:", 1)[1].split()[0])
        elif line.startswith("latency p50:"):
            parts = line.replace(",", "").split()
            figures["p50"], figures["p95"] = float(parts[2]), float(parts[5])
        elif line.startswith("errors:"):
            parts = line.split()
            figures["errors"] = int(parts[1]) + int(parts[4])
    return figures


def load_run() -> dict:
    """Django's floor view, then the mix of anonymous pages and API lists (bench/load.lua), each
    with 50 concurrent connections for LOAD_SECONDS against the same gunicorn on the PostgreSQL
    bench data; ``{"floor": {...}, "mix": {...}, "report": text}`` (empty without wrk)."""
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        print("\nload run skipped: wrk is not installed and could not be installed")
        return {}
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
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
            # As ``make serve`` runs it (workers, threads and connections: gunicorn.conf.py).
            *("--config", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{LOAD_PORT}"),
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
        # Each measured run follows an unmeasured one of LOAD_WARMUP seconds, as load tests do: the
        # processes' first requests (templates compiled, connections opened, cold cache) are not
        # the steady state.
        wrk(["floor"], LOAD_WARMUP)
        floor_report = wrk(["floor"])
        wrk([], LOAD_WARMUP)
        mix_report = wrk([])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    server = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    title = (
        f"wrk, 50 connections, {LOAD_SECONDS} s each after {LOAD_WARMUP} s unmeasured, gunicorn "
        f"{server['workers']} workers × {server['threads']} threads (at most {server['worker_connections']} "
        "connections each), PostgreSQL full size"
    )
    print(f"\n## Load run: {title}")
    print(f"### Django's floor view\n{floor_report}\n### Mixed anonymous pages and API lists\n{mix_report}")
    return {
        "floor": parse_wrk(floor_report),
        "mix": parse_wrk(mix_report),
        "report": f"floor:\n{floor_report}\nmix:\n{mix_report}",
    }


def load_misses(load: dict) -> list[str]:
    """The load targets missed: the mix's throughput at least half the floor's, its p95 at most
    LOAD_P95_MS, and no error in either run."""
    if not load:
        return []
    floor, mix = load["floor"], load["mix"]
    misses = []
    mix_rate, floor_rate = mix.get("throughput", 0), floor.get("throughput", 0)
    if mix_rate < floor_rate / 2:
        misses.append(f"load: mix {mix_rate:.0f} req/s < half the floor's {floor_rate:.0f} req/s")
    if mix.get("p95", float("inf")) > LOAD_P95_MS:
        misses.append(f"load: mix p95 {mix.get('p95', 0):.0f} ms > {LOAD_P95_MS} ms")
    if floor.get("errors", 1) or mix.get("errors", 1):
        misses.append(f"load: errors (floor {floor.get('errors')}, mix {mix.get('errors')})")
    return misses


def checks(rows: list[dict]) -> int:
    """How many targets ``print_table`` checks for one database: each URL's ratio, the import
    rate, each network summary's query count, and the query counts per URL across sizes."""
    kinds = [r["kind"] for r in rows]
    return kinds.count("url") + kinds.count("import") + kinds.count("network") + 1


def write_json(
    started_at: datetime.datetime, measured: dict[str, list[dict]], load: dict, misses: list[str], loadavg: tuple
) -> Path:
    """The run's figures as one JSON file, ``bench/results/<UTC start>.json``: every measured
    row per database, the load run's wrk output and the targets missed."""
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    path = RESULTS / f"{started_at:%Y%m%dT%H%M%SZ}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    total = sum(checks(rows) for rows in measured.values()) + (3 if load else 0)
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


def markdown(path: Path) -> str:
    """The README's table of a results file (``python bench/run.py --table FILE``): per database
    and size, each URL's cold p50/p95, queries, raw SQL, ratio and warm p95, then the load run
    and the targets missed."""
    document = json.loads(path.read_text(encoding="utf-8"))
    lines = []
    for db, rows in document["databases"].items():
        sizes = {r["size"]: r["partnerships"] for r in rows if r["kind"] == "size"}
        floors = {r["size"]: r for r in rows if r["kind"] == "floor"}
        for size, count in sizes.items():
            floor = floors[size]
            lines += [
                "",
                f"| {db}, {count:,} partnerships, cold (floor p50 {floor['p50']:.1f} ms) | status | p50 / p95 ms "
                "| queries | raw SQL ms | ratio | warm p95 ms |",
                "| --- | --- | --- | --- | --- | --- | --- |",
            ]
            for r in (r for r in rows if r["kind"] == "url" and r["size"] == size):
                ratio = ratio_of(r, floor)
                flag = " **miss**" if ratio > TARGET_RATIO else ""
                lines.append(
                    f"| `{r['url']}` | {r['status']} | {r['p50']:,.0f} / {r['p95']:,.0f} | {r['queries']} "
                    f"| {r['raw_sql']:,.1f} | {ratio:.2f}{flag} | {r.get('warm_p95', 0):.1f} |"
                )
        for r in rows:
            if r["kind"] == "import":
                lines.append(
                    f"\n{db}: spreadsheet import {r['rows_per_s']:,.0f} validated rows/s ({r['rows']:,} rows)."
                )
    load = document.get("load")
    if isinstance(load, dict) and load:
        floor, mix = load["floor"], load["mix"]
        lines += [
            "",
            "| Load run (wrk, 50 connections, PostgreSQL full size) | req/s | p50 ms | p95 ms | errors |",
            "| --- | --- | --- | --- | --- |",
            f"| Django's floor view | {floor['throughput']:,.0f} | {floor['p50']:.0f} | {floor['p95']:.0f} "
            f"| {floor['errors']} |",
            f"| mixed anonymous pages and API | {mix['throughput']:,.0f} | {mix['p50']:.0f} | {mix['p95']:.0f} "
            f"| {mix['errors']} |",
        ]
    missed = document["missed"]
    lines += ["", f"Targets met: {document['checked'] - len(missed)} of {document['checked']}; missed: {len(missed)}."]
    lines += [f"- {miss}" for miss in missed]
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] == ["--table"]:
        print(markdown(Path(sys.argv[2])))
        return
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
    load = load_run() if LOAD_SECONDS and "postgresql" in DATABASES else {}
    misses += load_misses(load)
    total = sum(checks(rows) for rows in measured.values()) + (3 if load else 0)
    print(f"\nTargets met: {total - len(misses)} of {total}; missed: {len(misses)}")
    for miss in misses:
        print(f"- {miss}")
    print(f"figures written to {write_json(started_at, measured, load, misses, loadavg).relative_to(ROOT)}")
    print(f"bench took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
