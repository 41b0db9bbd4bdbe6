"""What changed when: the data *generation* and the last-changed time, and caching keyed by them.

:func:`record_change` is the one receiver of every registry save, delete and many-to-many
change (connected in :meth:`registry.apps.RegistryConfig.ready`). It raises the
*generation* that cached aggregates (the network summary) are keyed by, and the time of the
last change that gives ``Last-Modified``; so a change is visible on the next request on every
app server sharing the cache (Redis where ``REDIS_URL`` is set). Bulk writes that bypass
signals (``QuerySet.update``, ``bulk_create``) call :func:`record_change` themselves.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.utils import timezone

T = TypeVar("T")
GENERATION_KEY = "registry:generation"
CHANGED_AT_KEY = "registry:changed-at"
TIMEOUT = 60 * 60  # seconds; a change invalidates sooner


def generation() -> int:
    """The current generation (starts at 1)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def changed_at() -> datetime.datetime:
    """When any registry row last changed, as far as this cache knows (at least since it started).

    Gives ``Last-Modified``: a deletion or a change to a nested record moves it too, so a
    conditional request never gets a stale 304.
    """
    value = cache.get(CHANGED_AT_KEY)
    if value is None:
        value = timezone.now()
        cache.add(CHANGED_AT_KEY, value, timeout=None)
    return value


def record_change(**kwargs) -> None:
    """Something in the registry changed: raise the generation (every cached aggregate is
    stale) and move the last-changed time. The one signal receiver for saves, deletes and
    many-to-many changes of registry models; bulk writes call it directly."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)
    cache.set(CHANGED_AT_KEY, timezone.now(), timeout=None)


def cached(key: str, compute: Callable[[], T], timeout: int = TIMEOUT) -> T:
    """``compute()`` once per generation for ``key``."""
    full_key = f"registry:{generation()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout)
    return value
