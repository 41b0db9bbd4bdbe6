"""Throttling of anonymous clients: API reads (set once in ``settings.REST_FRAMEWORK``) and
exports (API lists in an export format and the pages' exports)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonReadThrottle(AnonRateThrottle):
    """Anonymous requests per client address, at ``settings.REGISTRY_API_ANON_RATE`` (e.g.
    ``120/minute``); counted in the default cache, which several processes share through Redis."""

    def get_rate(self):
        return settings.REGISTRY_API_ANON_RATE


class AnonExportThrottle(AnonRateThrottle):
    """Anonymous exports per client address, at ``settings.REGISTRY_EXPORT_ANON_RATE`` (e.g.
    ``10/minute``), counted apart from other reads: an export reads every row the filters
    select. The API adds it to an export request (``RegistryViewSet.get_throttles``); the
    pages ask it too (``registry.views.export_throttled``). Staff and other signed-in users
    are not counted."""

    scope = "anon_export"

    def get_rate(self):
        return settings.REGISTRY_EXPORT_ANON_RATE
