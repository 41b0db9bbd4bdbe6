"""Policies the API sets once in ``settings.REST_FRAMEWORK``: pagination, throttling, filtering.

Kept apart from :mod:`registry.api` because Django REST Framework imports these while it
defines its own view classes, before the viewsets can be imported.
"""

from __future__ import annotations

from django.conf import settings
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, pagination, serializers
from rest_framework.throttling import AnonRateThrottle


class RegistryPagination(pagination.PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``?page_size=`` up to the maximum in settings."""

    page_size_query_param = "page_size"
    page_size_query_description = "Rows per page (default 50, at most 200)."

    @property
    def max_page_size(self):
        return settings.REGISTRY_API_MAX_PAGE_SIZE


class AnonReadThrottle(AnonRateThrottle):
    """Anonymous requests per client address, at ``settings.REGISTRY_API_ANON_RATE`` (e.g.
    ``120/minute``); counted in the default cache, which several processes share through Redis."""

    def get_rate(self):
        return settings.REGISTRY_API_ANON_RATE


class RegistryFilterBackend(DjangoFilterBackend):
    """The FilterSets of :mod:`registry.filters`; invalid values answer 400 naming the parameter
    and the rule (the form error's code)."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            errors = {
                name: [serializers.ErrorDetail(" ".join(e.messages), code=e.code or "invalid") for e in errs]
                for name, errs in filterset.form.errors.as_data().items()
            }
            raise exceptions.ValidationError(errors)
        return filterset.qs
