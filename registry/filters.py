"""FilterSets shared by the public pages and the JSON API (django-filter).

One definition per list, used unchanged by the page and the API: every parameter is declared
and applied in the same place, by a queryset method of the model (``for_country``,
``in_region``, ``search``, ``in_force_on``, ``partners_of``). Every list understands the same
parameters where they make sense:

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
``ordering``           one of the listed fields, ``-`` for descending; ties are broken by the
                       primary key, so walking the pages returns every row once.
=====================  ========================================================================

Invalid values never raise: the form carries the error (the pages show it next to the
filter, the API answers 400 naming the parameter) and the other filters still apply. A query
parameter that is neither a filter nor one the caller reads itself (``page``, ``format``,
``page_size``: the FilterSet's ``other_params``) is an error under its own name, code
``unknown_parameter`` (:class:`FilterForm`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import cached_property

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from . import dates, regions
from .models import (
    Agreement,
    City,
    CooperationField,
    Delegation,
    Event,
    Organization,
    Partnership,
    Person,
    Source,
    home_city,
)

# --------------------------------------------------------------------------- the form


class FilterForm(forms.Form):
    """The form of every registry FilterSet (built by :meth:`RegistryFilterSet.get_form_class`).

    Besides its fields' errors, a query parameter that is neither one of its fields nor one of
    ``other_params`` (the names the caller reads itself) is an error under the parameter's own
    name, code ``unknown_parameter``: the pages show it and answer 400, the API answers 400
    ``{"errors": {"<name>": [{"message", "code"}]}}``.
    """

    other_params: frozenset[str] = frozenset()

    def clean(self):
        cleaned_data = super().clean()
        known = [*self.fields, *self.other_params]
        for name in self.data:
            if name not in known:
                error = ValidationError(
                    _("“%(name)s” is not a parameter of this list; it takes %(known)s."),
                    code="unknown_parameter",
                    params={"name": name, "known": ", ".join(sorted(known))},
                )
                # Not add_error(): that accepts only the names of fields.
                self._errors[name] = self.error_class([error], renderer=self.renderer)
        return cleaned_data


# --------------------------------------------------------------------------- country and region


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


def for_country(queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
    """The ``country`` filter of every list: the model's ``for_country(*codes)`` decides which
    country counts (a city's own, a partnership's partner's, any stop of an itinerary, ...)."""
    return queryset.for_country(*value)


class CountryCodesFilter(filters.MultipleChoiceFilter):
    """``country``: one or several ISO codes, applied by the queryset's ``for_country``."""

    field_class = CountryCodesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", lambda: list(countries))
        kwargs.setdefault("label", _("Country"))
        kwargs.setdefault("help_text", _("ISO 3166-1 alpha-2 code, e.g. KZ; several allowed."))
        kwargs.setdefault("method", for_country)
        super().__init__(*args, **kwargs)


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


def region_choices() -> list[tuple[str, str]]:
    """(slug, name) of every UN M49 area."""
    return [(region.slug, region.name()) for region in regions.all_regions()]


def in_region(queryset: QuerySet, name: str, value: str) -> QuerySet:
    """The ``region`` filter of every list: the model's ``in_region`` (its ``for_country`` over
    the countries of the UN M49 area ``value``, a slug)."""
    return queryset.in_region(regions.get_region(value))


class RegionFilter(filters.ChoiceFilter):
    """``region``: a UN M49 area by slug or code, applied by the queryset's ``in_region``."""

    field_class = RegionField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", region_choices)
        kwargs.setdefault("label", _("UN M49 region"))
        kwargs.setdefault("help_text", _("UN M49 region or sub-region slug, e.g. central-asia."))
        kwargs.setdefault("method", in_region)
        super().__init__(*args, **kwargs)
        self.extra["error_messages"] = {
            "invalid_choice": _("“%(value)s” is not a UN M49 region; use a slug such as central-asia.")
        }


# --------------------------------------------------------------------------- the other parameters


def search(queryset: QuerySet, name: str, value: str) -> QuerySet:
    """The ``q`` filter of every list: the model's ``search(query)`` decides what it matches."""
    return queryset.search(value)


DATE_HELP = _("A date as YYYY-MM-DD.")


def date_filter(label, **kwargs) -> filters.DateFilter:
    """A YYYY-MM-DD parameter; ``kwargs`` say how it applies (``field_name`` and
    ``lookup_expr``, or ``method``)."""
    return filters.DateFilter(
        label=label,
        help_text=DATE_HELP,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2022-09-21.")},
        validators=[dates.validate_in_range],
        **kwargs,
    )


def visible_cooperation_fields(request) -> QuerySet:
    """The cooperation fields the request's user may see (anyone's without a request)."""
    return CooperationField.objects.visible_to(getattr(request, "user", None))


def cooperation_field_filter(**kwargs) -> filters.ModelChoiceFilter:
    """``field``: a cooperation field by slug, among those the reader may see."""
    return filters.ModelChoiceFilter(
        queryset=visible_cooperation_fields,
        to_field_name="slug",
        label=_("Cooperation field"),
        help_text=_("Cooperation field slug, e.g. economy."),
        **kwargs,
    )


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


def _descending_label(label) -> str:
    return gettext("%s (descending)") % label


descending_label = lazy(_descending_label, str)


class RegistryOrderingFilter(filters.OrderingFilter):
    """``ordering``: the allow-listed parameter names, with translated labels; ``-`` for
    descending. The primary key, in the direction of the last field, breaks ties, so rows
    that share a value keep one order from page to page on every database, and empty values
    (a date not known, a relation not signed) come last in either direction on every database."""

    descending_fmt = _("%s (descending)")

    def __init__(self, *args, **kwargs):
        params = [param for _, param in kwargs.get("fields", ())]
        kwargs.setdefault("field_labels", {param: ORDERING_LABELS[param] for param in params})
        kwargs.setdefault("label", _("Order by"))
        super().__init__(*args, **kwargs)

    def build_choices(self, fields, labels):
        """django-filter's choices, with the descending labels translated when shown (it formats
        them once, at import, in English)."""
        choices = super().build_choices(fields, labels)
        ascending = {value: label for value, label in choices if not value.startswith("-")}
        return [
            (value, descending_label(ascending[value[1:]]) if value.startswith("-") else label)
            for value, label in choices
        ]

    def filter(self, qs, value):
        ordering = [self.get_ordering_value(param) for param in value or () if param]
        if not ordering:
            return qs
        expressions = [
            F(name[1:]).desc(nulls_last=True) if name.startswith("-") else F(name).asc(nulls_last=True)
            for name in ordering
        ]
        return qs.order_by(*expressions, "-pk" if ordering[-1].startswith("-") else "pk")


class RegistryFilterSet(filters.FilterSet):
    """Base of every FilterSet: ``q`` is a free-text search, applied by the model's ``search()``.

    ``other_params`` are the query parameters the caller reads itself (the page: ``page`` and
    ``format``; the API also ``page_size``); any other parameter that is not a filter is an
    error (:class:`FilterForm`).
    """

    q = filters.CharFilter(method=search, label=_("Search"), help_text=_("Words to find in names."))

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, other_params: Iterable[str] = ()):
        self.other_params = frozenset(other_params)
        super().__init__(data, queryset, request=request, prefix=prefix)

    def get_form_class(self):
        """A :class:`FilterForm` with a field per filter, knowing this FilterSet's ``other_params``."""
        fields = {name: filter_.field for name, filter_ in self.filters.items()}
        return type(f"{type(self).__name__}Form", (FilterForm,), {**fields, "other_params": self.other_params})


# --------------------------------------------------------------------------- partnerships


DORMANT_HELP = _(
    "true: relations not ended with no event, agreement or delegation for the office's number of years; "
    "false: the others."
)


def dormant_filter() -> filters.ChoiceFilter:
    """``dormant=true|false`` (any other value is an error), applied by the FilterSet's
    ``filter_dormant`` through :meth:`PartnershipQuerySet.with_last_activity`."""
    return filters.ChoiceFilter(
        choices=[("true", _("yes")), ("false", _("no"))],
        method="filter_dormant",
        label=_("Dormant"),
        help_text=DORMANT_HELP,
    )


class PartnershipFilter(RegistryFilterSet):
    """Partnerships, filtered by the partner city's country, region and names."""

    country = CountryCodesFilter()
    region = RegionFilter()
    kind = filters.ChoiceFilter(choices=Partnership.Kind.choices, label=_("Kind"))
    status = filters.ChoiceFilter(choices=Partnership.Status.choices, label=_("Status"))
    field = cooperation_field_filter(field_name="fields")
    city = filters.CharFilter(method="filter_city", label=_("City"), help_text=_("Slug of either city."))
    established_after = date_filter(_("Established on or after"), field_name="established_on", lookup_expr="gte")
    established_before = date_filter(_("Established on or before"), field_name="established_on", lookup_expr="lte")
    in_force_on = date_filter(_("In force on"), method="filter_in_force_on")
    dormant = dormant_filter()
    ordering = RegistryOrderingFilter(
        fields=(
            ("established_on", "established_on"),
            ("partner__name_en", "partner"),
            ("partner__country", "country"),
            ("kind", "kind"),
            ("status", "status"),
        ),
    )

    class Meta:
        model = Partnership
        fields = ["country", "region", "kind", "status", "field", "city"]

    def filter_city(self, queryset, name, value: str):
        city = City.objects.filter(slug=value).first()
        return queryset.involving(city) if city is not None else queryset.none()

    def filter_in_force_on(self, queryset, name, value: datetime.date):
        return queryset.in_force_on(value)

    def filter_dormant(self, queryset, name, value: bool):
        return queryset.with_last_activity(getattr(self.request, "user", None)).filter(dormant=value == "true")


# --------------------------------------------------------------------------- cities


class CityFilter(RegistryFilterSet):
    """Cities. ``kind``, ``status``, ``field``, ``established_*`` and ``in_force_on`` keep the
    partner cities of the home city (``REGISTRY_HOME_CITY``; any city's partners when there is
    none) with one published partnership meeting all of them at once, so ``?in_force_on=D``
    lists exactly the cities the network summary counts on D.

    Each of those filters narrows :attr:`partnerships` (kept on the FilterSet, starting from
    ``Partnership.objects.public()``) and keeps the cities that are partners through what is
    left (:meth:`CityQuerySet.partners_of`). The sets only shrink, so the last filter applied
    leaves the partners through the partnerships that meet every condition: a joint condition.
    """

    country = CountryCodesFilter()
    region = RegionFilter()
    kind = filters.ChoiceFilter(choices=Partnership.Kind.choices, method="filter_kind", label=_("Kind"))
    status = filters.ChoiceFilter(choices=Partnership.Status.choices, method="filter_status", label=_("Status"))
    field = cooperation_field_filter(field_name="partnerships__fields", method="filter_field")
    established_after = date_filter(_("Established on or after"), method="filter_established_after")
    established_before = date_filter(_("Established on or before"), method="filter_established_before")
    in_force_on = date_filter(_("In force on"), method="filter_in_force_on")
    dormant = dormant_filter()
    admin_level = filters.ChoiceFilter(choices=City.AdminLevel.choices, label=_("Administrative level"))
    ordering = RegistryOrderingFilter(
        fields=(("name_en", "name"), ("country", "country"), ("population", "population")),
    )

    class Meta:
        model = City
        fields = ["country", "region", "admin_level"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnerships = Partnership.objects.public().signed()  # a letter of intent makes no partner

    @cached_property
    def home(self) -> City | None:
        """The home city (one query, only when a partnership parameter is used)."""
        return home_city()

    def partners_through(self, queryset, partnerships):
        """Keep ``partnerships`` (a narrowing of :attr:`partnerships`) and the cities of
        ``queryset`` that are partners of the home city through them."""
        self.partnerships = partnerships
        return queryset.partners_of(self.home, partnerships)

    def filter_kind(self, queryset, name, value: str):
        return self.partners_through(queryset, self.partnerships.filter(kind=value))

    def filter_status(self, queryset, name, value: str):
        return self.partners_through(queryset, self.partnerships.filter(status=value))

    def filter_field(self, queryset, name, value: CooperationField):
        return self.partners_through(queryset, self.partnerships.filter(fields=value))

    def filter_established_after(self, queryset, name, value: datetime.date):
        return self.partners_through(queryset, self.partnerships.filter(established_on__gte=value))

    def filter_established_before(self, queryset, name, value: datetime.date):
        return self.partners_through(queryset, self.partnerships.filter(established_on__lte=value))

    def filter_in_force_on(self, queryset, name, value: datetime.date):
        return self.partners_through(queryset, self.partnerships.in_force_on(value))

    def filter_dormant(self, queryset, name, value: bool):
        # What the public sees: last activity from published records only.
        dormant = self.partnerships.with_last_activity(None).filter(dormant=value == "true")
        return self.partners_through(queryset, dormant)


# --------------------------------------------------------------------------- documents and events


class AgreementFilter(RegistryFilterSet):
    """Agreements; country and region are those of the place of signing or of the partner city."""

    country = CountryCodesFilter()
    region = RegionFilter()
    kind = filters.ChoiceFilter(choices=Agreement.Kind.choices, label=_("Kind"))
    field = cooperation_field_filter(field_name="fields")
    partnership = filters.NumberFilter(
        method="filter_partnership", label=_("Partnership id"), min_value=1, max_value=2**63 - 1
    )
    established_after = date_filter(_("Signed on or after"), field_name="signed_on", lookup_expr="gte")
    established_before = date_filter(_("Signed on or before"), field_name="signed_on", lookup_expr="lte")
    ordering = RegistryOrderingFilter(fields=(("signed_on", "signed_on"), ("title_en", "title")))

    class Meta:
        model = Agreement
        fields = ["country", "region", "kind", "field", "partnership"]

    def filter_partnership(self, queryset, name, value):
        """Agreements of the partnership ``value`` (an id) if the reader may see it: a draft's id
        selects nothing, as an unknown one does, so the parameter never reveals a draft."""
        visible = Partnership.objects.visible_to(getattr(self.request, "user", None))
        return queryset.filter(partnership__in=visible.filter(pk=value))


class EventFilter(RegistryFilterSet):
    """Events; country and region are those of the event's city."""

    country = CountryCodesFilter()
    region = RegionFilter()
    kind = filters.ChoiceFilter(choices=Event.Kind.choices, label=_("Kind"))
    established_after = date_filter(_("Starting on or after"), field_name="start_on", lookup_expr="gte")
    established_before = date_filter(_("Starting on or before"), field_name="start_on", lookup_expr="lte")
    delegation = filters.CharFilter(method="filter_delegation", label=_("Delegation slug"))
    ordering = RegistryOrderingFilter(fields=(("start_on", "start_on"), ("title_en", "title")))

    class Meta:
        model = Event
        fields = ["country", "region", "kind", "delegation"]

    def filter_delegation(self, queryset, name, value):
        """Events of the delegation whose slug is ``value`` if the reader may see it (a draft's
        slug selects nothing, as an unknown one does)."""
        visible = Delegation.objects.visible_to(getattr(self.request, "user", None))
        return queryset.filter(delegation__in=visible.filter(slug=value))


class DelegationFilter(RegistryFilterSet):
    """Delegations; country and region match any stop of the itinerary."""

    country = CountryCodesFilter()
    region = RegionFilter()
    kind = filters.ChoiceFilter(choices=Delegation.Kind.choices, label=_("Kind"))
    established_after = date_filter(_("Starting on or after"), field_name="start_on", lookup_expr="gte")
    established_before = date_filter(_("Starting on or before"), field_name="start_on", lookup_expr="lte")
    ordering = RegistryOrderingFilter(fields=(("start_on", "start_on"), ("name_en", "name")))

    class Meta:
        model = Delegation
        fields = ["country", "region", "kind"]


# --------------------------------------------------------------------------- reference lists


class OrganizationFilter(RegistryFilterSet):
    """Organizations, by the country they are based in and kind."""

    country = CountryCodesFilter()
    kind = filters.ChoiceFilter(choices=Organization.Kind.choices, label=_("Kind"))
    ordering = RegistryOrderingFilter(fields=(("name_en", "name"),))

    class Meta:
        model = Organization
        fields = ["country", "kind"]


class PersonFilter(RegistryFilterSet):
    """People, by name."""

    ordering = RegistryOrderingFilter(fields=(("name_en", "name"),))

    class Meta:
        model = Person
        fields = []


class SourceFilter(RegistryFilterSet):
    """Sources, by language (any case)."""

    language = filters.CharFilter(field_name="language", lookup_expr="iexact", label=_("Language"))
    ordering = RegistryOrderingFilter(fields=(("title", "title"), ("published_on", "published_on")))

    class Meta:
        model = Source
        fields = ["language"]


class CooperationFieldFilter(RegistryFilterSet):
    """Cooperation fields, by name or slug."""

    ordering = RegistryOrderingFilter(fields=(("name_en", "name"),))

    class Meta:
        model = CooperationField
        fields = []
