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
import hashlib
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


# --------------------------------------------------------------------------- whole responses

PAGE_PREFIX = "registry:page"
UNCACHED_PATHS = ("/admin/", "/api/")  # the admin is staff-only; the API caches its own data


def response_key(request, prefix: str = PAGE_PREFIX) -> str:
    """The cache key of an anonymous answer to ``request``: the data :func:`generation` (a
    change anywhere makes every earlier key stale), then a hash of the host, the full path with
    its query, the language (``request.LANGUAGE_CODE``) and the ``Accept`` header (the
    representation)."""
    parts = (
        request.get_host(),
        request.get_full_path(),
        getattr(request, "LANGUAGE_CODE", ""),
        request.headers.get("Accept", ""),
    )
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]
    return f"{prefix}:{generation()}:{digest}"


def anonymous_read(request) -> bool:
    """Whether ``request`` is a ``GET``/``HEAD`` by an anonymous reader (no session user, no
    ``Authorization`` header): the only requests whose answers are cached whole."""
    user = getattr(request, "user", None)
    return (
        request.method in ("GET", "HEAD")
        and not (user is not None and user.is_authenticated)
        and "Authorization" not in request.headers
    )


class AnonymousPageCacheMiddleware:
    """Public pages answered to anonymous readers are cached whole, keyed by
    :func:`response_key` (URL, language, representation and the data generation), so a change
    shows on the very next request and an unchanged page costs one cache read.

    Only ``200`` answers that are not streamed (exports are not), set no cookie, did not use a
    CSRF token and are not ``private``/``no-store``; never the admin or the API (whose lists
    cache their data after the API's throttle, see ``registry.api.views``). Goes after
    ``AuthenticationMiddleware`` (it reads ``request.user``) and ``LocaleMiddleware``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not anonymous_read(request) or request.path_info.startswith(UNCACHED_PATHS):
            return self.get_response(request)
        key = response_key(request)
        response = cache.get(key)
        if response is not None:
            return response
        response = self.get_response(request)
        if self.cacheable(request, response):
            cache.set(key, response, TIMEOUT)
        return response

    @staticmethod
    def cacheable(request, response) -> bool:
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and "private" not in cache_control
            and "no-store" not in cache_control
        )
