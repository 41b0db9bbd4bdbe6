"""What a serving process does once Django is set up, before its first request: the one home of
the start-up that ``diplomacy.wsgi`` (gunicorn, ``make serve``, the bench) and ``diplomacy.asgi``
share (:func:`ready_to_serve`)."""

from __future__ import annotations

import gc

from django.urls import get_resolver

#: Python's collector thresholds in a serving process (``gc.set_threshold``): a young collection
#: after this many more container objects were created than freed (Python's default is 700),
#: then each older generation after 10 collections of the one below. A cold API list creates
#: 50,000–100,000 objects that live until its answer is written; at 700, the young collections
#: that ran meanwhile moved them to the oldest generation, where only a full collection frees
#: them: one cold request in eight paid one, 30–80 ms of scanning and freeing that garbage (the
#: p95 of a cold API list at 100,000 partnerships was twice its p50). At 10,000 they are freed by
#: the young collections after the request (no full collection in 180 cold requests).
COLLECTOR_THRESHOLDS = (2000, 10, 10)


def ready_to_serve() -> None:
    """Load what every request needs and set the collector up for serving requests.

    Imports the URLconf's modules (the views, serializers and forms) now rather than on the
    first request; moves every object loaded so far, which lives as long as the process, out of
    the collector's reach (``gc.freeze()``: a collection scans only what requests created;
    cProfile put 10 % of a cold API list in the collector before); and sets
    :data:`COLLECTOR_THRESHOLDS`. Call it once, after ``get_wsgi_application()`` or
    ``get_asgi_application()``; calling it again freezes what was created since."""
    get_resolver().url_patterns  # noqa: B018 - imports the views
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
