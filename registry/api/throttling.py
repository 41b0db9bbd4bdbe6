"""Throttling of anonymous clients: API reads (set once in ``settings.REST_FRAMEWORK``) and
exports (API lists in an export format and the pages' exports); and the one trusted client
address (:func:`client_address`) that every limit uses: these throttles and django-axes'
login lockout (``settings.AXES_CLIENT_IP_CALLABLE``)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


def client_address(request) -> str:
    """The client's IP address as a string, from a trusted source only.

    With ``settings.REGISTRY_NUM_PROXIES`` = 0 (environment ``NUM_PROXIES``; the default) it is
    ``REMOTE_ADDR`` and ``X-Forwarded-For`` is ignored, since any client can send one. Behind
    ``n`` reverse proxies that each append the address they saw, it is the ``n``-th entry from
    the right of ``X-Forwarded-For`` (what the outermost trusted proxy saw); entries further left
    were written by the client. A missing, short or malformed header falls back to
    ``REMOTE_ADDR``."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.REGISTRY_NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    entries = [entry.strip() for entry in forwarded.split(",")]
    if len(entries) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-proxies]))
    except ValueError:
        return remote


class AnonReadThrottle(AnonRateThrottle):
    """Anonymous requests per client address (:func:`client_address`), at
    ``settings.REGISTRY_API_ANON_RATE`` (e.g. ``120/minute``); counted in the default cache,
    which several processes share through Redis.

    Counted in fixed windows of the rate's period (each clock minute for ``120/minute``) by one
    atomic increment of a counter per client and window: every request of concurrent processes
    is counted, and each costs one cache round-trip whatever the rate. (Django REST Framework's
    own throttle reads a list of timestamps and writes it back: two requests at once are counted
    as one, and a generous rate makes the list long.) A client may send the rate's number in
    each window; a refused request is counted too, which changes nothing until the window ends.
    """

    def get_rate(self):
        return settings.REGISTRY_API_ANON_RATE

    def get_ident(self, request):
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        """Count ``request`` in its client's current window; ``False`` past the rate."""
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = (window + 1) * self.duration
        counter = f"{self.key}:{window}"
        try:
            count = self.cache.incr(counter)
        except ValueError:  # the window's first request (or its counter expired)
            count = 1 if self.cache.add(counter, 1, timeout=self.duration + 1) else self.cache.incr(counter)
        return count <= self.num_requests

    def wait(self) -> float:
        """Seconds until the current window ends (``Retry-After``)."""
        return max(self.window_end - self.now, 1.0)


def reads_allowed(request) -> bool:
    """Whether the API's default throttles (``REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]``) let
    ``request`` (a Django ``HttpRequest``) through, counting it when they do: what Django REST
    Framework's ``APIView.check_throttles`` runs, for an anonymous answer served from the
    response cache before any view (:class:`registry.cache.AnonymousPageCacheMiddleware`). A
    refused request falls through to the view, which answers it (429)."""
    return all([throttle().allow_request(request, None) for throttle in api_settings.DEFAULT_THROTTLE_CLASSES])


class AnonExportThrottle(AnonReadThrottle):
    """Anonymous exports per client address, at ``settings.REGISTRY_EXPORT_ANON_RATE`` (e.g.
    ``10/minute``), counted apart from other reads: an export reads every row the filters
    select. The API adds it to an export request (``RegistryViewSet.get_throttles``); the
    pages ask it too (``registry.views.export_throttled``). Staff and other signed-in users
    are not counted."""

    scope = "anon_export"

    def get_rate(self):
        return settings.REGISTRY_EXPORT_ANON_RATE
