"""The public pages' shared list machinery.

Every list is a ``ListView`` with :class:`FilteredListMixin`: the FilterSet from
:mod:`registry.filters` (the same one the API uses) filters it, the page shows the active
filters, the number of results and pagination, and ``?format=csv`` gives the same
filtered rows as CSV (``xlsx`` as XLSX); a format only the API writes (``json``, ``geojson``,
``ics``) redirects to the API's list with the same filters. An invalid parameter gives the
list (filtered by the valid ones) with the message next to its field and status 400, never a
500; so does an unknown one (the message names it), and a malformed page number (the first
page, with the message).
:func:`export_throttled` holds every page's export to the API's anonymous export rate.

The pages themselves: :mod:`registry.views_network` (the home page and the networks),
:mod:`registry.views_places` (cities, partnerships, countries), :mod:`registry.views_records`
(agreements, events, anniversaries, the calendar, delegations) and :mod:`registry.views_site`
(search, the widgets, robots.txt and the favicon).

Every page reads through the models' ``visible_to(request.user)``: the public sees published
records (and the cities, people and sources they refer to), staff with the view permission
see drafts too. Counts of the network are what the public sees (``public()``), for everyone.
Every page runs a fixed number of SQL queries whatever the number of rows
(``select_related``/``prefetch_related``; see ``tests/test_queries.py``).
"""

from __future__ import annotations

import datetime
import hashlib
from functools import cached_property
from http import HTTPStatus

from django import forms
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries.fields import Country

from . import dates, exports, regions
from .api.pagination import page_number_error
from .api.throttling import AnonExportThrottle
from .cache import anonymous_read, release
from .filter_parameters import (
    LANGUAGE_PARAMETER,
    repeated_parameter,
    repeated_parameters,
    unknown_parameters,
    untracked,
)
from .forms import ListFilterForm

# --------------------------------------------------------------------------- list machinery


def describe_value(field: forms.Field, name: str, value) -> str:
    """A filter's cleaned value as the reader should see it."""
    if name == "country":
        return ", ".join(f"{Country(code).name} ({code})" for code in value)
    if name == "region":
        return regions.get_region(value).name()
    if isinstance(value, datetime.date):
        return dates.partial_date(value)
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        labels = {str(key): label for key, label in field.choices}
        return str(labels.get(str(value), value))
    return str(value)


def without(query, *names: str) -> str:
    """``query`` (a QueryDict) urlencoded without ``names`` (and never with page or format)."""
    query = query.copy()
    for name in ("page", "format", *names):
        query.pop(name, None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


class PageNumberMixin:
    """The ``?page=`` rule of every list page, for a ``ListView`` (the API's is
    :class:`~registry.api.pagination.RegistryPagination`, with the same
    :func:`~registry.api.pagination.page_number_error`)."""

    @cached_property
    def page_error(self) -> str | None:
        """The message refusing a malformed ``?page=`` (``abc``, ``0``, ``1.5``), the API's rule
        (:func:`registry.api.pagination.page_number_error`), else ``None``."""
        return page_number_error(self.request.GET.get(self.page_kwarg))

    @cached_property
    def page_repeated_error(self) -> str | None:
        """The message refusing ``?page=`` given more than once (``?page=1&page=2``; code
        ``repeated_parameter``, :func:`~registry.filter_parameters.repeated_parameters`), else
        ``None``. A list's filter form reports it too (``page`` is one of its ``other_params``);
        a page without one shows this."""
        found = repeated_parameters(self.request.GET, [self.page_kwarg])
        return repeated_parameter(*found[0]).messages[0] if found else None

    def paginate_queryset(self, queryset, page_size):
        """Django's pagination (a page past the last is a 404), except that a malformed page
        number gives the first page, shown with :attr:`page_error` and status 400, and so does a
        page number given twice (:attr:`page_repeated_error`; Django read the last one, and a 404
        answered ``?page=1&page=2``: fresh-clone probe)."""
        if self.page_error is None and self.page_repeated_error is None:
            return super().paginate_queryset(queryset, page_size)
        paginator = self.get_paginator(
            queryset, page_size, orphans=self.get_paginate_orphans(), allow_empty_first_page=self.get_allow_empty()
        )
        page = paginator.page(1)
        return paginator, page, page.object_list, page.has_other_pages()


class FilteredListMixin(PageNumberMixin):
    """Filtering, active filters, CSV and status 400 for invalid or unknown parameters, for a
    ListView.

    Subclasses set ``filterset_class`` and ``get_base_queryset()``; the export's columns and
    name (:attr:`export_table`) are the model's :class:`~registry.exports.Table` (the same as
    the API list's), or ``csv_columns`` for rows that are not a model's. The FilterSet is used as
    the API uses it, never changed; ``filter_form_class`` (:mod:`registry.forms`) is what the
    page shows of it.
    """

    filterset_class = None
    filter_form_class = ListFilterForm
    paginate_by = 50
    csv_columns: exports.Table | None = None
    extra_params: tuple[str, ...] = ()  # query parameters the view reads itself (not filters)

    def get_base_queryset(self):
        raise NotImplementedError

    def get_filterset(self):
        if not hasattr(self, "filterset"):
            self.filterset = self.filterset_class(
                self.request.GET or None,
                queryset=self.get_base_queryset(),
                request=self.request,
                other_params=(self.page_kwarg, "format", *self.extra_params),
            )
        return self.filterset

    def get_queryset(self):
        return self.get_filterset().qs

    @property
    def invalid(self) -> bool:
        filterset = self.get_filterset()
        return filterset.is_bound and not filterset.is_valid()

    @cached_property
    def format_error(self) -> str | None:
        """The message refusing a ``?format=`` the list neither writes (:data:`PAGE_EXPORT_FORMATS`)
        nor sends to the API's list (:meth:`api_list_url`), naming the formats it offers
        (``xml``, ``GEOJSON``: formats are in small letters, as in the API), in a reader's words
        (it said the API's "this endpoint offers"; new-user probe), else ``None``. The page is
        then shown with the message and status 400."""
        fmt = self.request.GET.get("format")
        if not fmt or fmt in PAGE_EXPORT_FORMATS or self.api_list_url(fmt):
            return None
        offered = [*PAGE_EXPORT_FORMATS, *sorted(self.api_formats() - set(PAGE_EXPORT_FORMATS))]
        return _("Unknown format “%(format)s”; this page's rows download as %(offered)s.") % {
            "format": fmt,
            "offered": ", ".join(offered),
        }

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format")
        if fmt in PAGE_EXPORT_FORMATS:
            return self.render_export(fmt)
        if fmt and (api_url := self.api_list_url(fmt)):
            return HttpResponseRedirect(api_url)
        response = super().get(request, *args, **kwargs)
        if self.invalid or self.page_error or self.format_error:
            response.status_code = HTTPStatus.BAD_REQUEST
        return response

    def active_filters(self) -> list[dict]:
        """The valid filters set (shown on the page or not), each with its label, its value as
        the reader should see it (the filter's own ``describe(value)`` where it has one, else
        :func:`describe_value`) and a link removing only that filter."""
        filterset = self.get_filterset()
        if not filterset.is_bound:
            return []
        form = filterset.form
        form.is_valid()
        active = []
        for name, field in form.fields.items():
            value = form.cleaned_data.get(name)
            if name in form.errors or value in (None, "", [], ()):
                continue
            describe = getattr(filterset.filters.get(name), "describe", None)
            active.append(
                {
                    "name": name,
                    "label": field.label,
                    "value": describe(value) if describe else describe_value(field, name, value),
                    "remove_url": without(self.query, name),
                }
            )
        return active

    @property
    def query(self) -> QueryDict:
        """The request's query without a shared link's analytics parameters
        (:func:`~registry.filter_parameters.untracked`) or one the list does not take (the page
        says so, 400), a new copy each time: what the list's own links (other pages, downloads,
        the removal of a filter, the API's list) are built from. A page refused for
        ``?page_size=10`` offered downloads that kept it, each a 400 (new-user probe)."""
        query = untracked(self.request.GET)
        filterset = self.get_filterset()
        for name in unknown_parameters(query, [*filterset.filters, *filterset.other_params]):
            del query[name]
        return query

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            query=self.query,
            filter_form=self.filter_form_class(self.get_filterset(), user=self.request.user, menu_key=self.menu_key()),
            active_filters=self.active_filters(),
            result_count=context["paginator"].count if context.get("paginator") else len(context["object_list"]),
            csv_url=self.csv_url(),
            clear_url=self.clear_url(),
            invalid=self.invalid,
            page_error=self.page_error,
            format_error=self.format_error,
        )
        return context

    def menu_key(self) -> str | None:
        """The name under which the filter form's menus may share their counts of rows
        (:class:`~registry.forms.ListFilterForm`): for an anonymous reader, who sees what every
        anonymous reader sees, the list without its filters or page (:meth:`clear_url`: the path
        and the page's own parameters, ``show=all``, which choose the rows) and the code's
        :func:`~registry.cache.release`, hashed; ``None`` for a signed-in reader, whose rows
        depend on their permissions. The counts then follow the data generation, as the anonymous
        page they are on does (:mod:`registry.cache`)."""
        if not anonymous_read(self.request):
            return None
        return hashlib.sha256(f"{release()}\n{self.clear_url()}".encode()).hexdigest()[:32]

    def api_list_path(self) -> str | None:
        """The path of the API's list of the page's model (``/api/v1/cities/``), or ``None`` when
        the page's rows are not a model's (the countries page) or the API lists no such rows."""
        if self.csv_columns is not None:
            return None
        try:
            return reverse(f"api:{self.model._meta.model_name}-list")
        except NoReverseMatch:
            return None

    def api_formats(self) -> set[str]:
        """The formats the API's list of the page's rows writes (its viewset's renderers but the
        browsable API), empty when :meth:`api_list_path` is ``None``."""
        path = self.api_list_path()
        if path is None:
            return set()
        return {renderer.format for renderer in resolve(path).func.cls.renderer_classes} - {"api"}

    def api_list_url(self, fmt: str) -> str | None:
        """The API's list of the same rows in ``fmt``, a format the page does not write itself
        but the API's list does (``json``, ``geojson`` for cities, ``ics`` for events: the
        renderers of the list's viewset say which), with the page's filters and without its page
        number or its own parameters (``/cities/?country=kz&format=geojson`` →
        ``/api/v1/cities/?country=kz&format=geojson&lang=en``, in the page's language: see
        :data:`registry.filter_parameters.LANGUAGE_PARAMETER`); ``None`` when the API has no list of
        these rows (the countries page's rows are not a model's) or not in ``fmt``."""
        if fmt not in self.api_formats():
            return None
        query = self.query
        for name in (self.page_kwarg, *self.extra_params):
            query.pop(name, None)
        query[LANGUAGE_PARAMETER] = translation.get_language()  # the page's, whatever the browser's
        return f"{self.api_list_path()}?{query.urlencode()}"

    def clear_url(self) -> str:
        """The list without its filters, keeping the page's own parameters (``show=all`` on the
        cities: clearing the filters of every city's list leaves every city listed)."""
        kept = QueryDict(mutable=True)
        for name in self.extra_params:
            if values := self.request.GET.getlist(name):
                kept.setlist(name, values)
        return f"{self.request.path}?{kept.urlencode()}" if kept else self.request.path

    def csv_url(self) -> str:
        query = self.query
        for name in ("page", "format"):
            query.pop(name, None)
        query["format"] = "csv"
        return f"{self.request.path}?{query.urlencode()}"

    def csv_rows(self):
        return self.get_queryset()

    @property
    def export_table(self) -> exports.Table:
        """The columns of the list's exports and the name of their files and worksheet:
        ``csv_columns``, else the model's table (as the API's)."""
        return self.csv_columns or exports.TABLES[self.model]

    def render_export(self, fmt: str) -> HttpResponse:
        """The filtered rows as a streamed export in ``fmt`` (``csv``: UTF-8 with a byte-order
        mark, :func:`registry.exports.csv_lines`; ``xlsx``: :func:`registry.exports.xlsx_chunks`),
        for the reader, named by :func:`registry.exports.export_filename` after
        :attr:`export_table`; the filter errors and a malformed page number (an export is not
        paginated, but its page holds as on the page and in the API) as text with status 400;
        429 past the anonymous export rate (:func:`export_throttled`)."""
        if self.invalid or self.page_error:
            messages = [f"{name}: {' '.join(msgs)}" for name, msgs in self.get_filterset().errors.items()]
            if self.page_error:
                messages.append(f"{self.page_kwarg}: {self.page_error}")
            return HttpResponse(
                "; ".join(messages), status=HTTPStatus.BAD_REQUEST, content_type="text/plain; charset=utf-8"
            )
        if throttled := export_throttled(self.request):
            return throttled
        user, table = self.request.user, self.export_table

        def build():
            rows = self.csv_rows()
            if fmt == "xlsx":
                return exports.xlsx_chunks(rows, user=user, table=table)
            return exports.csv_lines(rows, user=user, table=table)

        filename = exports.export_filename(table.name, self.request.GET, extension=fmt)
        return exports.export_response(fmt, build, request=self.request, filename=filename)


PAGE_EXPORT_FORMATS = ("csv", "xlsx")


def asked_from(request) -> str:
    """The page a download of ``request`` was asked from: the same path and query less ``format``
    (the calendar feed's: the events list)."""
    if request.resolver_match and request.resolver_match.url_name == "event-calendar":
        return reverse("registry:event-list")
    query = request.GET.copy()
    query.pop("format", None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def export_throttled(request) -> HttpResponse | None:
    """``None`` while the client may export, else a 429 with ``Retry-After`` (seconds): the
    API's anonymous export rate (:class:`registry.api.throttling.AnonExportThrottle`), counted
    together for pages and API. The 429 is a page of the site (``429.html``) in the reader's
    language, saying when to try again and what the rate is, with a link back to the page the
    download was asked from (it was a line of plain text; helper-84)."""
    throttle = AnonExportThrottle()
    if throttle.allow_request(request, None):
        return None
    wait = max(1, int(throttle.wait() or 1))
    count, seconds = throttle.parse_rate(throttle.get_rate())
    period = {1: _("second"), 60: _("minute"), 3600: _("hour"), 86400: _("day")}.get(seconds, "")
    context = {
        "message": ngettext("Try again in %(seconds)s second.", "Try again in %(seconds)s seconds.", wait)
        % {"seconds": wait},
        "rate": ngettext("%(count)s file a %(period)s", "%(count)s files a %(period)s", count)
        % {"count": count, "period": period},
        "back_url": asked_from(request),
    }
    response = render(request, "429.html", context, status=HTTPStatus.TOO_MANY_REQUESTS)
    response["Retry-After"] = str(wait)
    return response
