"""Measure one database at the shipped size and at the full synthetic size.

Run by ``bench/run.py`` (``make bench``) as ``python bench/measure.py DATABASE_URL``; prints
one JSON object per line. In-process (Django's test client through the whole middleware
stack), so the figures are server time without network.
"""

from __future__ import annotations

import importlib
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diplomacy.settings")
os.environ["DATABASE_URL"] = sys.argv[1]
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 60)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# A cache of this run's own (file-based when DEBUG is off): nothing left from another run or database.
os.environ.setdefault("CACHE_DIR", tempfile.mkdtemp(prefix="registry-bench-cache-"))
os.environ.setdefault("API_ANON_RATE", "1000000/minute")  # measure the API, not its throttle

# The application loaded as the WSGI server loads it (``diplomacy/wsgi.py``: Django set up, then
# ``diplomacy.serving.ready_to_serve``: the URLconf's modules imported, ``gc.freeze()``, the
# collector's thresholds), so that the collector costs a measured request what it costs in
# production: unfrozen, each pass over the startup objects took 100–190 ms of one request in
# fifteen, which made the p95 of a cold API list at 100,000 partnerships 3–4 times its p50.
importlib.import_module("diplomacy.wsgi")

import django  # noqa: E402
import tablib  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from registry.cache import record_change  # noqa: E402
from registry.models import City, Partnership, home_city  # noqa: E402
from registry.network import network_summary  # noqa: E402
from registry.resources import CityResource  # noqa: E402
from registry.services import delete_records  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "25"))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "5000"))
# The full synthetic size; BENCH_CITIES, BENCH_PARTNERSHIPS and BENCH_EVENTS set a smaller one.
FULL = {
    "cities": int(os.environ.get("BENCH_CITIES", "20000")),
    "partnerships": int(os.environ.get("BENCH_PARTNERSHIPS", "100000")),
    "events": int(os.environ.get("BENCH_EVENTS", "200000")),
}
PAGES = [
    "/",
    "/cities/",
    "/cities/almaty/",
    "/countries/",
    "/countries/kz/",
    "/agreements/",
    "/agreements/busan-almaty-friendly-cooperation-city-agreement/",
    "/events/",
    "/events/busan-almaty-signing-ceremony-2022/",
    "/delegations/",
    "/delegations/eurasia-citizens-campaign-2022/",
    "/cities/?q=alma",
    "/cities/?country=kz&country=jp&kind=friendship",
]
API = [
    "/api/v1/cities/",
    "/api/v1/partnerships/",
    "/api/v1/partnerships/?in_force_on=2022-09-21&ordering=-established_on",
    "/api/v1/agreements/",
    "/api/v1/events/",
    "/api/v1/delegations/",
    "/api/v1/organizations/",
    "/api/v1/people/",
    "/api/v1/sources/",
    "/api/v1/cooperation-fields/",
    "/api/v1/network/?as_of=2022-09-21",
]


def emit(**row):
    print(json.dumps(row), flush=True)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_url(client, url):
    """Time ``url`` cold and warm; returns the figures as a dict (times in ms, memory in KiB).

    Cold (``p50``, ``p95``, ``queries``, ``raw_sql``, ``peak_kib``): before each request the data
    generation is raised with :func:`registry.cache.record_change` (outside the timed window), so
    the anonymous response cache and every cached aggregate miss, as on the first request after
    an edit. Warm (``warm_p50``, ``warm_p95``): the same URL repeated with nothing changed, as the
    response cache answers it. The raw SQL is that of a cold request, replayed five times each.
    """
    for _ in range(2):
        record_change()
        response = client.get(url)
    status = response.status_code
    durations = []
    for _ in range(REPEAT):
        record_change()
        started = time.perf_counter()
        client.get(url)
        durations.append((time.perf_counter() - started) * 1000)
    warm = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        client.get(url)
        warm.append((time.perf_counter() - started) * 1000)
    record_change()
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    captured = [q["sql"] for q in ctx.captured_queries]
    selects = [sql for sql in captured if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    per_query = []
    with connection.cursor() as cursor:
        for sql in selects:
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                runs.append((time.perf_counter() - started) * 1000)
            per_query.append((statistics.median(runs), sql))
    record_change()
    tracemalloc.start()
    client.get(url)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "status": status,
        "p50": statistics.median(durations),
        "p95": percentile(durations, 0.95),
        "warm_p50": statistics.median(warm),
        "warm_p95": percentile(warm, 0.95),
        "queries": len(captured),
        "raw_sql": sum(ms for ms, _ in per_query),
        "slowest_sql": max(per_query)[1][:400] if per_query else "",
        "slowest_ms": max(per_query)[0] if per_query else 0,
        "peak_kib": peak // 1024,
    }


def floor(client):
    """Django's floor: a minimal view rendering the base template, through all middleware, timed
    like every URL (cold: the response cache misses; warm: it answers)."""
    with override_settings(ROOT_URLCONF="bench.urls"):
        result = time_url(client, "/__floor__/")
    return result


def measure(size):
    client = Client()
    base = floor(client)
    emit(kind="floor", size=size, **base)
    with override_settings(ROOT_URLCONF="bench.urls"):
        for url in PAGES + API:
            emit(kind="url", size=size, url=url, **time_url(client, url))
    # The busiest home city: Busan at the shipped size, a synthetic municipality at full size.
    home = City.objects.filter(slug="syn-0").first() or home_city()
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            network_summary(home, django.utils.timezone.localdate())
        times.append((time.perf_counter() - started) * 1000)
    partners = Partnership.objects.involving(home).count()
    emit(
        kind="network",
        size=size,
        home=home.slug,
        partnerships=partners,
        p50=statistics.median(times),
        queries=len(ctx.captured_queries),
    )


def import_rate():
    """Rows per second of a spreadsheet import with validation of ``BENCH_IMPORT_ROWS`` new cities
    (default 5,000; 0 skips it)."""
    if not IMPORT_ROWS:
        return
    rows = [
        [f"bench-import-{n}", f"Bench City {n}", "", "", "JP", "city", f"{30 + n % 10}.1", "135.0", "high"]
        for n in range(IMPORT_ROWS)
    ]
    headers = ["slug", "name_en", "name_ko", "name_native", "country", "admin_level", "latitude", "longitude"]
    dataset = tablib.Dataset(*rows, headers=[*headers, "confidence"])
    started = time.perf_counter()
    result = CityResource().import_data(dataset, dry_run=False, raise_errors=True)
    elapsed = time.perf_counter() - started
    emit(kind="import", rows=result.totals["new"], seconds=elapsed, rows_per_s=len(rows) / elapsed)
    delete_records(queryset=City.objects.filter(slug__startswith="bench-import-"))  # the generation moved once


def main():
    reset_queries()
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("loaddata", "cooperation_fields", "busan_partners", "busan_almaty_2022", verbosity=0)
    emit(kind="size", size="shipped", partnerships=Partnership.objects.count())
    measure("shipped")
    started = time.perf_counter()
    call_command(
        "generate_network",
        cities=FULL["cities"],
        partnerships=FULL["partnerships"],
        events=FULL["events"],
        seed=1,
        force=True,
        replace=True,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    emit(kind="generate", seconds=time.perf_counter() - started, **FULL)
    emit(kind="size", size="full", partnerships=Partnership.objects.count())
    measure("full")
    import_rate()


if __name__ == "__main__":
    main()
