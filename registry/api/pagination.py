"""Pagination of every API list, set once in ``settings.REST_FRAMEWORK``."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext
from rest_framework import exceptions, pagination

from ..filter_parameters import LARGEST_NUMBER


def whole_number(raw: str) -> bool:
    """Whether ``raw`` is a whole number of at least 1 in ASCII digits (``007`` is 7; ``0``, ``-1``,
    ``1.0``, ``١`` are not): what ``page`` and ``page_size`` take."""
    return raw.isascii() and raw.isdigit() and bool(raw.strip("0"))


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
        if not whole_number(raw):
            message = gettext("Give a whole number of rows per page, at least 1.")
            raise exceptions.ValidationError(
                {self.page_size_query_param: [exceptions.ErrorDetail(message, "min_value")]}
            )
        return min(int(raw[:12]) if len(raw) <= 12 else self.max_page_size, self.max_page_size)

    def check_query(self, request) -> None:
        """Refuse a malformed ``page_size`` or ``page`` as a page of the list would (a 400 naming
        ``page_size``; a 404 "Invalid page." for a ``page`` that is not a whole number from 1 to
        :data:`~registry.filter_parameters.LARGEST_NUMBER` or ``last``), for an answer that is not
        paginated (an export holds every row): the schema's bounds on both hold in every format."""
        self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw in self.last_page_strings:
            return
        if not (whole_number(raw) and len(raw) <= 19 and int(raw) <= LARGEST_NUMBER):
            raise exceptions.NotFound(self.invalid_page_message.format(page_number=raw, message=""))
