"""The public pages of places: the cities (list and page), a partnership's page, the countries
(list and page). Lists and exports: :mod:`registry.views`."""

from __future__ import annotations

from functools import cached_property

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponsePermanentRedirect, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, RedirectView, TemplateView
from django_countries import countries
from django_countries.fields import Country

from . import exports, maps, network, regions
from .api.pagination import page_number_error
from .filter_parameters import LANGUAGE_PARAMETER, is_link_tracking
from .filters import CityFilter
from .forms import CountryFilterForm
from .models import (
    Agreement,
    City,
    Delegation,
    Event,
    ItineraryStop,
    Partnership,
    cited_sources,
    home_city,
    other_side,
)
from .models.choices import country_names
from .paths import record_path
from .views import PAGE_EXPORT_FORMATS, FilteredListMixin, without

# Partnerships named in a city's table cell (city list, country page); past them, a link to all
# of them on the city's page.
PARTNERSHIPS_PER_CITY = 5

# --------------------------------------------------------------------------- cities


class PartnershipListRedirect(RedirectView):
    """``/partnerships/``: the partnerships are listed as the home city's partner cities
    (``/cities/``), where this sends the reader (302) with the query's parameters that list takes
    (:meth:`CityListView.takes`: its filters, ``page``, ``format``, ``show``, a shared link's
    analytics) and accepts. The API's parameters of a partnership list (``city=busan``,
    ``ordering=-established_on``: the city list orders by name, country or population) are left
    out: carried over, they were a 400 there (new-user probe)."""

    def get_redirect_url(self, *args, **kwargs):
        query = QueryDict(mutable=True)
        for name in self.request.GET:
            if CityListView.takes(name):
                query.setlist(name, self.request.GET.getlist(name))
        filters = CityListView.filterset_class(query, queryset=City.objects.none(), other_params=query.keys())
        for name in filters.form.errors if not filters.is_valid() else ():
            query.pop(name, None)
        if query.get("format", "") not in PAGE_EXPORT_FORMATS:  # ?format=json: the API's, not this page's
            query.pop("format", None)
        if page_number_error(query.get("page")):
            query.pop("page", None)
        url = reverse("registry:city-list")
        return f"{url}?{query.urlencode()}" if query else url


class CityListView(FilteredListMixin, ListView):
    """``/cities/``: every city in the registry with its partnerships, filtered by
    :class:`~registry.filters.CityFilter` (``q`` searches every name, ignoring case and accents)."""

    model = City
    filterset_class = CityFilter
    extra_params = ("show",)

    @classmethod
    def takes(cls, name: str) -> bool:
        """Whether the list reads the query parameter ``name`` (a filter, ``page``, ``format``,
        ``show``) or takes it to ignore it (a shared link's analytics: :func:`is_link_tracking`)."""
        return (
            name in cls.filterset_class.base_filters
            or name in (cls.page_kwarg, "format", *cls.extra_params)
            or (is_link_tracking(name))
        )

    @cached_property
    def home(self) -> City | None:
        return home_city()

    @property
    def show_all(self) -> bool:
        """``?show=all``: every city; otherwise the home city's partners (any signed partnership
        the reader may see, ended ones included; not a letter of intent alone), or every city
        when there is no home city."""
        return self.request.GET.get("show") == "all" or self.home is None

    def api_formats(self) -> set[str]:
        """The API's list of cities holds every city, so only the page of every city
        (``?show=all``) sends its formats there; the home city's partners stay this page."""
        return super().api_formats() if self.show_all else set()

    def get_base_queryset(self):
        user = self.request.user
        cities = City.objects.visible_to(user)
        if not self.show_all:
            cities = cities.partners_of(self.home, Partnership.objects.visible_to(user).signed())
        return cities

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visible = Partnership.objects.visible_to(self.request.user)
        visible.attach_to_cities(list(context["object_list"]), limit=PARTNERSHIPS_PER_CITY)
        context.update(show_all=self.show_all, home=self.home, partners_url=without(self.query, "show"))
        query = self.query
        query["show"] = "all"
        for name in ("page", "format"):
            query.pop(name, None)
        context["all_url"] = f"?{query.urlencode()}"
        context["suggestions"] = [] if context["object_list"] else self.suggestions(context["all_url"])
        context["partnership_downloads"] = self.partnership_downloads()
        return context

    @staticmethod
    def partnership_downloads() -> dict[str, str]:
        """The API's files of every partnership the reader may see, one per row with both cities'
        names (``{"csv": "/api/v1/partnerships/?format=csv&lang=ko", "xlsx": …}``), in the page's
        language. This page's own files have a row per city; a journalist found no way from the
        site to the partnerships' (new-user probe)."""
        path, language = reverse("api:partnership-list"), get_language()
        return {
            fmt: f"{path}?{urlencode({'format': fmt, LANGUAGE_PARAMETER: language})}" for fmt in PAGE_EXPORT_FORMATS
        }

    def suggestions(self, all_url: str) -> list[tuple[str, str]]:
        """Where else to look when no city matches, as ``(text, URL)``: the country a search names
        (``?q=카자흐스탄`` or ``Kazakhstan``: its page, when it has cities), and every city when only
        the home city's partners were searched (``?q=부산``). Found by a new user, who got "No city
        matches" and no pointer (helper-87). One query, only when nothing matched."""
        found = []
        words = self.request.GET.get("q", "").strip()
        code = countries.by_name(words, language=get_language()) or countries.by_name(words) if words else ""
        if isinstance(code, str) and code and City.objects.visible_to(self.request.user).filter(country=code).exists():
            name = Country(code).name
            found.append(
                (
                    _("“%(words)s” is a country: the cities of %(country)s") % {"words": words, "country": name},
                    reverse("registry:country-detail", kwargs={"code": code.lower()}),
                )
            )
        if not self.show_all:
            found.append(
                (_("Search every city, not only the partner cities of %(city)s") % {"city": self.home.name}, all_url)
            )
        return found


class CityDetailView(DetailView):
    """``/cities/<slug>/``: names, country and region, position on a small map, the history
    of its partnerships, agreements, events, delegations that visited, and sources."""

    model = City

    def get_queryset(self):
        user = self.request.user
        return City.objects.visible_to(user).prefetch_related(
            "names",
            cited_sources(),
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
        # other side) and its successor (an upgrade) with ``successor_visible``, in the same row;
        # one query for the rows, two for their sources and fields.
        partnerships = list(
            Partnership.objects.visible_to(user)
            .involving(city)
            .with_last_activity(user)
            .with_visibility(user, "successor")
            .select_related("city", "partner", "predecessor", "successor")
            .prefetch_related(
                cited_sources(), "fields", cited_sources("stages__sources"), cited_sources("claims__sources")
            )
            .order_by(F("established_on").asc(nulls_last=True), "id")
        )
        for partnership in partnerships:
            partnership.with_city = partnership.other(city)
        context["partnerships"] = partnerships
        home = home_city()
        # The home city's partnerships are many: its partner cities and countries today, counted
        # as the home page counts them (in force: not ended, not suspended), listed on /cities/.
        is_home = home is not None and home.pk == city.pk
        context["summary"] = network.cached_network_summary(city, timezone.localdate()) if is_home else None
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
    its events, its sources, and the relation that replaced it by an upgrade when the reader may
    see that one. 404 for a draft unless the reader may see drafts
    (:meth:`~registry.models.base.RegistryQuerySet.visible_to`)."""

    max_items = 50  # agreements, events and delegations shown

    def get_queryset(self):
        user = self.request.user
        return (
            Partnership.objects.visible_to(user)
            .with_visibility(user, "successor")  # the upgrade's partnership is linked only if the reader may see it
            .select_related("city", "partner", "predecessor", "successor")
            .prefetch_related(
                "fields",
                cited_sources(),
                "city__names",
                "partner__names",
                cited_sources("stages__sources"),
                cited_sources("claims__sources"),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partnership = self.object
        user = self.request.user
        events = Event.objects.visible_to(user).filter(partnership=partnership).select_related("city")
        home_side, partner_side = partnership.sides_from_home
        # The delegations that stopped in the city on the other side from the home city.
        stops = ItineraryStop.objects.filter(delegation=OuterRef("pk"), city=partner_side)
        took_part = events.filter(delegation=OuterRef("pk"))
        context.update(
            agreements=Agreement.objects.visible_to(user)
            .filter(partnership=partnership)
            .select_related("place")[: self.max_items],
            events=events[: self.max_items],
            delegations=Delegation.objects.visible_to(user).filter(Exists(stops) | Exists(took_part))[: self.max_items],
        )
        context.update(home_side=home_side, partner_side=partner_side)
        context["sides"] = [(_("City"), home_side), (_("Partner city"), partner_side)]
        markers = [m for city in (home_side, partner_side) if (m := maps.marker_for(city))]
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
    filter_form_class = CountryFilterForm
    csv_columns = exports.COUNTRIES

    def get_base_queryset(self):
        return City.objects.visible_to(self.request.user)

    def get_queryset(self):
        today = timezone.localdate()
        # An uncorrelated IN subquery (runs once) rather than EXISTS per city.
        partners_in_force = (
            Partnership.objects.visible_to(self.request.user).in_force_on(today).values(other=other_side("id"))
        )
        rows = (
            super()
            .get_queryset()
            .order_by()
            .values("country")
            .annotate(cities=Count("id"), partners=Count("id", filter=Q(pk__in=partners_in_force)))
        )
        names = country_names(get_language())  # django-countries' names in the active language (Country.name)
        result = []
        for row in rows:
            country = Country(row["country"])
            result.append(
                {
                    **row,
                    "country": country,
                    "name": names.get(country.code, ""),
                    "region": regions.region_of(country.code),
                    "subregion": regions.subregion_of(country.code),
                    "url": record_path("registry:country-detail", code=country.code.lower()),
                }
            )
        return sorted(result, key=lambda row: row["name"])


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
        # Each list as its filter ``?country=`` selects it (each model's ``for_country``).
        in_country = City.objects.visible_to(user).for_country(country.code)
        # Bounded: a page never grows with the table (the lists link to the full, filtered lists).
        cities = list(in_country[: self.max_rows])
        if not cities:
            raise Http404(_("No city of this country is in the registry."))
        Partnership.objects.visible_to(user).attach_to_cities(cities, limit=PARTNERSHIPS_PER_CITY)
        markers = maps.markers_for(cities)
        context.update(
            country=country,
            region=regions.region_of(country.code),
            subregion=regions.subregion_of(country.code),
            cities=cities,
            city_count=in_country.count(),
            map=maps.area_map(markers) if markers else None,
            agreements=Agreement.objects.visible_to(user)
            .for_country(country.code)
            .select_related("place")[: self.max_items],
            events=Event.objects.visible_to(user).for_country(country.code).select_related("city")[: self.max_items],
            delegations=Delegation.objects.visible_to(user).for_country(country.code)[: self.max_items],
        )
        return context
