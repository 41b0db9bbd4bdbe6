"""FilterSets shared by the public pages and the JSON API (django-filter).

One definition per list, used unchanged by the page and the API: every parameter is declared
and applied in the same place, by a queryset method of the model (``for_country``,
``in_region``, ``search``, ``in_force_on``, ``partners_of``). Every list understands the same
parameters where they make sense:

=====================  ========================================================================
``country``            ISO 3166-1 alpha-2 code in upper or lower case (``KZ`` or ``kz``, not
                       ``Kz``); several by repeating it: ``?country=KZ&country=JP``. Anything
                       else (an unassigned code, ``KZ,JP``) is a validation error.
``region``             UN M49 area slug (``central-asia``, ``asia``) or three-digit code
                       (``143``), exactly as listed (``regions.all_regions()``).
``kind``               the model's kind (partnerships and cities: ``sister``/``friendship``).
``status``             partnership status: ``active``, ``suspended``, ``ended``.
``field``              cooperation field slug (``economy``).
``established_after``  on or after this date: partnerships' start, agreements' signing,
``established_before`` events' start, delegations' first day as their pages show it (their
                       own, else their itinerary's, else their visible events'); on or before
                       for ``_before``. ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: a year or
                       month is its first day after, its last day before
                       (``established_after=2020&established_before=2020``: the year).
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
``unknown_parameter`` (:class:`FilterForm`). Each parameter's field and filter, and that form,
are in :mod:`registry.filter_parameters`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import cached_property

import django_filters as filters
from django import forms
from django.db.models import F
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from .apps import listed_choices
from .filter_parameters import (
    LARGEST_NUMBER,
    CountryCodesFilter,
    FilterForm,
    RegionFilter,
    RegistryOrderingFilter,
    bound_filter,
    cooperation_field_filter,
    date_filter,
    in_readers_order,
    search,
)
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

# --------------------------------------------------------------------------- the base


DJANGO_INVALID_CHOICE = forms.ChoiceField.default_error_messages["invalid_choice"]


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

    @property
    def qs(self):
        """django-filter's result; unbound (a page with no parameter at all) it is not filtered,
        but still in the reader's order (:func:`in_readers_order`), as an empty ``ordering`` gives."""
        if not self.is_bound and not hasattr(self, "_qs"):
            self._qs = in_readers_order(super().qs)
        return super().qs

    def get_form_class(self):
        """A :class:`FilterForm` with a field per filter, knowing this FilterSet's ``other_params``."""
        fields = {name: filter_.field for name, filter_ in self.filters.items()}
        for field in fields.values():
            # A value not in a short list names the values it takes, as the models' fields do
            # (``?kind=twin`` said "Select a valid choice. twin is not one of the available choices.").
            default = field.error_messages.get("invalid_choice") == DJANGO_INVALID_CHOICE
            if default and isinstance(field, forms.ChoiceField) and (values := listed_choices(field.choices)):
                message = format_lazy(_("“%(value)s” is not one of: {values}."), values=values)
                field.error_messages = {**field.error_messages, "invalid_choice": message}
        return type(f"{type(self).__name__}Form", (FilterForm,), {**fields, "other_params": self.other_params})


# --------------------------------------------------------------------------- partnerships


DORMANT_HELP = _(
    "true: relations not ended with no event, agreement, delegation visit or stage for the office's "
    "number of years (the REGISTRY_DORMANT_YEARS setting, 3 by default); false: the others."
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
    """Partnerships, filtered and searched by the city on the other side from the home city
    (:func:`~registry.models.other_side`: the partner, or the stored ``city`` of a relation that
    names the home city as its partner): its country, region, names. ``ordering=partner|country``
    sorts by the stored partner, as the rows show it: sorting by the other side is a sort of the
    whole table (185 ms against 1.4 ms for a page of 50 among 50,000 on PostgreSQL, where the
    stored partner's name walks an index)."""

    country = CountryCodesFilter()
    region = RegionFilter()
    kind = filters.ChoiceFilter(choices=Partnership.Kind.choices, label=_("Kind"))
    status = filters.ChoiceFilter(choices=Partnership.Status.choices, label=_("Status"))
    field = cooperation_field_filter(field_name="fields")
    city = filters.CharFilter(method="filter_city", label=_("City"), help_text=_("Slug of either city."))
    established_after = bound_filter(
        _("Established on or after"), end=False, field_name="established_on", lookup_expr="gte"
    )
    established_before = bound_filter(
        _("Established on or before"), end=True, field_name="established_on", lookup_expr="lte"
    )
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

    def filter_dormant(self, queryset, name, value: str):
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
    kind = filters.ChoiceFilter(
        choices=Partnership.Kind.choices,
        method="filter_kind",
        label=_("Kind"),
        help_text=_(
            "Partner cities with a current relation of this kind; with a status or an in-force date, "
            "with a relation of this kind that has that status or was in force on that date."
        ),
    )
    status = filters.ChoiceFilter(choices=Partnership.Status.choices, method="filter_status", label=_("Status"))
    field = cooperation_field_filter(field_name="partnerships__fields", method="filter_field")
    established_after = bound_filter(_("Established on or after"), end=False, method="filter_established_after")
    established_before = bound_filter(_("Established on or before"), end=True, method="filter_established_before")
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
        partnerships = self.partnerships.filter(kind=value)
        if not (self.form.cleaned_data.get("status") or self.form.cleaned_data.get("in_force_on")):
            # "Friendship cities" are the current ones, as the home page counts them: a relation
            # that has ended (Fukuoka's 1989-2007 friendship) needs ?status=ended or a date.
            partnerships = partnerships.filter(ended_on__isnull=True)
        return self.partners_through(queryset, partnerships)

    def filter_status(self, queryset, name, value: str):
        return self.partners_through(queryset, self.partnerships.filter(status=value))

    def filter_field(self, queryset, name, value: str):
        selected = self.filters["field"].selected(value)
        return self.partners_through(queryset, self.partnerships.filter(fields__in=selected))

    def filter_established_after(self, queryset, name, value: datetime.date):
        return self.partners_through(queryset, self.partnerships.filter(established_on__gte=value))

    def filter_established_before(self, queryset, name, value: datetime.date):
        return self.partners_through(queryset, self.partnerships.filter(established_on__lte=value))

    def filter_in_force_on(self, queryset, name, value: datetime.date):
        return self.partners_through(queryset, self.partnerships.in_force_on(value))

    def filter_dormant(self, queryset, name, value: str):
        # What the public sees: last activity from published records only.
        # A city is dormant or not by its current relations: an ended one (Fukuoka's 1989-2007
        # friendship) is neither, so a city never shows under both answers.
        current = self.partnerships.filter(ended_on__isnull=True)
        dormant = current.with_last_activity(None).filter(dormant=value == "true")
        return self.partners_through(queryset, dormant)


# --------------------------------------------------------------------------- documents and events


class IdFilter(filters.NumberFilter):
    """A record's id: a whole number (``5``; not ``5.5`` or ``5e0``), as the schema's ``integer``."""

    field_class = forms.IntegerField


class AgreementFilter(RegistryFilterSet):
    """Agreements; country and region are those of the place of signing or of the partner city."""

    country = CountryCodesFilter()
    region = RegionFilter()
    kind = filters.ChoiceFilter(choices=Agreement.Kind.choices, label=_("Kind"))
    field = cooperation_field_filter(field_name="fields")
    partnership = IdFilter(
        method="filter_partnership", label=_("Partnership id"), min_value=1, max_value=LARGEST_NUMBER
    )
    established_after = bound_filter(_("Signed on or after"), end=False, field_name="signed_on", lookup_expr="gte")
    established_before = bound_filter(_("Signed on or before"), end=True, field_name="signed_on", lookup_expr="lte")
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
    established_after = bound_filter(_("Starting on or after"), end=False, field_name="start_on", lookup_expr="gte")
    established_before = bound_filter(_("Starting on or before"), end=True, field_name="start_on", lookup_expr="lte")
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


#: The dates a delegation's ``established_after``/``established_before`` read: the first day its page
#: shows (:meth:`~registry.models.DelegationQuerySet.with_travel_dates`).
DELEGATION_DATES_READ = gettext_noop(
    "Compared with the first day the delegation's page shows: its own start; else its itinerary's first "
    "arrival; else the earliest start of its events the reader may see, an event known to its month or "
    "year starting on that period's first day."
)


class DelegationFilter(RegistryFilterSet):
    """Delegations; country and region match any stop of the itinerary. The dates, the bounds
    ``established_after``/``established_before`` and ``ordering=start_on``, and the default order
    (the latest first, undated ones last, then by slug) read when a delegation travelled as its
    page and the list show it (``travel_start``, ``datetime.date``, of
    :meth:`~registry.models.DelegationQuerySet.with_travel_dates`: its own start, else its
    itinerary's first arrival, else its first visible event's start, stored as its period's first
    day), for the request's user: a draft event dates a delegation for staff only. They read only
    its own ``start_on``, which neither shipped delegation has: ``established_after=2022`` listed
    none of them, dated September 2022 by their events."""

    country = CountryCodesFilter()
    region = RegionFilter()
    kind = filters.ChoiceFilter(choices=Delegation.Kind.choices, label=_("Kind"))
    established_after = bound_filter(
        _("Starting on or after"), end=False, field_name="travel_start", lookup_expr="gte", reads=DELEGATION_DATES_READ
    )
    established_before = bound_filter(
        _("Starting on or before"), end=True, field_name="travel_start", lookup_expr="lte", reads=DELEGATION_DATES_READ
    )
    ordering = RegistryOrderingFilter(
        fields=(("travel_start", "start_on"), ("name_en", "name")),
        help_text=_(
            "start_on: by the first day the delegation's page shows (its own start, else its itinerary's, else "
            "its events'), undated delegations last; without an ordering, the latest first."
        ),
    )

    class Meta:
        model = Delegation
        fields = ["country", "region", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        self.queryset = self.queryset.with_travel_dates(user).order_by(F("travel_start").desc(nulls_last=True), "slug")


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
