"""Caching of hot aggregates (the network summary), invalidated on any registry change.

Cached values are keyed by a *generation* number that every save or delete of a registry
row raises (signal receivers in :mod:`registry.apps`), so a change is visible on the
next request on every app server sharing the cache (Redis where ``REDIS_URL`` is set).
Bulk writes that bypass signals (``QuerySet.update``, ``bulk_create``) call :func:`bump`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")
GENERATION_KEY = "registry:generation"
TIMEOUT = 60 * 60  # seconds; a change invalidates sooner


def generation() -> int:
    """The current generation (starts at 1)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def bump(**kwargs) -> None:
    """Invalidate every cached aggregate (usable as a signal receiver)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def cached(key: str, compute: Callable[[], T], timeout: int = TIMEOUT) -> T:
    """``compute()`` once per generation for ``key``."""
    full_key = f"registry:{generation()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout)
    return value
