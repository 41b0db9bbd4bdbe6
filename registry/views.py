"""Public, server-rendered pages.

Every list is a ``ListView`` with :class:`FilteredListMixin`: the FilterSet from
:mod:`registry.filters` (the same one the API uses) filters it, the page shows the active
filters, the number of results and pagination, and ``?format=csv`` gives the same
filtered rows as CSV. An invalid parameter gives the list (filtered by the valid ones)
with the message next to its field and status 400, never a 500; so does an unknown one
(the message names it).

Every page reads through the models' ``visible_to(request.user)``: the public sees published
records (and the cities, people and sources they refer to), staff with the view permission
see drafts too. Counts of the network are what the public sees (``public()``), for everyone.
Every page runs a fixed number of SQL queries whatever the number of rows
(``select_related``/``prefetch_related``; see ``tests/test_queries.py``).
"""

from __future__ import annotations

import datetime
from functools import cached_property
from http import HTTPStatus

from csp.decorators import csp_replace
from django import forms
from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.generic import DetailView, ListView, TemplateView, View
from django_countries import countries
from django_countries.fields import Country

from . import anniversaries, charts, dates, exports, maps, network, reconciliation, regions
from .api.throttling import AnonExportThrottle
from .filters import AgreementFilter, CityFilter, DelegationFilter, EventFilter
from .forms import AgreementFilterForm, AsOfForm, CountryFilterForm, EventFilterForm, ListFilterForm
from .models import (
    Agreement,
    City,
    Delegation,
    DelegationMember,
    Event,
    EventParticipant,
    ItineraryStop,
    Organization,
    Outcome,
    Partnership,
    Person,
    Signatory,
    home_city,
)

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


class FilteredListMixin:
    """Filtering, active filters, CSV and status 400 for invalid or unknown parameters, for a
    ListView.

    Subclasses set ``filterset_class``, ``get_base_queryset()`` and ``csv_name`` (the file's
    name); the CSV's columns are the model's :class:`~registry.exports.Table` (the same as the
    API list's), or ``csv_columns`` for rows that are not a model's. The FilterSet is used as
    the API uses it, never changed; ``filter_form_class`` (:mod:`registry.forms`) is what the
    page shows of it.
    """

    filterset_class = None
    filter_form_class = ListFilterForm
    paginate_by = 50
    csv_name = "rows"
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

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") in PAGE_EXPORT_FORMATS:
            return self.render_export(request.GET["format"])
        response = super().get(request, *args, **kwargs)
        if self.invalid:
            response.status_code = HTTPStatus.BAD_REQUEST
        return response

    def active_filters(self) -> list[dict]:
        """The valid filters set (shown on the page or not), each with its label, its value as
        the reader should see it and a link removing only that filter."""
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
            active.append(
                {
                    "name": name,
                    "label": field.label,
                    "value": describe_value(field, name, value),
                    "remove_url": without(self.request.GET, name),
                }
            )
        return active

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.filter_form_class(self.get_filterset(), user=self.request.user),
            active_filters=self.active_filters(),
            result_count=context["paginator"].count if context.get("paginator") else len(context["object_list"]),
            csv_url=self.csv_url(),
            clear_url=self.request.path,
            invalid=self.invalid,
        )
        return context

    def csv_url(self) -> str:
        query = self.request.GET.copy()
        for name in ("page", "format"):
            query.pop(name, None)
        query["format"] = "csv"
        return f"{self.request.path}?{query.urlencode()}"

    def csv_rows(self):
        return self.get_queryset()

    def render_export(self, fmt: str) -> HttpResponse:
        """The filtered rows as a streamed export in ``fmt`` (``csv``: UTF-8 with a byte-order
        mark, :func:`registry.exports.csv_lines`; ``xlsx``: :func:`registry.exports.xlsx_chunks`),
        for the reader, named by :func:`registry.exports.export_filename`; the filter errors as
        text with status 400; 429 past the anonymous export rate (:func:`export_throttled`)."""
        if self.invalid:
            errors = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in self.get_filterset().errors.items())
            return HttpResponse(errors, status=HTTPStatus.BAD_REQUEST, content_type="text/plain; charset=utf-8")
        if throttled := export_throttled(self.request):
            return throttled
        user = self.request.user

        def build():
            rows = self.csv_rows()
            if fmt == "xlsx":
                return exports.xlsx_chunks(rows, user=user, table=self.csv_columns, title=self.csv_name)
            return exports.csv_lines(rows, user=user, table=self.csv_columns)

        filename = exports.export_filename(self.csv_name, self.request.GET, extension=fmt)
        return exports.export_response(fmt, build, request=self.request, filename=filename)


PAGE_EXPORT_FORMATS = ("csv", "xlsx")


def export_throttled(request) -> HttpResponse | None:
    """``None`` while the client may export, else a 429 with ``Retry-After`` (seconds): the
    API's anonymous export rate (:class:`registry.api.throttling.AnonExportThrottle`), counted
    together for pages and API."""
    throttle = AnonExportThrottle()
    if throttle.allow_request(request, None):
        return None
    wait = max(1, int(throttle.wait() or 1))
    response = HttpResponse(
        _("Too many exports: try again in %(seconds)s seconds.") % {"seconds": wait},
        status=HTTPStatus.TOO_MANY_REQUESTS,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(wait)
    return response


# --------------------------------------------------------------------------- home


def year_steps(as_of: datetime.date, first_year: int | None) -> dict:
    """The home page's steps through time from ``as_of``: ``previous`` and ``next`` (the last day
    of the year before and after, today for this year; ``None`` before ``first_year`` or after
    today) and ``years``, ``(year, date)`` pairs for the year control, latest first."""
    today = timezone.localdate()

    def end_of(year: int) -> datetime.date:
        return min(datetime.date(year, 12, 31), today)

    first = min(first_year or as_of.year, as_of.year)
    return {
        "previous": end_of(as_of.year - 1) if as_of.year > first else None,
        "next": end_of(as_of.year + 1) if as_of.year < today.year else None,
        "year": as_of.year,
        "years": [(year, end_of(year)) for year in range(today.year, first - 1, -1)],
    }


class HomeView(TemplateView):
    """``/``: the network at a glance on ``?as_of=YYYY-MM-DD`` (default today): totals by
    kind and region, a map of the partner cities in force, a timeline of partnerships per
    year with the running total, the latest agreements and events.

    An invalid date gives the page with the error next to the date field and status 400.
    """

    template_name = "registry/home.html"

    def get(self, request, *args, **kwargs):
        form = AsOfForm(request.GET or None)
        valid = form.is_valid() if request.GET else True
        as_of = (form.cleaned_data.get("as_of") if valid and request.GET else None) or timezone.localdate()
        context = self.get_context_data(form=form, as_of=as_of, valid=valid)
        status = HTTPStatus.OK if valid else HTTPStatus.BAD_REQUEST
        return self.render_to_response(context, status=status)

    def get_home(self):
        """The city whose network the page shows: the configured home city (or ``None``)."""
        return home_city()

    def get_context_data(self, *, as_of, valid, **kwargs):
        context = super().get_context_data(**kwargs)
        home = self.get_home()
        context.update(home=home, as_of=as_of, valid=valid)
        if home is not None and valid:
            context["summary"] = network.cached_network_summary(home, as_of)
            context["first_partners"] = network.first_partners(home, as_of)
            in_force = network.partnerships_of(home).in_force_on(as_of).select_related("city", "partner")
            partners = sorted({p.other(home) for p in in_force}, key=lambda city: city.name)
            context["partners"] = partners
            # (partner city, partnership) pairs for the list under the map
            context["partnerships_in_force"] = sorted(
                ((p.other(home), p) for p in in_force), key=lambda pair: (pair[0].name, pair[1].pk)
            )
            markers = maps.partnership_markers(context["partnerships_in_force"])
            home_marker = maps.marker_for(home)
            context["map"] = maps.world_map(markers, home=home_marker)
            context["inset"] = maps.inset_map(markers, home=home_marker)
            context["timeline"] = charts.timeline_chart(network.timeline(home, as_of=as_of), until=as_of.year)
            rows = context["timeline"].rows
            context["year_steps"] = year_steps(as_of, rows[0]["year"] if rows else None)
            agreements, events = self.latest_records(home)
            context["latest_agreements"] = agreements.filter(signed_on__lte=as_of).select_related("place")[:5]
            context["latest_events"] = events.filter(start_on__lte=as_of).select_related("city")[:5]
        return context

    def latest_records(self, home: City):
        """The agreements and events the "Latest" columns draw from: on the home page, the
        whole registry's that the reader may see (a pair of querysets)."""
        user = self.request.user
        return Agreement.objects.visible_to(user), Event.objects.visible_to(user)


class CityNetworkView(HomeView):
    """``/cities/<slug>/network/``: any city's network on ``?as_of=`` with the home page's
    totals, map, timeline and breakdowns (:mod:`registry.network`, computed for that city,
    either side of each partnership). 404 for a city the reader may not see."""

    def get_home(self):
        return get_object_or_404(City.objects.visible_to(self.request.user), slug=self.kwargs["slug"])

    def latest_records(self, home: City):
        """The city's own agreements and events: signed or held there, or under one of its
        partnerships (either side), as its city page lists them."""
        agreements, events = super().latest_records(home)
        return agreements.of_city(home), events.of_city(home)


class NationalNetworkView(TemplateView):
    """``/network/national/``: the municipal networks of the home country
    (``settings.REGISTRY_HOME_COUNTRY``) rolled up on ``?as_of=`` (default today), by
    municipality, first-level subdivision, partner country and UN M49 region
    (:func:`registry.network.national_rollup`); ``?format=csv`` gives the municipalities' rows,
    ``?format=csv&rows=subdivisions`` the subdivisions', streamed like every export
    (:func:`registry.exports.export_response`: byte-order mark, ``ETag``, the anonymous export
    rate). An invalid date: the page with the error next to the date field and status 400 (plain
    text for the CSV)."""

    template_name = "registry/national_network.html"

    def get(self, request, *args, **kwargs):
        params = request.GET.copy()
        wants_csv = params.pop("format", [""])[-1] == "csv"
        by_subdivision = params.pop("rows", [""])[-1] == "subdivisions"
        form = AsOfForm(params or None)
        valid = form.is_valid() if params else True
        as_of = (form.cleaned_data.get("as_of") if valid and params else None) or timezone.localdate()
        if wants_csv:
            if not valid:
                errors = " ".join(form.errors.get("as_of", []))
                return HttpResponse(f"as_of: {errors}", status=HTTPStatus.BAD_REQUEST, content_type="text/plain")
            if throttled := export_throttled(request):
                return throttled

            def build():
                rollup = network.national_rollup(settings.REGISTRY_HOME_COUNTRY, as_of)
                if by_subdivision:
                    return exports.csv_lines(rollup.by_subdivision, table=exports.SUBDIVISION_NETWORKS)
                return exports.csv_lines(rollup.municipalities, table=exports.MUNICIPAL_NETWORKS)

            name = f"national-network{'-subdivisions' if by_subdivision else ''}-{as_of.isoformat()}.csv"
            return exports.export_response("csv", build, request=request, filename=name)
        context = self.get_context_data(form=form, as_of=as_of, valid=valid)
        if valid:
            context["rollup"] = network.national_rollup(settings.REGISTRY_HOME_COUNTRY, as_of)
        context["country"] = Country(settings.REGISTRY_HOME_COUNTRY)
        return self.render_to_response(context, status=HTTPStatus.OK if valid else HTTPStatus.BAD_REQUEST)


class CountingView(TemplateView):
    """``/counting/``: the counting rule in words, and the registry's totals beside the ones the
    home city's office published (:func:`registry.reconciliation.reconcile`), with the
    difference and why they can differ."""

    template_name = "registry/counting.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        home = home_city()
        context["rows"] = reconciliation.reconcile(home) if home else []
        return context


# --------------------------------------------------------------------------- cities


class CityListView(FilteredListMixin, ListView):
    """``/cities/``: every city in the registry with its partnerships, filtered by
    :class:`~registry.filters.CityFilter` (``q`` searches every name, ignoring case and accents)."""

    model = City
    filterset_class = CityFilter
    csv_name = "cities"
    extra_params = ("show",)

    @cached_property
    def home(self) -> City | None:
        return home_city()

    @property
    def show_all(self) -> bool:
        """``?show=all``: every city; otherwise the home city's partners (any signed partnership
        the reader may see, ended ones included; not a letter of intent alone), or every city
        when there is no home city."""
        return self.request.GET.get("show") == "all" or self.home is None

    def get_base_queryset(self):
        user = self.request.user
        cities = City.objects.visible_to(user)
        if not self.show_all:
            cities = cities.partners_of(self.home, Partnership.objects.visible_to(user).signed())
        return cities.prefetch_related(
            Prefetch("partnerships_as_partner", queryset=Partnership.objects.visible_to(user).select_related("city"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(show_all=self.show_all, home=self.home, partners_url=without(self.request.GET, "show"))
        query = self.request.GET.copy()
        query["show"] = "all"
        for name in ("page", "format"):
            query.pop(name, None)
        context["all_url"] = f"?{query.urlencode()}"
        return context


class CityDetailView(DetailView):
    """``/cities/<slug>/``: names, country and region, position on a small map, the history
    of its partnerships, agreements, events, delegations that visited, and sources."""

    model = City

    def get_queryset(self):
        user = self.request.user
        return City.objects.visible_to(user).prefetch_related(
            "names",
            "sources",
            Prefetch(
                "itinerary_stops",
                queryset=ItineraryStop.objects.filter(delegation__in=Delegation.objects.visible_to(user))
                .select_related("delegation")
                .order_by("delegation__start_on", "delegation__slug", "order"),
                to_attr="visits",
            ),
        )

    max_items = 50  # latest agreements and events shown

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        city = self.object
        user = self.request.user
        # Every partnership of the city, whichever side names it, each with ``with_city`` (the
        # other side); one query for the rows, two for their sources and fields.
        partnerships = list(
            Partnership.objects.visible_to(user)
            .involving(city)
            .with_last_activity(user)
            .select_related("city", "partner", "predecessor")
            .prefetch_related("sources", "fields", "stages__sources", "claims__sources")
            .order_by(F("established_on").asc(nulls_last=True), "id")
        )
        for partnership in partnerships:
            partnership.with_city = partnership.other(city)
        context["partnerships"] = partnerships
        home = home_city()
        # The home city's own partnerships are many: count them, list them on /cities/.
        context["partner_count"] = (
            network.partnerships_of(city).filter(ended_on__isnull=True).count() if home and home.pk == city.pk else None
        )
        # Subqueries rather than joins (no DISTINCT), and bounded, so the page costs the same
        # at any table size.
        agreements, events = Agreement.objects.visible_to(user), Event.objects.visible_to(user)
        context["agreements"] = agreements.of_city(city).select_related("place")[: self.max_items]
        context["events"] = events.of_city(city).select_related("city")[: self.max_items]
        marker = maps.marker_for(city)
        context["map"] = maps.area_map([marker]) if marker else None
        return context


# --------------------------------------------------------------------------- partnerships


class PartnershipDetailView(DetailView):
    """``/partnerships/<id>/``: one relation between two cities: both cities, the kind, its
    dates and status (established, suspended or ended, with the reason), cooperation fields,
    its agreements and events, the delegations that visited the partner city or took part in
    its events, and its sources. 404 for a draft unless the reader may see drafts
    (:meth:`~registry.models.base.RegistryQuerySet.visible_to`)."""

    max_items = 50  # agreements, events and delegations shown

    def get_queryset(self):
        return (
            Partnership.objects.visible_to(self.request.user)
            .select_related("city", "partner", "predecessor")
            .prefetch_related(
                "fields", "sources", "city__names", "partner__names", "stages__sources", "claims__sources"
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partnership = self.object
        user = self.request.user
        events = Event.objects.visible_to(user).filter(partnership=partnership).select_related("city")
        stops = ItineraryStop.objects.filter(delegation=OuterRef("pk"), city=partnership.partner_id)
        took_part = events.filter(delegation=OuterRef("pk"))
        context.update(
            agreements=Agreement.objects.visible_to(user)
            .filter(partnership=partnership)
            .select_related("place")[: self.max_items],
            events=events[: self.max_items],
            delegations=Delegation.objects.visible_to(user).filter(Exists(stops) | Exists(took_part))[: self.max_items],
        )
        context["sides"] = [(_("City"), partnership.city), (_("Partner city"), partnership.partner)]
        markers = [m for city in (partnership.city, partnership.partner) if (m := maps.marker_for(city))]
        context["map"] = maps.area_map(markers) if markers else None
        return context


# --------------------------------------------------------------------------- countries


class CountryListView(FilteredListMixin, ListView):
    """``/countries/``: countries with cities in the registry, the number of cities and of
    partner cities in force today; the city filters (region, kind, status, ...) apply to
    the cities counted."""

    filterset_class = CityFilter
    template_name = "registry/country_list.html"
    paginate_by = 100
    csv_name = "countries"
    filter_form_class = CountryFilterForm
    csv_columns = exports.COUNTRIES

    def get_base_queryset(self):
        return City.objects.visible_to(self.request.user)

    def get_queryset(self):
        today = timezone.localdate()
        # An uncorrelated IN subquery (runs once) rather than EXISTS per city.
        partners_in_force = Partnership.objects.visible_to(self.request.user).in_force_on(today).values("partner_id")
        rows = (
            super()
            .get_queryset()
            .order_by()
            .values("country")
            .annotate(cities=Count("id"), partners=Count("id", filter=Q(pk__in=partners_in_force)))
        )
        result = []
        for row in rows:
            country = Country(row["country"])
            result.append(
                {
                    **row,
                    "country": country,
                    "region": regions.region_of(country.code),
                    "subregion": regions.subregion_of(country.code),
                    "url": reverse("registry:country-detail", kwargs={"code": country.code.lower()}),
                }
            )
        return sorted(result, key=lambda row: row["country"].name)


class CountryDetailView(TemplateView):
    """``/countries/<iso2>/``: a country's cities, partnerships, agreements, events and
    delegations. Upper-case codes redirect to lower case; unknown codes are a 404."""

    template_name = "registry/country_detail.html"
    max_rows = 200  # cities shown (and on the map)
    max_items = 20  # latest agreements, events and delegations shown

    def get(self, request, *args, code, **kwargs):
        if code != code.lower():
            return HttpResponsePermanentRedirect(reverse("registry:country-detail", kwargs={"code": code.lower()}))
        if code.upper() not in countries:
            raise Http404(_("No such country."))
        return super().get(request, *args, code=code, **kwargs)

    def get_context_data(self, *, code, **kwargs):
        context = super().get_context_data(**kwargs)
        country = Country(code.upper())
        user = self.request.user
        in_country = City.objects.visible_to(user).filter(country=country.code)
        # Bounded: a page never grows with the table (the lists link to the full, filtered lists).
        cities = list(
            in_country.prefetch_related(
                Prefetch(
                    "partnerships_as_partner", queryset=Partnership.objects.visible_to(user).select_related("city")
                )
            )[: self.max_rows]
        )
        if not cities:
            raise Http404(_("No city of this country is in the registry."))
        stops = ItineraryStop.objects.filter(delegation=OuterRef("pk"), city__country=country.code)
        markers = maps.markers_for(cities)
        partner_agreements = Partnership.objects.filter(partner__country=country.code).values("pk")
        context.update(
            country=country,
            region=regions.region_of(country.code),
            subregion=regions.subregion_of(country.code),
            cities=cities,
            city_count=in_country.count(),
            map=maps.area_map(markers) if markers else None,
            agreements=Agreement.objects.visible_to(user)
            .filter(Q(place__country=country.code) | Q(partnership__in=partner_agreements))
            .select_related("place")[: self.max_items],
            events=Event.objects.visible_to(user)
            .filter(city__country=country.code)
            .select_related("city")[: self.max_items],
            delegations=Delegation.objects.visible_to(user).filter(Exists(stops))[: self.max_items],
        )
        return context


# --------------------------------------------------------------------------- agreements


class AgreementListView(FilteredListMixin, ListView):
    """``/agreements/``: published agreements, filtered by :class:`~registry.filters.AgreementFilter`."""

    model = Agreement
    filterset_class = AgreementFilter
    csv_name = "agreements"
    filter_form_class = AgreementFilterForm

    def get_base_queryset(self):
        return (
            Agreement.objects.visible_to(self.request.user)
            .select_related("place", "partnership__city", "partnership__partner")
            .prefetch_related("fields")
        )


class AgreementDetailView(DetailView):
    """``/agreements/<slug>/``: what was agreed, when, where and by whom, with sources."""

    def get_queryset(self):
        user = self.request.user
        return (
            Agreement.objects.visible_to(user)
            .with_visibility(user, "partnership", "superseded_by")
            .select_related("place", "partnership__city", "partnership__partner", "superseded_by")
            .prefetch_related(
                "fields",
                "sources",
                "parties",
                Prefetch("signatories", queryset=Signatory.objects.select_related("person", "organization")),
                Prefetch("events", queryset=Event.objects.visible_to(user).select_related("city")),
                "claims__sources",
            )
        )


# --------------------------------------------------------------------------- events


class EventListView(FilteredListMixin, ListView):
    """``/events/``: published events, filtered by :class:`~registry.filters.EventFilter`."""

    model = Event
    filterset_class = EventFilter
    csv_name = "events"
    filter_form_class = EventFilterForm

    def get_base_queryset(self):
        return Event.objects.visible_to(self.request.user).select_related("city")


class EventDetailView(DetailView):
    """``/events/<slug>/``: an event, who took part, what it concerns, with sources and the
    sources of each fact (its claims: the Almaty signing's venue, where sources differ)."""

    def get_queryset(self):
        user = self.request.user
        return (
            Event.objects.visible_to(user)
            .with_visibility(user, "partnership", "agreement", "delegation")
            .select_related("city", "partnership__city", "partnership__partner", "agreement", "delegation")
            .prefetch_related(
                "sources",
                Prefetch("participants", queryset=EventParticipant.objects.select_related("person", "organization")),
                "claims__sources",
            )
        )


class AnniversaryListView(TemplateView):
    """``/anniversaries/``: the round anniversaries (:data:`registry.anniversaries.ROUND_YEARS`) of
    the next 24 months, of the partnerships the reader may see and of the home country's
    diplomatic relations with their countries (:func:`registry.anniversaries.upcoming`)."""

    template_name = "registry/anniversary_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["anniversaries"] = anniversaries.upcoming(user=self.request.user, start=today)
        context["start"] = today
        return context


class CalendarView(View):
    """``/events/calendar.ics``: public events, the yearly anniversaries of public partnerships
    not ended and the round anniversaries of the next 24 months, as iCalendar (RFC 5545), the same
    for every reader; built by :func:`registry.exports.icalendar_chunks`, as the API's
    ``/api/v1/events/?format=ics``."""

    def get(self, request, *args, **kwargs):
        if throttled := export_throttled(request):
            return throttled

        def build():
            return exports.icalendar_chunks(
                Event.objects.public(),
                anniversaries=Partnership.objects.public().signed().filter(ended_on__isnull=True),
                round_anniversaries=anniversaries.upcoming(user=None, start=timezone.localdate()),
                site_url=request.build_absolute_uri("/"),
                title=_("City Diplomacy Registry: events and anniversaries"),
            )

        return exports.export_response("ics", build, request=request, filename="calendar.ics", disposition="inline")


# --------------------------------------------------------------------------- delegations


class DelegationListView(FilteredListMixin, ListView):
    """``/delegations/``: published delegations, filtered by :class:`~registry.filters.DelegationFilter`."""

    model = Delegation
    filterset_class = DelegationFilter
    csv_name = "delegations"

    def get_base_queryset(self):
        return (
            Delegation.objects.visible_to(self.request.user)
            .select_related("organizer", "leader")
            .prefetch_related(Prefetch("itinerary", queryset=ItineraryStop.objects.select_related("city")))
        )


class DelegationDetailView(DetailView):
    """``/delegations/<slug>/``: members, the itinerary in order (and on a map), outcomes
    with amounts formatted for the reader's language, events, sources."""

    def get_queryset(self):
        user = self.request.user
        outcomes = Outcome.objects.with_visibility(user, "agreement").select_related("agreement")
        return (
            Delegation.objects.visible_to(user)
            .with_visibility(user, "travelled_with")
            .select_related("organizer", "leader", "travelled_with")
            .prefetch_related(
                "sources",
                Prefetch("members", queryset=DelegationMember.objects.select_related("person", "organization")),
                Prefetch("itinerary", queryset=ItineraryStop.objects.select_related("city").order_by("order")),
                Prefetch("outcomes", queryset=outcomes),
                Prefetch("accompanying", queryset=Delegation.objects.visible_to(user)),
                Prefetch("events", queryset=Event.objects.visible_to(user).select_related("city")),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        delegation = self.object
        markers = [
            marker
            for stop in delegation.itinerary.all()
            if (marker := maps.marker_for(stop.city, number=stop.order)) is not None
        ]
        context["map"] = maps.area_map(markers) if markers else None
        context["travelled_with"] = delegation.travelled_with if delegation.travelled_with_visible else None
        return context


# --------------------------------------------------------------------------- search


class SearchView(TemplateView):
    """``/search/?q=…``: one search across cities, partnerships, agreements, events, delegations,
    people and organizations, results grouped by kind. Each kind is found by its queryset's own
    ``search()`` (cities by every name, ignoring case and accents) among the rows the reader may
    see (``visible_to``); at most ``per_kind`` of each are shown, with a link to the full, filtered
    list where there is one. Two queries per kind at most, whatever the table sizes."""

    template_name = "registry/search.html"
    per_kind = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:200]
        context["q"] = query
        if not query:
            return context
        user = self.request.user
        kinds = [
            ("cities", _("Cities"), City.objects.visible_to(user).search(query), "registry:city-list"),
            (
                "partnerships",
                _("Partnerships"),
                Partnership.objects.visible_to(user).search(query).select_related("city", "partner"),
                None,
            ),
            (
                "agreements",
                _("Agreements"),
                Agreement.objects.visible_to(user).search(query),
                "registry:agreement-list",
            ),
            ("events", _("Events"), Event.objects.visible_to(user).search(query), "registry:event-list"),
            (
                "delegations",
                _("Delegations"),
                Delegation.objects.visible_to(user).search(query),
                "registry:delegation-list",
            ),
            ("people", _("People"), Person.objects.visible_to(user).search(query), None),
            ("organizations", _("Organizations"), Organization.objects.visible_to(user).search(query), None),
        ]
        groups = []
        for key, label, queryset, list_url in kinds:
            rows = list(queryset[: self.per_kind + 1])
            more = len(rows) > self.per_kind
            groups.append(
                {
                    "key": key,
                    "label": label,
                    "rows": rows[: self.per_kind],
                    "more": more,
                    "list_url": f"{reverse(list_url)}?{urlencode({'q': query})}" if list_url else None,
                }
            )
        context["groups"] = groups
        context["total"] = sum(len(group["rows"]) for group in groups)
        return context


# --------------------------------------------------------------------------- widgets


class FrameableMixin:
    """A page other sites may show in an ``<iframe>``: only the origins in
    ``settings.REGISTRY_WIDGET_FRAME_ANCESTORS`` (and this site) may frame it (CSP
    ``frame-ancestors``, no ``X-Frame-Options``); every other page stays unframeable
    (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``)."""

    def dispatch(self, request, *args, **kwargs):
        ancestors = ["'self'", *settings.REGISTRY_WIDGET_FRAME_ANCESTORS]
        view = csp_replace({"frame-ancestors": ancestors})(xframe_options_exempt(super().dispatch))
        return view(request, *args, **kwargs)


class NetworkWidgetView(FrameableMixin, TemplateView):
    """``/widget/``: the home city's network today, compact, for a city portal's ``<iframe>``:
    the totals (with the counting rule's page), a small map with the legend, links that open the
    registry in the top window."""

    template_name = "registry/widget.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        home = home_city()
        today = timezone.localdate()
        context.update(home=home, as_of=today, city=None)
        if home is not None:
            in_force = network.partnerships_of(home).in_force_on(today).select_related("city", "partner")
            pairs = sorted(((p.other(home), p) for p in in_force), key=lambda pair: (pair[0].name, pair[1].pk))
            context["summary"] = network.cached_network_summary(home, today)
            context["map"] = maps.world_map(maps.partnership_markers(pairs), home=maps.marker_for(home))
        return context


class CityWidgetView(FrameableMixin, DetailView):
    """``/widget/<slug>/``: one city's partnerships (either side, as the reader may see them),
    compact, for an ``<iframe>``; 404 for a city the reader may not see."""

    model = City
    template_name = "registry/widget.html"

    def get_queryset(self):
        return City.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        city = self.object
        partnerships = (
            Partnership.objects.visible_to(self.request.user)
            .involving(city)
            .select_related("city", "partner")[: self.max_items]
        )
        pairs = [(p.other(city), p) for p in partnerships]
        context.update(city=city, pairs=pairs, as_of=timezone.localdate())
        markers = maps.partnership_markers(pairs)
        context["map"] = maps.world_map(markers, home=maps.marker_for(city)) if markers else None
        return context

    max_items = 100  # partnerships listed


# --------------------------------------------------------------------------- site files


class RobotsView(TemplateView):
    """``/robots.txt``: everything but the admin may be crawled; names the sitemap."""

    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sitemap_url"] = self.request.build_absolute_uri(reverse("sitemap"))
        return context


class FaviconView(View):
    """``/favicon.ico``: a permanent redirect to the site's icon (``static/img/favicon.svg``), for
    the browsers and crawlers that ask for it at the root whatever the page's ``<link rel=icon>``."""

    def get(self, request, *args, **kwargs):
        return HttpResponsePermanentRedirect(static("img/favicon.svg"))
