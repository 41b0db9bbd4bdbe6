"""Delegations: members, an ordered itinerary and reported outcomes."""

from __future__ import annotations

import functools
from collections import Counter, defaultdict

from babel.numbers import list_currencies
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.utils.translation import gettext_lazy as _

from ..dates import validate_in_range
from ..paths import record_path
from ..text import localized, localized_language
from .agreements import Agreement
from .base import (
    TEXT_MAX,
    CountryQuerySetMixin,
    DatePrecision,
    PublishableQuerySet,
    RegistryModel,
    order_field,
    publication_field,
    rule,
)
from .cities import City
from .people import OrderedChildManager, Organization, ParticipantFields, Person, _person_or_role
from .search import WordSearchMixin
from .slugs import slug_rule
from .sources import SourcedModel

# The largest count of an outcome (65 local buyers): what an integer column holds on PostgreSQL,
# named here so that SQLite, whose columns take any 64-bit number, bounds it the same.
COUNT_MAX = 2_147_483_647


def validate_currency(value: str) -> None:
    """Raise ``ValidationError`` unless ``value`` is an ISO 4217 currency code (``USD``)."""
    if value and value not in list_currencies():
        raise ValidationError(
            _("“%(value)s” is not an ISO 4217 currency code (three capital letters, e.g. USD, KRW)."),
            code="invalid_currency",
            params={"value": value},
        )


class CurrencyField(models.CharField):
    """An ISO 4217 currency code (``str``, ``USD``), stored in capitals: ``usd`` or `` usd `` is
    read as ``USD`` (as a country code ``kz`` is ``KZ``) by every writer that validates the
    record (the admin, the API, imports); any other value that is no code is refused on the
    field (:func:`validate_currency`, code ``invalid_currency``)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip().upper() if isinstance(value, str) else value

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        validate_currency(value)


# --------------------------------------------------------------------------- delegations


class DelegationQuerySet(CountryQuerySetMixin, WordSearchMixin, PublishableQuerySet):
    """Delegations; drafts are visible only to staff (:meth:`visible_to`)."""

    search_fields = ("name_en", "name_ko", "purpose_en", "purpose_ko")

    def for_country(self, *codes: str) -> DelegationQuerySet:
        """Delegations with a stop of their itinerary in a city of any of the ISO alpha-2 ``codes``."""
        stops = ItineraryStop.objects.filter(
            delegation=OuterRef("pk"), city__country__in=[code.upper() for code in codes]
        )
        return self.filter(Exists(stops))

    def country_sets(self) -> Counter[frozenset[str]]:
        """How many of these delegations :meth:`for_country` places in each set of countries: the
        countries of their itinerary's stops; delegations without a stop are left out. One query
        of each delegation's distinct countries (a few rows a delegation), grouped here."""
        stops: defaultdict[int, set[str]] = defaultdict(set)
        for pk, country in self.order_by().values_list("pk", "itinerary__city__country").distinct():
            if country:
                stops[pk].add(country)
        return Counter(frozenset(codes) for codes in stops.values())

    #: The names :meth:`with_travel_dates` annotates, read together by the API's ``travel_dates``
    #: and the exports' columns of the same name.
    TRAVEL_DATES = ("travel_basis", "travel_start", "travel_start_precision", "travel_end", "travel_end_precision")
    #: The values of ``travel_basis`` (:meth:`with_travel_dates`), read by the API's schema.
    TRAVEL_BASES = ("own", "itinerary", "events")

    def with_travel_dates(self, user) -> DelegationQuerySet:
        """Annotate when each delegation travelled, the one rule read by its page and the list's
        Dates column (``views_records.travel_dates``), the date filters and the ordering of the
        delegations (``filters.DelegationFilter``), on the pages and in the API alike:

        - ``travel_basis`` (``"own"``, ``"itinerary"``, ``"events"`` or ``None``): where the dates
          come from: the delegation's own ``start_on``/``end_on`` when it has either; else its
          itinerary's dated stops; else the events of the delegation that ``user`` may see
          (``Event.objects.visible_to(user)``: a draft event gives an anonymous reader no date);
          ``None`` when nothing gives a date (then every other annotation is ``None``);
        - ``travel_start`` (``datetime.date``) and ``travel_start_precision`` (``"day"``,
          ``"month"`` or ``"year"``): the first day, the earliest own start (or end, alone),
          arrival (or departure, alone) or event start; an event's start at its precision, stored
          as its period's first day (September 2022 is 2022-09-01);
        - ``travel_end`` and ``travel_end_precision``: the last day likewise: the latest own end,
          departure, or event end (a day: an event's ``end_on`` has no precision of its own), an
          event without an end ending with its start's period (September 2022 ends on the 30th,
          so it ends after an event of 16 September).

        Own dates and stops are days. Where two events start (or end) in one period, the coarser
        date is shown (2022 rather than 1 January 2022). Correlated subqueries, the same SQL on
        SQLite and PostgreSQL, no query more. ``user`` must be the reader of the rows: a queryset
        already annotated is returned unchanged."""
        if "travel_start" in self.query.annotations:
            return self
        event_model = self.model._meta.get_field("events").related_model
        return self.annotate(**_travel_dates(self.model, event_model.objects.sees_everything(user)))


@functools.cache
def _travel_dates(model: type[models.Model], everything: bool) -> dict[str, models.Expression]:
    """The annotations of :meth:`DelegationQuerySet.with_travel_dates` for a reader who sees every
    event (``everything``) or only the public ones, built once per process: a queryset resolves
    its own copy of each (they are never changed), and building their eleven subqueries took
    most of the cost of the annotations (SQLite, the shipped data)."""
    stops = ItineraryStop.objects.filter(delegation=OuterRef("pk")).order_by()
    stops_first = stops.annotate(day=Coalesce("arrive_on", "depart_on")).filter(day__isnull=False)
    stops_last = stops.annotate(day=Coalesce("depart_on", "arrive_on")).filter(day__isnull=False)
    event_model = model._meta.get_field("events").related_model
    events = event_model.objects.visible_as(everything).filter(delegation=OuterRef("pk"))
    events = events.annotate(
        end_day=Coalesce("end_on", "start_on"),
        end_precision=Case(When(end_on__isnull=False, then=Value(DatePrecision.DAY)), default=F("start_precision")),
    )
    # The coarser first on a tie; an end's order: its period's last day, a month's taken as its
    # 31st and a year's as its 31 December (no day of a finer date is later within the period).
    coarse_first = Case(
        When(start_precision=DatePrecision.YEAR, then=Value(0)),
        When(start_precision=DatePrecision.MONTH, then=Value(1)),
        default=Value(2),
    )
    end_coarse_first = Case(
        When(end_precision=DatePrecision.YEAR, then=Value(0)),
        When(end_precision=DatePrecision.MONTH, then=Value(1)),
        default=Value(2),
    )
    period_last_day = (
        ExtractYear("end_day") * 10000
        + Case(When(end_precision=DatePrecision.YEAR, then=Value(12)), default=ExtractMonth("end_day")) * 100
        + Case(When(end_precision=DatePrecision.DAY, then=ExtractDay("end_day")), default=Value(31))
    )
    first_event = events.order_by("start_on", coarse_first, "pk")
    last_event = events.order_by(period_last_day.desc(), end_coarse_first, "pk")
    own = Q(start_on__isnull=False) | Q(end_on__isnull=False)
    itinerary_start = Subquery(stops_first.order_by("day").values("day")[:1], output_field=models.DateField())
    day = Value(DatePrecision.DAY)
    own_basis, itinerary_basis, events_basis = DelegationQuerySet.TRAVEL_BASES
    return dict(
        travel_start=Coalesce(
            "start_on",
            "end_on",
            itinerary_start,
            Subquery(first_event.values("start_on")[:1]),
            output_field=models.DateField(),
        ),
        travel_end=Coalesce(
            "end_on",
            "start_on",
            Subquery(stops_last.order_by("-day").values("day")[:1], output_field=models.DateField()),
            Subquery(last_event.values("end_day")[:1], output_field=models.DateField()),
            output_field=models.DateField(),
        ),
        travel_basis=Case(
            When(own, then=Value(own_basis)),
            When(Q(Exists(stops_first)), then=Value(itinerary_basis)),
            When(Q(Exists(events)), then=Value(events_basis)),
            default=None,
            output_field=models.CharField(),
        ),
        travel_start_precision=Case(
            When(own | Q(Exists(stops_first)), then=day),
            default=Subquery(first_event.values("start_precision")[:1]),
            output_field=models.CharField(),
        ),
        travel_end_precision=Case(
            When(own | Q(Exists(stops_first)), then=day),
            default=Subquery(last_event.values("end_precision")[:1]),
            output_field=models.CharField(),
        ),
    )


class Delegation(SourcedModel):
    """A group that travelled: official, citizens', trade or cultural delegation."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("official delegation")
        CITIZENS = "citizens", _("citizens' delegation")
        TRADE = "trade", _("trade delegation")
        CULTURAL = "cultural", _("cultural delegation")
        OTHER = "other", _("other")

    name_en = models.CharField(_("name (English)"), max_length=300)
    name_ko = models.CharField(_("name (Korean)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    organizer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegations_organized",
        verbose_name=_("organizer"),
    )
    leader = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegations_led",
        verbose_name=_("leader"),
    )
    travelled_with = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accompanying",
        verbose_name=_("travelled with"),
        help_text=_("The delegation this one went together with."),
    )
    purpose_en = models.TextField(_("purpose (English)"), max_length=TEXT_MAX, blank=True)
    purpose_ko = models.TextField(_("purpose (Korean)"), max_length=TEXT_MAX, blank=True)
    start_on = models.DateField(_("start"), null=True, blank=True, validators=[validate_in_range])
    end_on = models.DateField(_("end"), null=True, blank=True, validators=[validate_in_range])
    publication = publication_field()

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["-start_on", "slug"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        indexes = [
            models.Index(fields=["publication", "-start_on", "slug"], name="delegation_list_idx"),
            models.Index(fields=["publication", "updated_at"], name="delegation_changed_idx"),
        ]
        constraints = [
            slug_rule("delegation"),
            rule(
                "delegation_ends_after_start",
                Q(start_on__isnull=True) | Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                _("A delegation cannot end before it starts."),
                "end_on",
            ),
            rule(
                "delegation_not_with_itself",
                Q(travelled_with__isnull=True) | ~Q(travelled_with=F("id")),
                _("A delegation cannot travel with itself."),
                "travelled_with",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return record_path("registry:delegation-detail", slug=self.slug)

    @property
    def name(self) -> str:
        """Name in the active language."""
        return localized(self, "name")

    @property
    def purpose(self) -> str:
        """Purpose in the active language."""
        return localized(self, "purpose")


class DelegationMemberManager(OrderedChildManager):
    parent_field = "delegation"


class DelegationMember(ParticipantFields):
    """A member of a delegation: a person, or a role such as “business people”."""

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="members", verbose_name=_("delegation")
    )

    objects = DelegationMemberManager()

    class Meta:
        ordering = ["delegation", "order", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            _person_or_role("delegationmember"),
            models.UniqueConstraint(fields=["delegation", "order"], name="delegationmember_order_unique"),
        ]

    def natural_key(self):
        return (self.order, self.delegation.slug)

    natural_key.dependencies = ["registry.delegation", "registry.person", "registry.organization"]


class ItineraryStop(RegistryModel):
    """One stop of a delegation's itinerary, in order."""

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="itinerary", verbose_name=_("delegation")
    )
    order = order_field(help_text=_("1 for the first stop."))
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="itinerary_stops", verbose_name=_("city"))
    arrive_on = models.DateField(_("arrival"), null=True, blank=True, validators=[validate_in_range])
    depart_on = models.DateField(_("departure"), null=True, blank=True, validators=[validate_in_range])
    purpose_en = models.TextField(_("purpose (English)"), max_length=TEXT_MAX, blank=True)
    purpose_ko = models.TextField(_("purpose (Korean)"), max_length=TEXT_MAX, blank=True)

    objects = DelegationMemberManager()

    class Meta:
        ordering = ["delegation", "order"]
        verbose_name = _("itinerary stop")
        verbose_name_plural = _("itinerary")
        constraints = [
            models.UniqueConstraint(
                fields=["delegation", "order"],
                name="itinerarystop_order_unique",
                violation_error_message=_("Each stop of a delegation needs its own order number."),
            ),
            rule(
                "itinerarystop_departs_after_arrival",
                Q(arrive_on__isnull=True) | Q(depart_on__isnull=True) | Q(depart_on__gte=F("arrive_on")),
                _("Departure cannot be before arrival."),
                "depart_on",
            ),
        ]

    def __str__(self):
        """The stop as “2022 Busan trade delegation, stop 1: Almaty”: the delegation is named, so a list of
        stops from several delegations (the delete page of a city that stops protect) says
        whose each is; it read "1. Almaty" twice (helper-106)."""
        return _("%(delegation)s, stop %(order)s: %(city)s") % {
            "delegation": self.delegation,
            "order": self.order,
            "city": self.city,
        }

    def clean(self):
        """A stop lies within its delegation's dates where both are known: arrival not before the
        delegation starts, departure not after it ends. Raises ``ValidationError`` on
        ``arrive_on``/``depart_on`` (code ``stop_outside_delegation``)."""
        super().clean()
        try:
            delegation = self.delegation
        except Delegation.DoesNotExist:  # not attached yet: the delegation's own form reports it
            return
        errors = {}
        start, end = delegation.start_on, delegation.end_on
        for field, day in (("arrive_on", self.arrive_on), ("depart_on", self.depart_on)):
            if day is not None and ((start is not None and day < start) or (end is not None and day > end)):
                errors[field] = ValidationError(
                    _("The delegation runs from %(start)s to %(end)s: a stop lies within those dates."),
                    code="stop_outside_delegation",
                    params={"start": start or "…", "end": end or "…"},
                )
        if errors:
            raise ValidationError(errors)

    def natural_key(self):
        return (self.order, self.delegation.slug)

    natural_key.dependencies = ["registry.delegation", "registry.city"]

    @property
    def purpose(self) -> str:
        """Purpose in the active language."""
        return localized(self, "purpose")


class Outcome(RegistryModel):
    """A result a delegation reports: e.g. “more than USD 3,850,000 in export
    consultations with 65 local buyers”. ``amount`` is in ``currency`` (ISO 4217)."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("agreement signed")
        EXPORT_CONSULTATION = "export_consultation", _("export consultations")
        CONTRACT = "contract", _("contracts")
        INVESTMENT = "investment", _("investment")
        PROMOTION = "promotion", _("promotion")
        EXCHANGE = "exchange", _("exchange")
        OTHER = "other", _("other")

    class Qualifier(models.TextChoices):
        EXACT = "exact", _("exactly")
        MORE_THAN = "more_than", _("more than")
        AT_LEAST = "at_least", _("at least")
        ABOUT = "about", _("about")
        UP_TO = "up_to", _("up to")
        LESS_THAN = "less_than", _("less than")

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("delegation")
    )
    order = order_field(default=1)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    description_en = models.TextField(_("description (English)"), max_length=TEXT_MAX)
    description_ko = models.TextField(_("description (Korean)"), max_length=TEXT_MAX, blank=True)
    amount = models.DecimalField(
        _("amount"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Money amount in the currency below; not negative."),
    )
    currency = CurrencyField(
        _("currency"),
        max_length=3,
        blank=True,
        help_text=_("ISO 4217 code, e.g. USD (capitals or not)."),
    )
    amount_qualifier = models.CharField(
        _("qualifier"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT
    )
    count = models.PositiveIntegerField(
        _("count"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(COUNT_MAX)],
        help_text=_("e.g. 65 (local buyers)."),
    )
    count_unit = models.CharField(
        _("unit of the count"), max_length=100, blank=True, help_text=_("e.g. “local buyers”.")
    )
    count_unit_ko = models.CharField(
        _("unit of the count (Korean)"),
        max_length=100,
        blank=True,
        help_text=_("Shown on Korean pages; where empty, the English one is shown."),
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outcomes",
        verbose_name=_("agreement"),
    )

    objects = DelegationMemberManager()

    class Meta:
        ordering = ["delegation", "order", "id"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(fields=["delegation", "order"], name="outcome_order_unique"),
            rule(
                "outcome_amount_not_negative",
                Q(amount__isnull=True) | Q(amount__gte=0),
                _("An amount cannot be negative."),
                "amount",
            ),
            rule(
                "outcome_amount_has_currency",
                Q(amount__isnull=True, currency="")
                | (Q(amount__isnull=False) & Q(currency__length=3, currency__gte="AAA", currency__lte="ZZZ")),
                _("An amount needs an ISO 4217 currency code (three capital letters), and a currency needs an amount."),
                "currency",
            ),
        ]

    def __str__(self):
        return self.description

    def natural_key(self):
        return (self.order, self.delegation.slug)

    natural_key.dependencies = ["registry.delegation", "registry.agreement"]

    @property
    def description(self) -> str:
        """Description in the active language."""
        return localized(self, "description")

    @property
    def count_unit_localized(self) -> str:
        """The count's unit in the active language: ``count_unit_ko`` on Korean pages when filled,
        else ``count_unit``."""
        return localized(self, "count_unit")

    @property
    def count_unit_language(self) -> str:
        """BCP 47 tag of :attr:`count_unit_localized` (``en`` for the English fallback)."""
        return localized_language(self, "count_unit")
