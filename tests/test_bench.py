"""The load run's report parsing and its targets (bench/run.py): a wrong parse would report a
target met that was missed."""

from bench import run

FLOOR = """requests: 18000, throughput: 300.0 req/s
latency p50: 150.0 ms, p95: 240.5 ms, p99: 300.0 ms
errors: 0 socket errors, 0 responses with status >= 400"""

MIX = """requests: 8000, throughput: 133.3 req/s
latency p50: 90.0 ms, p95: 410.0 ms, p99: 800.0 ms
errors: 2 socket errors, 3 responses with status >= 400"""


def test_parse_wrk_reads_throughput_latency_and_errors():
    assert run.parse_wrk(FLOOR) == {"throughput": 300.0, "p50": 150.0, "p95": 240.5, "errors": 0}
    assert run.parse_wrk(MIX) == {"throughput": 133.3, "p50": 90.0, "p95": 410.0, "errors": 5}


def test_load_misses_names_each_target_missed():
    misses = run.load_misses({"floor": run.parse_wrk(FLOOR), "mix": run.parse_wrk(MIX)})
    assert misses == [
        "load: mix 133 req/s < half the floor's 300 req/s",
        "load: mix p95 410 ms > 250 ms",
        "load: errors (floor 0, mix 5)",
    ]


def test_load_targets_met_and_no_load_run():
    mix = {"throughput": 160.0, "p50": 50.0, "p95": 200.0, "errors": 0}
    assert run.load_misses({"floor": run.parse_wrk(FLOOR), "mix": mix}) == []
    assert run.load_misses({}) == []


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    """``make serve`` and the load run read one file; a worker holds at most 4 × THREADS connections."""
    import runpy

    from django.conf import settings

    monkeypatch.setenv("WORKERS", "3")
    monkeypatch.setenv("THREADS", "2")
    monkeypatch.delenv("WORKER_CONNECTIONS", raising=False)
    server = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    assert (server["workers"], server["threads"], server["worker_connections"]) == (3, 2, 8)
    assert server["worker_class"] == "gthread" and server["timeout"] == 60
    monkeypatch.setenv("WORKER_CONNECTIONS", "50")
    assert runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))["worker_connections"] == 50
