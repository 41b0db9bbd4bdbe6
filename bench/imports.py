"""Time spreadsheet imports in-process: the preview (a dry run) and the import, rows per second.

    DATABASE_URL=sqlite:////tmp/bench-imports.sqlite3 python bench/imports.py [ROWS]
    BENCH_PROFILE=1 python bench/imports.py       # also each step's top functions (cProfile)

Migrates the database, then for ``ROWS`` (default 5,000) new cities and as many partnerships
between them: checks them as the task worker checks a file above
``REGISTRY_IMPORT_BACKGROUND_ROWS`` (a dry run without the preview's cells:
:func:`registry.imports.run_import`), imports them as a confirmed job does (each row compared
with the record its check read), and checks the same file again (every row unchanged); then
gives each partnership two sources and imports the file with every row's notes changed (the
update path: each history record written with its sources). It also times the preview a page
shows (a dry run with every cell) of the largest file previewed in the request,
``REGISTRY_IMPORT_BACKGROUND_ROWS`` rows. Removes what it imported at the end. Prints one line
per step and the same figures as JSON lines on stderr (``kind: "import"``). Besides wall-clock
time it gives this process's CPU time, which a busy machine inflates less, and the load average.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diplomacy.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 60)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

import tablib  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from registry.models import City, Partnership, Source  # noqa: E402
from registry.resources import CityResource, PartnershipResource  # noqa: E402
from registry.services import delete_records  # noqa: E402

PREFIX = "bench-import-"
CITY_HEADERS = ["slug", "name_en", "name_ko", "name_native", "country", "admin_level", "latitude", "longitude"]
PARTNERSHIP_HEADERS = ["city", "partner", "kind", "established_on", "established_precision", "status", "confidence"]


def city_rows(n: int) -> tablib.Dataset:
    """``n`` new cities, each valid."""
    rows = [
        [f"{PREFIX}{i}", f"Bench City {i}", "", "", "JP", "city", f"{30 + i % 10}.1", "135.0", "high"] for i in range(n)
    ]
    return tablib.Dataset(*rows, headers=[*CITY_HEADERS, "confidence"])


def partnership_rows(n: int) -> tablib.Dataset:
    """``n`` new partnerships between the bench cities, each pair once (a ring)."""
    rows = [
        [f"{PREFIX}{i}", f"{PREFIX}{(i + 1) % n}", "sister", f"{1960 + i % 60}-05-01", "day", "active", "high"]
        for i in range(n)
    ]
    return tablib.Dataset(*rows, headers=PARTNERSHIP_HEADERS)


def with_notes(dataset: tablib.Dataset, notes: str) -> tablib.Dataset:
    """``dataset`` with a ``notes`` column of ``notes`` on every row."""
    return tablib.Dataset(*[[*row, notes] for row in dataset], headers=[*dataset.headers, "notes"])


def give_sources() -> None:
    """Link two sources to each bench partnership (in bulk, without history)."""
    sources = [
        Source.objects.get_or_create(
            slug=f"{PREFIX}{i}", defaults={"title": f"Bench {i}", "url": f"https://example.org/{i}"}
        )[0]
        for i in range(2)
    ]
    through = Partnership.sources.through
    pks = Partnership.objects.filter(city__slug__startswith=PREFIX).values_list("pk", flat=True)
    through.objects.bulk_create([through(partnership_id=pk, source=source) for pk in pks for source in sources])


def timed(label: str, resource, dataset: tablib.Dataset, *, dry_run: bool, **options):
    """Import ``dataset`` with ``resource`` (``options``: :meth:`registry.resource_base.RegistryResource.import_data`'s
    keywords) and report the rate; returns the import's result."""
    profiler = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    result = resource.import_data(dataset, dry_run=dry_run, raise_errors=True, **options)
    if profiler:
        profiler.disable()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    figures = {
        "kind": "import",
        "step": label,
        "database": connection.vendor,
        "rows": len(dataset),
        "seconds": round(seconds, 3),
        "rows_per_s": round(len(dataset) / seconds),
        "cpu_seconds": round(cpu, 3),
        "rows_per_cpu_s": round(len(dataset) / cpu),
        "load": os.getloadavg()[0],
        "totals": {key: value for key, value in result.totals.items() if value},
    }
    print(
        f"{connection.vendor:10} {label:36} {len(dataset):6} rows {seconds:7.2f} s {figures['rows_per_s']:6} rows/s"
        f"  (CPU of this process {cpu:6.2f} s, {figures['rows_per_cpu_s']:6} rows/s; load {figures['load']:.1f})"
    )
    print(json.dumps(figures), file=sys.stderr)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue())
    return result


def remove_bench_rows() -> None:
    """Delete what an earlier run imported, as the admin's "Delete selected" does
    (:func:`registry.services.delete_records`: the data generation moved once, not once per row)."""
    delete_records(queryset=Partnership.objects.filter(city__slug__startswith=PREFIX))
    delete_records(queryset=City.objects.filter(slug__startswith=PREFIX))
    delete_records(queryset=Source.objects.filter(slug__startswith=PREFIX))


def main(n: int) -> None:
    call_command("migrate", verbosity=0)
    remove_bench_rows()
    cities, partnerships = city_rows(n), partnership_rows(n)
    shown = min(n, settings.REGISTRY_IMPORT_BACKGROUND_ROWS)
    timed(f"cities: preview in the page, {shown}", CityResource(), city_rows(shown), dry_run=True)
    checked = timed("cities: check", CityResource(), cities, dry_run=True, preview=False)
    timed("cities: import", CityResource(), cities, dry_run=False, previewed=checked.rows_read)
    timed("cities: check, unchanged", CityResource(), cities, dry_run=True, preview=False)
    checked = timed("partnerships: check", PartnershipResource(), partnerships, dry_run=True, preview=False)
    timed("partnerships: import", PartnershipResource(), partnerships, dry_run=False, previewed=checked.rows_read)
    timed("partnerships: check, unchanged", PartnershipResource(), partnerships, dry_run=True, preview=False)
    give_sources()
    changed = with_notes(partnerships, "Changed.")
    checked = timed("partnerships: check, changed", PartnershipResource(), changed, dry_run=True, preview=False)
    timed("partnerships: import, changed", PartnershipResource(), changed, dry_run=False, previewed=checked.rows_read)
    remove_bench_rows()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
