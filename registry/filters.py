"""FilterSets shared by the public pages and the JSON API (django-filter).

One definition per list. Every list understands the same parameters where they make sense:

=====================  ========================================================================
``country``            ISO 3166-1 alpha-2 code, any case; several as ``?country=kz&country=jp``
                       or ``?country=kz,jp``. Unknown codes are a validation error.
``region``             UN M49 area slug (``central-asia``, ``asia``) or code (``143``).
``kind``               the model's kind (partnerships and cities: ``sister``/``friendship``).
``status``             partnership status: ``active``, ``suspended``, ``ended``.
``field``              cooperation field slug (``economy``).
``established_after``  on or after this date (YYYY-MM-DD): partnerships' start, agreements'
``established_before`` signing, events' start; on or before for ``_before``.
``in_force_on``        partnerships in force on this date (see ``in_force_on()``).
``q``                  words matched in names (English, Korean, native, former, aliases),
                       ignoring case and accents; titles and summaries for documents.
``ordering``           one of the listed fields, ``-`` for descending.
=====================  ========================================================================

Invalid values never raise: the form carries the error (the pages show it next to the
filter, the API answers 400 naming the parameter) and the other filters still apply.
"""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from . import regions
from .models import (
    Agreement,
    City,
    CooperationField,
    Delegation,
    Event,
    ItineraryStop,
    Organization,
    Partnership,
    Person,
    Source,
    home_city,
)
from .text import MAX_SEARCH_WORDS, search_words


class CountryCodesField(forms.MultipleChoiceField):
    """Several ISO 3166-1 alpha-2 codes, any case, repeated or comma-separated."""

    default_error_messages = {
        "invalid_choice": _("“%(value)s” is not an ISO 3166-1 alpha-2 country code, e.g. KZ."),
    }

    def to_python(self, value):
        values = super().to_python(value)
        codes = []
        for item in values:
            codes += [part.strip().upper() for part in item.split(",") if part.strip()]
        return codes


class CountryCodesFilter(filters.MultipleChoiceFilter):
    """Filter on a country field by one or several ISO codes (``field_name`` is the field)."""

    field_class = CountryCodesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", lambda: list(countries))
        kwargs.setdefault("label", _("Country"))
        kwargs.setdefault("help_text", _("ISO 3166-1 alpha-2 code, e.g. KZ; several allowed."))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return qs.filter(**{f"{self.field_name}__in": value}) if value else qs


class RegionField(forms.ChoiceField):
    """A UN M49 area, given by slug in any case or by its three-digit code."""

    def to_python(self, value):
        value = super().to_python(value)
        if value:
            try:
                return regions.get_region(value).slug
            except KeyError:
                return value
        return value


def region_choices():
    return [(region.slug, region.name()) for region in regions.all_regions()]


class RegionFilter(filters.ChoiceFilter):
    """Filter on a country field by UN M49 area slug or code (``field_name`` is the country field)."""

    field_class = RegionField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", region_choices)
        kwargs.setdefault("label", _("UN M49 region"))
        kwargs.setdefault("help_text", _("UN M49 region or sub-region slug, e.g. central-asia."))
        super().__init__(*args, **kwargs)
        self.extra["error_messages"] = {
            "invalid_choice": _("“%(value)s” is not a UN M49 region; use a slug such as central-asia.")
        }

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": regions.countries_in(regions.get_region(value))})


def search_filter(field: str):
    """A ``q`` filter matching every folded word in ``field`` (a ``search_text`` column)."""

    def method(queryset, name, value):
        for word in search_words(value):
            queryset = queryset.filter(**{f"{field}__contains": word})
        return queryset

    return method


def text_search(*fields: str):
    """A ``q`` filter matching every word in any of ``fields`` (case-insensitive)."""

    def method(queryset, name, value):
        for word in value[:1000].split()[:MAX_SEARCH_WORDS]:
            condition = Q()
            for field in fields:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset

    return method


DATE_HELP = _("A date as YYYY-MM-DD.")

ORDERING_LABELS = {
    "name": _("Name"),
    "title": _("Title"),
    "country": _("Country"),
    "population": _("Population"),
    "partner": _("Partner city"),
    "kind": _("Kind"),
    "status": _("Status"),
    "established_on": _("Date established"),
    "signed_on": _("Date signed"),
    "start_on": _("Start date"),
    "published_on": _("Date published"),
}


class RegistryOrderingFilter(filters.OrderingFilter):
    """``ordering``: the allow-listed parameter names, with translated labels; ``-`` for descending."""

    descending_fmt = _("%s (descending)")

    def __init__(self, *args, **kwargs):
        params = [param for _, param in kwargs.get("fields", ())]
        kwargs.setdefault("field_labels", {param: ORDERING_LABELS[param] for param in params})
        kwargs.setdefault("label", _("Order by"))
        super().__init__(*args, **kwargs)


def date_filter(field: str, lookup: str, label) -> filters.DateFilter:
    return filters.DateFilter(
        field_name=field,
        lookup_expr=lookup,
        label=label,
        help_text=DATE_HELP,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2022-09-21.")},
    )


class RegistryFilterSet(filters.FilterSet):
    """Base: ``q`` is a free-text search; subclasses define what it matches."""

    q = filters.CharFilter(method="filter_q", label=_("Search"), help_text=_("Words to find in names."))

    def filter_q(self, queryset, name, value):
        return queryset


# --------------------------------------------------------------------------- partnerships


class PartnershipFilter(RegistryFilterSet):
    """Partnerships, filtered by the partner city's country and region."""

    country = CountryCodesFilter(field_name="partner__country")
    region = RegionFilter(field_name="partner__country")
    kind = filters.ChoiceFilter(choices=Partnership.Kind.choices, label=_("Kind"))
    status = filters.ChoiceFilter(choices=Partnership.Status.choices, label=_("Status"))
    field = filters.ModelChoiceFilter(
        field_name="fields",
        queryset=CooperationField.objects.all(),
        to_field_name="slug",
        label=_("Cooperation field"),
        help_text=_("Cooperation field slug, e.g. economy."),
    )
    city = filters.CharFilter(method="filter_city", label=_("City"), help_text=_("Slug of either city."))
    established_after = date_filter("established_on", "gte", _("Established on or after"))
    established_before = date_filter("established_on", "lte", _("Established on or before"))
    in_force_on = filters.DateFilter(
        method="filter_in_force_on",
        label=_("In force on"),
        help_text=DATE_HELP,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2022-09-21.")},
    )
    ordering = RegistryOrderingFilter(
        fields=(
            ("established_on", "established_on"),
            ("partner__name_en", "partner"),
            ("partner__country", "country"),
            ("kind", "kind"),
            ("status", "status"),
        ),
        label=_("Order by"),
    )

    class Meta:
        model = Partnership
        fields = ["country", "region", "kind", "status", "field", "city"]

    def filter_q(self, queryset, name, value):
        return search_filter("partner__search_text")(queryset, name, value)

    def filter_city(self, queryset, name, value):
        return queryset.filter(Q(city__slug=value) | Q(partner__slug=value))

    def filter_in_force_on(self, queryset, name, value):
        return queryset.in_force_on(value)


# --------------------------------------------------------------------------- cities


class CityFilter(RegistryFilterSet):
    """Cities; ``kind``, ``status``, ``field``, ``established_*`` and ``in_force_on`` keep the
    partner cities of the home city (``REGISTRY_HOME_CITY``; any city's partners when there is
    none) with one published partnership meeting all of them at once, so
    ``?in_force_on=D`` lists exactly the cities the network summary counts on D."""

    country = CountryCodesFilter(field_name="country")
    region = RegionFilter(field_name="country")
    kind = filters.ChoiceFilter(choices=Partnership.Kind.choices, method="filter_partnership", label=_("Kind"))
    status = filters.ChoiceFilter(choices=Partnership.Status.choices, method="filter_partnership", label=_("Status"))
    field = filters.ModelChoiceFilter(
        field_name="partnerships__fields",  # for the API schema only: filtered in filter_queryset()
        queryset=CooperationField.objects.all(),
        to_field_name="slug",
        method="filter_partnership",
        label=_("Cooperation field"),
    )
    established_after = filters.DateFilter(
        method="filter_partnership", label=_("Established on or after"), input_formats=["%Y-%m-%d"]
    )
    established_before = filters.DateFilter(
        method="filter_partnership", label=_("Established on or before"), input_formats=["%Y-%m-%d"]
    )
    in_force_on = filters.DateFilter(method="filter_partnership", label=_("In force on"), input_formats=["%Y-%m-%d"])
    admin_level = filters.ChoiceFilter(choices=City.AdminLevel.choices, label=_("Administrative level"))
    ordering = RegistryOrderingFilter(
        fields=(("name_en", "name"), ("country", "country"), ("population", "population")),
        label=_("Order by"),
    )

    PARTNERSHIP_PARAMS = ("kind", "status", "field", "established_after", "established_before", "in_force_on")

    class Meta:
        model = City
        fields = ["country", "region", "admin_level"]

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_partnership(self, queryset, name, value):
        return queryset  # applied together in filter_queryset()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = {k: v for k, v in self.form.cleaned_data.items() if k in self.PARTNERSHIP_PARAMS and v}
        if not data:
            return queryset
        partnerships = Partnership.objects.public()
        if "kind" in data:
            partnerships = partnerships.filter(kind=data["kind"])
        if "status" in data:
            partnerships = partnerships.filter(status=data["status"])
        if "field" in data:
            partnerships = partnerships.filter(fields=data["field"])
        if "established_after" in data:
            partnerships = partnerships.filter(established_on__gte=data["established_after"])
        if "established_before" in data:
            partnerships = partnerships.filter(established_on__lte=data["established_before"])
        if "in_force_on" in data:
            partnerships = partnerships.in_force_on(data["in_force_on"])
        # Partner cities of the home city (as the home page counts them), whichever side each
        # partnership names it on; without a home city, either side of any partnership. Two
        # uncorrelated IN subqueries: each runs once, whatever the number of cities.
        home = home_city()
        if home is not None:
            named_as_partner = partnerships.filter(city=home).values("partner_id")
            named_as_city = partnerships.filter(partner=home).values("city_id")
        else:
            named_as_partner = partnerships.values("partner_id")
            named_as_city = partnerships.values("city_id")
        return queryset.filter(Q(pk__in=named_as_partner) | Q(pk__in=named_as_city))


# --------------------------------------------------------------------------- documents and events


class AgreementFilter(RegistryFilterSet):
    """Agreements; country and region are those of the place of signing or of the partner city."""

    country = CountryCodesFilter(method="filter_country")
    region = RegionFilter(method="filter_region")
    kind = filters.ChoiceFilter(choices=Agreement.Kind.choices, label=_("Kind"))
    field = filters.ModelChoiceFilter(
        field_name="fields", queryset=CooperationField.objects.all(), to_field_name="slug", label=_("Cooperation field")
    )
    partnership = filters.NumberFilter(
        field_name="partnership", label=_("Partnership id"), min_value=1, max_value=2**63 - 1
    )
    established_after = date_filter("signed_on", "gte", _("Signed on or after"))
    established_before = date_filter("signed_on", "lte", _("Signed on or before"))
    ordering = RegistryOrderingFilter(fields=(("signed_on", "signed_on"), ("title_en", "title")), label=_("Order by"))

    class Meta:
        model = Agreement
        fields = ["country", "region", "kind", "field", "partnership"]

    def filter_q(self, queryset, name, value):
        return text_search("title_en", "title_ko", "summary_en", "summary_ko", "venue")(queryset, name, value)

    def filter_country(self, queryset, name, value: list[str]):
        if not value:
            return queryset
        return queryset.filter(Q(place__country__in=value) | Q(partnership__partner__country__in=value)).distinct()

    def filter_region(self, queryset, name, value: str):
        codes = regions.countries_in(regions.get_region(value))
        return queryset.filter(Q(place__country__in=codes) | Q(partnership__partner__country__in=codes)).distinct()


class EventFilter(RegistryFilterSet):
    """Events; country and region are those of the event's city."""

    country = CountryCodesFilter(field_name="city__country")
    region = RegionFilter(field_name="city__country")
    kind = filters.ChoiceFilter(choices=Event.Kind.choices, label=_("Kind"))
    established_after = date_filter("start_on", "gte", _("Starting on or after"))
    established_before = date_filter("start_on", "lte", _("Starting on or before"))
    delegation = filters.CharFilter(field_name="delegation__slug", label=_("Delegation slug"))
    ordering = RegistryOrderingFilter(fields=(("start_on", "start_on"), ("title_en", "title")), label=_("Order by"))

    class Meta:
        model = Event
        fields = ["country", "region", "kind", "delegation"]

    def filter_q(self, queryset, name, value):
        return text_search("title_en", "title_ko", "summary_en", "summary_ko", "venue")(queryset, name, value)


class DelegationFilter(RegistryFilterSet):
    """Delegations; country and region match any stop of the itinerary."""

    country = CountryCodesFilter(method="filter_country")
    region = RegionFilter(method="filter_region")
    kind = filters.ChoiceFilter(choices=Delegation.Kind.choices, label=_("Kind"))
    established_after = date_filter("start_on", "gte", _("Starting on or after"))
    established_before = date_filter("start_on", "lte", _("Starting on or before"))
    ordering = RegistryOrderingFilter(fields=(("start_on", "start_on"), ("name_en", "name")), label=_("Order by"))

    class Meta:
        model = Delegation
        fields = ["country", "region", "kind"]

    def filter_q(self, queryset, name, value):
        return text_search("name_en", "name_ko", "purpose_en", "purpose_ko")(queryset, name, value)

    def filter_country(self, queryset, name, value: list[str]):
        if not value:
            return queryset
        stops = ItineraryStop.objects.filter(delegation=OuterRef("pk"), city__country__in=value)
        return queryset.filter(Exists(stops))

    def filter_region(self, queryset, name, value: str):
        codes = regions.countries_in(regions.get_region(value))
        return self.filter_country(queryset, name, list(codes))


# --------------------------------------------------------------------------- reference lists


class OrganizationFilter(RegistryFilterSet):
    country = CountryCodesFilter(field_name="country")
    kind = filters.ChoiceFilter(choices=Organization.Kind.choices, label=_("Kind"))
    ordering = RegistryOrderingFilter(fields=(("name_en", "name"),), label=_("Order by"))

    class Meta:
        model = Organization
        fields = ["country", "kind"]

    def filter_q(self, queryset, name, value):
        return text_search("name_en", "name_ko", "name_native")(queryset, name, value)


class PersonFilter(RegistryFilterSet):
    ordering = RegistryOrderingFilter(fields=(("name_en", "name"),), label=_("Order by"))

    class Meta:
        model = Person
        fields = []

    def filter_q(self, queryset, name, value):
        return text_search("name_en", "name_ko", "name_native")(queryset, name, value)


class SourceFilter(RegistryFilterSet):
    language = filters.CharFilter(field_name="language", lookup_expr="iexact", label=_("Language"))
    ordering = RegistryOrderingFilter(
        fields=(("title", "title"), ("published_on", "published_on")), label=_("Order by")
    )

    class Meta:
        model = Source
        fields = ["language"]

    def filter_q(self, queryset, name, value):
        return text_search("title", "publisher", "url")(queryset, name, value)


class CooperationFieldFilter(RegistryFilterSet):
    ordering = RegistryOrderingFilter(fields=(("name_en", "name"),), label=_("Order by"))

    class Meta:
        model = CooperationField
        fields = []

    def filter_q(self, queryset, name, value):
        return text_search("name_en", "name_ko", "slug")(queryset, name, value)
