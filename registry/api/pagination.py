"""Pagination of every API list, set once in ``settings.REST_FRAMEWORK``, and the rule of a
``page`` number, which the pages' lists follow too (:func:`page_number_error`)."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext, ngettext
from rest_framework import exceptions, pagination

from ..filter_parameters import LARGEST_NUMBER, untracked

LAST_PAGE = "last"  # ?page=last: the last page (Django's lists and DRF's pagination both take it)


def whole_number(raw: str) -> bool:
    """Whether ``raw`` is a whole number of at least 1 in ASCII digits (``007`` is 7; ``0``, ``-1``,
    ``1.0``, ``١`` are not): what ``page`` and ``page_size`` take."""
    return raw.isascii() and raw.isdigit() and bool(raw.strip("0"))


def page_number_error(raw: str | None) -> str | None:
    """Why ``raw``, a list's ``page`` parameter, is malformed (the message of a 400), or
    ``None``: it may be absent or empty (the first page), ``last`` or a whole number
    (:func:`whole_number`). The rule of every list, the pages' (``FilteredListMixin``) and the
    API's (:class:`RegistryPagination`), exports included; a well-formed number past the last
    page names a page that does not exist (404), as Django and DRF answer."""
    if not raw or raw == LAST_PAGE or whole_number(raw):
        return None
    return gettext("Give the page as a whole number, at least 1, or “last”.")


class KeysFirstPaginator(Paginator):
    """Django's paginator, reading a page of a queryset by its primary keys first: one query,
    ``… WHERE pk IN (SELECT pk … ORDER BY … LIMIT n OFFSET m) ORDER BY …``, so the columns a
    list computes per row (correlated subqueries: ``last_activity``, ``successor_visible``) are
    computed for the page's rows only.

    Sliced directly, SQLite sorts by a column without an index (``?ordering=status``) by
    writing every selected row, its computed columns with it, before taking the page: at 100,000
    partnerships ``/api/v1/partnerships/?ordering=status`` did not answer within 120 s
    (national-scale probe), and the last page by ``kind`` took 1.8 s. The rows, their order
    (the list's ordering, which ends with the primary key) and the number of queries are the
    same.

    A list of at most :attr:`keys_first_above` rows (its ``count``, which the paginator reads
    before the page) is sliced directly: reading the keys first compiles the list's query twice,
    its visibility rule with it, which cost more than sorting a short list (a source's rule is 27
    nested subqueries: ``/api/v1/sources/`` took 28 ms instead of 19 at the shipped size; at
    1,274 partnerships the two ways cost the same)."""

    #: The most rows a list may hold and still be sliced directly.
    keys_first_above = 1000

    def _get_page(self, object_list, number, paginator):
        if isinstance(object_list, QuerySet) and object_list.query.is_sliced and self.count > self.keys_first_above:
            object_list = self.object_list.filter(pk__in=object_list.values("pk"))
        return super()._get_page(object_list, number, paginator)


class RegistryPagination(pagination.PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``?page_size=`` up to the maximum in settings.
    A page is read by its keys first (:class:`KeysFirstPaginator`)."""

    django_paginator_class = KeysFirstPaginator
    page_size_query_param = "page_size"
    page_size_query_description = "Rows per page (default 50, at most 200)."
    last_page_strings = (LAST_PAGE,)

    @property
    def max_page_size(self):
        return settings.REGISTRY_API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        """``?page_size=``: a whole number of at least 1, capped at the maximum; anything else is
        a 400 naming the parameter, code ``min_value`` for ``0`` and ``invalid`` for what is no whole
        number (``abc`` said ``min_value``; new-user probe). DRF would silently fall back to the
        default page size."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not whole_number(raw):
            message = gettext("Give a whole number of rows per page, at least 1.")
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        exceptions.ErrorDetail(message, "min_value" if raw.isdigit() else "invalid")
                    ]
                }
            )
        return min(int(raw[:12]) if len(raw) <= 12 else self.max_page_size, self.max_page_size)

    def check_page(self, request) -> None:
        """Refuse a malformed ``page`` (:func:`page_number_error`) with a 400 naming ``page``
        (DRF would answer 404 "Invalid page.", as for a page past the last)."""
        message = page_number_error(request.query_params.get(self.page_query_param))
        if message is not None:
            raise exceptions.ValidationError({self.page_query_param: [exceptions.ErrorDetail(message, "invalid")]})

    def get_page_number(self, request, paginator):
        self.check_page(request)
        self.django_paginator = paginator  # for the message of a page past the last
        return super().get_page_number(request, paginator)

    def paginate_queryset(self, queryset, request, view=None):
        """DRF's pagination; a page past the last is a 404 saying how many pages the list has
        (DRF said "Invalid page.")."""
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            pages = self.django_paginator.num_pages
            message = ngettext(
                "Page %(page)s does not exist: the list has %(pages)s page; page=last gives the last.",
                "Page %(page)s does not exist: the list has %(pages)s pages; page=last gives the last.",
                pages,
            ) % {"page": request.query_params.get(self.page_query_param), "pages": pages}
            raise exceptions.NotFound(message) from None

    def get_next_link(self):
        return self.untracked(super().get_next_link())

    def get_previous_link(self):
        return self.untracked(super().get_previous_link())

    def untracked(self, url: str | None) -> str | None:
        """``url`` (a ``next`` or ``previous`` link) without the analytics parameters a shared
        link brought (:func:`~registry.filter_parameters.untracked`: ``utm_source``,
        ``fbclid``...), which the list ignores and a client walking the pages would carry on."""
        if url is None:
            return None
        return f"{url.split('?')[0]}?{untracked(QueryDict(url.partition('?')[2])).urlencode()}".rstrip("?")

    def check_query(self, request) -> None:
        """Refuse a malformed ``page_size`` or ``page`` as a page of the list would (a 400 naming
        the parameter; a 404 "Invalid page." for a ``page`` past
        :data:`~registry.filter_parameters.LARGEST_NUMBER`, which no list reaches), for an answer
        that is not paginated (an export holds every row): the schema's bounds on both hold in
        every format."""
        self.get_page_size(request)
        self.check_page(request)
        raw = request.query_params.get(self.page_query_param)
        if raw and whole_number(raw) and not (len(raw) <= 19 and int(raw) <= LARGEST_NUMBER):
            raise exceptions.NotFound(self.invalid_page_message.format(page_number=raw, message=""))
