"""The serving process's start-up (:mod:`diplomacy.serving`): with the application's objects
frozen and the collector's thresholds as ``ready_to_serve`` sets them, a full collection (each
30–50 ms at 100,000 partnerships: it scans and frees the objects that earlier requests left in
the oldest generation) runs for fewer than one cold request in twenty, so it does not set a
list's p95, and at most half as often as with Python's default thresholds."""

import gc

from diplomacy import serving
from registry.cache import record_change

URLS = ("/api/v1/partnerships/", "/api/v1/cities/", "/cities/", "/events/")
ROUNDS = 40
PYTHON_DEFAULT = (700, 10, 10)


def full_collections(client, thresholds: tuple[int, int, int]) -> int:
    """How many full collections ``ROUNDS`` cold requests of each of ``URLS`` ran, from a clean
    collector with what exists frozen (as :func:`~diplomacy.serving.ready_to_serve` leaves it)
    and ``thresholds``; the collector is left as it was."""
    full = []

    def count(phase, info):
        if phase == "stop" and info["generation"] == 2:
            full.append(info["collected"])

    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)
    gc.callbacks.append(count)
    try:
        for _ in range(ROUNDS):
            for url in URLS:
                record_change()  # a cold request: the response cache misses
                assert client.get(url).status_code == 200
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*before)
        gc.unfreeze()
    return len(full)


def test_cold_requests_rarely_run_a_full_collection(shipped_data, client):
    for url in URLS:  # what the first request builds once (templates, translations) stays out
        client.get(url)
    default = full_collections(client, PYTHON_DEFAULT)
    serving_ = full_collections(client, serving.COLLECTOR_THRESHOLDS)
    requests = ROUNDS * len(URLS)
    assert serving_ < requests / 20 and serving_ * 2 <= default, (
        f"{serving_} full collections in {requests} cold requests ({default} with Python's defaults)"
    )


def test_a_site_served_under_a_path_links_its_static_files_under_it():
    """With ``SCRIPT_NAME`` (gunicorn's, a proxy's path), static files are linked under the path
    as pages are, and WhiteNoise serves them from the path the server passes on: they were linked
    at ``/static/…``, which gunicorn refused (adversarial probe)."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    script = (
        "import django; django.setup();"
        "from django.templatetags.static import static;"
        "from whitenoise.middleware import WhiteNoiseMiddleware;"
        "print(static('js/years.js'), WhiteNoiseMiddleware(lambda request: None).static_prefix)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "diplomacy.settings", "DEBUG": "true"}
    for prefix, linked in ((None, "/static/js/years.js"), ("/registry", "/registry/static/js/years.js")):
        env.pop("SCRIPT_NAME", None)
        if prefix:
            env["SCRIPT_NAME"] = prefix
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
        ).stdout.split()
        assert out == [linked, "/static/"]
