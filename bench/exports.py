"""Time streamed exports in-process: first byte, total time, rows per second, optional peak memory.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python bench/exports.py "/api/v1/partnerships/?format=csv" ...
    BENCH_MEMORY=1 python bench/exports.py URL ...   # also the peak traced memory (slower)

CPU is this process's CPU time (for SQLite the database's work too; for PostgreSQL only the
client side): on a busy machine, lines per CPU-second is closer to what a quiet one gives.
Fill the database first (``manage.py generate_network``). One small export is read first and not
reported, so the figures leave out the process's first request (URL resolution, imports). Lines
counted are the body's line ends (for CSV: the header and one per row; for GeoJSON the body is
one line; for XLSX, a compressed ZIP, they mean nothing: take the row count of the same URL as CSV).
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diplomacy.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 60)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ["EXPORT_ANON_RATE"] = "1000000/minute"  # measure the export, not its throttle

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402


def main(urls: list[str]) -> None:
    client = Client()
    memory = bool(os.environ.get("BENCH_MEMORY"))
    b"".join(client.get("/api/v1/cooperation-fields/?format=csv").streaming_content)  # warm-up
    for url in urls:
        if memory:
            tracemalloc.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        blocks = iter(response.streaming_content)
        first = next(blocks, b"")
        first_at = time.perf_counter()
        lines, size = first.count(b"\n"), len(first)
        for block in blocks:
            lines += block.count(b"\n")
            size += len(block)
        total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        peak = tracemalloc.get_traced_memory()[1] // 1024 if memory else 0
        if memory:
            tracemalloc.stop()
        print(
            f"{url:55} {response.status_code} first byte {1000 * (first_at - started):6.0f} ms, "
            f"total {total:6.2f} s, {lines:7} lines, {size / 1e6:5.1f} MB, {lines / total:7.0f} lines/s, "
            f"CPU {cpu:5.2f} s ({lines / cpu:6.0f} lines per CPU-s)" + (f", peak {peak:,} KiB" if memory else ""),
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
