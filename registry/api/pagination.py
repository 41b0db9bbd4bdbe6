"""Pagination of every API list, set once in ``settings.REST_FRAMEWORK``."""

from __future__ import annotations

from django.conf import settings
from rest_framework import pagination


class RegistryPagination(pagination.PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``?page_size=`` up to the maximum in settings."""

    page_size_query_param = "page_size"
    page_size_query_description = "Rows per page (default 50, at most 200)."

    @property
    def max_page_size(self):
        return settings.REGISTRY_API_MAX_PAGE_SIZE
