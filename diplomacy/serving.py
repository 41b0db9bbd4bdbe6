"""What a serving process does once Django is set up, before its first request: the one home of
the start-up that ``diplomacy.wsgi`` (gunicorn, ``make serve``, the bench) and ``diplomacy.asgi``
share (:func:`ready_to_serve`)."""

from __future__ import annotations

import gc

from django.urls import get_resolver

#: Python's collector thresholds in a serving process (``gc.set_threshold``): a young collection
#: after 2,000 more container objects were created than freed (Python's default is 700), then
#: each older generation after 10 collections of the one below. A cold API list keeps 50,000–60,000
#: objects alive until its answer is written; at 700, the young collections that ran meanwhile
#: moved them to the oldest generation, where only a full collection frees them, and after
#: ``gc.freeze()`` nothing holds full collections back: one cold request in fourteen paid one,
#: 35–80 ms (the p95 of a cold API list at 100,000 partnerships was twice its p50). At 2,000, one
#: in 45, and the p95 of those lists is 1.1–1.2 times their p50. Larger young generations trade
#: full collections for young ones that scan the request's live objects (up to 46 ms at 10,000).
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
