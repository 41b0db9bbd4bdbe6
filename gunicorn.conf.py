"""gunicorn's settings for ``make serve`` and ``make bench``'s load run (gunicorn reads this file
from the working directory). Each can be set in the environment.

* ``WORKERS`` (default: one per CPU) processes of ``THREADS`` threads (default 8): the gthread
  worker keeps answering the arbiter's heartbeat while a request runs, so ``GUNICORN_TIMEOUT``
  (60 s) only restarts a worker that is stuck as a whole and never cuts a long streamed export
  (every row of a filter, at 20,000+ rows/s), as a sync worker's default 30 s cut the old
  in-memory exports.
* ``WORKER_CONNECTIONS`` (default 4 × ``THREADS``): the keep-alive connections one worker holds at
  once. gunicorn's default (1,000) let one worker take every connection that arrives together
  and keep it: under 50 connections (the load run) one process did all the work while the
  other CPU idled, and the throughput of a run depended on that luck (361–844 requests/s for the
  same mix). With the bound, further connections wait for a worker with room.
"""

import os

workers = int(os.environ.get("WORKERS") or os.cpu_count() or 2)
worker_class = "gthread"
threads = int(os.environ.get("THREADS") or 8)
worker_connections = int(os.environ.get("WORKER_CONNECTIONS") or 4 * threads)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
