"""Throttling of anonymous API clients, set once in ``settings.REST_FRAMEWORK``."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonReadThrottle(AnonRateThrottle):
    """Anonymous requests per client address, at ``settings.REGISTRY_API_ANON_RATE`` (e.g.
    ``120/minute``); counted in the default cache, which several processes share through Redis."""

    def get_rate(self):
        return settings.REGISTRY_API_ANON_RATE
