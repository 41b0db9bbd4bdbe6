"""Pagination of every API list, set once in ``settings.REST_FRAMEWORK``."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext
from rest_framework import exceptions, pagination


class RegistryPagination(pagination.PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``?page_size=`` up to the maximum in settings."""

    page_size_query_param = "page_size"
    page_size_query_description = "Rows per page (default 50, at most 200)."

    @property
    def max_page_size(self):
        return settings.REGISTRY_API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        """``?page_size=``: a whole number of at least 1, capped at the maximum; anything else is
        a 400 naming the parameter (DRF would silently fall back to the default page size)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and raw.strip("0")):
            message = gettext("Give a whole number of rows per page, at least 1.")
            raise exceptions.ValidationError(
                {self.page_size_query_param: [exceptions.ErrorDetail(message, "min_value")]}
            )
        return min(int(raw[:12]) if len(raw) <= 12 else self.max_page_size, self.max_page_size)
