"""Partnerships (sister city, friendship city) and the cooperation fields they name."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest, Least
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..dates import add_years
from ..text import localized
from .base import (
    TEXT_MAX,
    Confidence,
    CountryQuerySetMixin,
    DatePrecision,
    PublishableMixin,
    ReferencedByManyMixin,
    RegistryModel,
    RegistryQuerySet,
    RemarksModel,
    SluggedModel,
    SluggedQuerySet,
    WordSearchMixin,
    publication_field,
    rule,
    staff_notes_field,
    truncate_to_precision,
    unique,
)
from .cities import City
from .sources import Source

# --------------------------------------------------------------------------- reference


class CooperationFieldQuerySet(WordSearchMixin, SluggedQuerySet):
    """Cooperation fields; every one is public."""

    search_fields = ("name_en", "name_ko", "slug")


class CooperationField(ReferencedByManyMixin, SluggedModel):
    """A field of cooperation named in agreements: economy, culture, tourism, ..."""

    name_en = models.CharField(_("name (English)"), max_length=100, unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=100, blank=True)

    objects = CooperationFieldQuerySet.as_manager()

    class Meta:
        ordering = ["name_en", "slug"]
        verbose_name = _("cooperation field")
        verbose_name_plural = _("cooperation fields")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """Name in the active language."""
        return localized(self, "name")


# --------------------------------------------------------------------------- partnerships


class PartnershipQuerySet(CountryQuerySetMixin, PublishableMixin, RegistryQuerySet):
    """Reusable filters for partnerships; drafts are visible only to staff (:meth:`visible_to`)."""

    def in_force_on(self, day: datetime.date) -> PartnershipQuerySet:
        """Partnerships in force on ``day``: established on or before it and not ended by it.

        A date known only to the year counts from 1 January of that year (and one known to
        the month from the first of the month), because that is how it is stored. A
        partnership that ended on ``day`` is no longer in force on ``day``. Suspended
        partnerships have not ended and so are in force.
        """
        return self.filter(Q(established_on__lte=day), Q(ended_on__isnull=True) | Q(ended_on__gt=day))

    def with_last_activity(self, user, *, on: datetime.date | None = None) -> PartnershipQuerySet:
        """Annotate ``last_activity`` (a date) and ``dormant`` (a boolean), computed in the database.

        ``last_activity`` is the latest of the partnership's establishment and each term of
        :func:`activity_terms` that ``user`` may see (events of the partnership by start,
        agreements of it by signing, delegations by their stop in the partner city): one
        correlated subquery per term, no query per row. ``dormant``: not ended, and no activity
        for ``settings.REGISTRY_DORMANT_YEARS`` years before ``on`` (today by default), i.e.
        ``last_activity`` earlier than that many years before ``on``. Idempotent.
        """
        if "last_activity" in self.query.annotations:
            return self
        since = F("established_on")
        latest = Greatest(since, *(Coalesce(term, since) for term in activity_terms(user)))
        cutoff = add_years(on or datetime.date.today(), -settings.REGISTRY_DORMANT_YEARS)
        return self.annotate(last_activity=latest).annotate(
            dormant=ExpressionWrapper(
                Q(ended_on__isnull=True, last_activity__lt=cutoff), output_field=models.BooleanField()
            )
        )

    def involving(self, city: City) -> PartnershipQuerySet:
        """Partnerships in which ``city`` is either side."""
        return self.filter(Q(city=city) | Q(partner=city))

    def for_country(self, *codes: str) -> PartnershipQuerySet:
        """Partnerships whose partner city is in any of the ISO alpha-2 ``codes``."""
        return self.filter(partner__country__in=[code.upper() for code in codes])

    def search(self, query: str) -> PartnershipQuerySet:
        """Partnerships whose partner city's names match ``query`` (:meth:`CityQuerySet.search`)."""
        return self.filter(partner__in=City.objects.search(query))


def activity_terms(user) -> list[Subquery]:
    """The dates that count as a partnership's activity, as subqueries correlated on the
    partnership (``OuterRef("pk")``), each reading only the records ``user`` may see
    (``visible_to``): the latest event about it, agreement of it and delegation stop in its
    partner city. A new kind of activity (e.g. a dated stage) is one more entry here."""
    from .agreements import Agreement
    from .delegations import Delegation, ItineraryStop
    from .events import Event

    def latest(queryset, date_field: str) -> Subquery:
        return Subquery(
            queryset.exclude(**{f"{date_field}__isnull": True}).order_by(f"-{date_field}").values(date_field)[:1]
        )

    return [
        latest(Event.objects.visible_to(user).filter(partnership=OuterRef("pk")), "start_on"),
        latest(Agreement.objects.visible_to(user).filter(partnership=OuterRef("pk")), "signed_on"),
        latest(
            ItineraryStop.objects.filter(
                city=OuterRef("partner"), delegation__in=Delegation.objects.visible_to(user).values("pk")
            ).annotate(on=Coalesce("arrive_on", "delegation__start_on")),
            "on",
        ),
    ]


class PartnershipManager(models.Manager.from_queryset(PartnershipQuerySet)):
    def get_by_natural_key(self, city_slug, partner_slug, kind, established_on):
        return self.get(city__slug=city_slug, partner__slug=partner_slug, kind=kind, established_on=established_on)


class Partnership(RemarksModel, RegistryModel):
    """A sister city or friendship city relation between two cities.

    An upgrade (friendship → sister city) ends one partnership and starts another, so
    history stays true. At most one partnership per pair of cities may be open (not
    ended) at a time, whichever city is named first.
    """

    class Kind(models.TextChoices):
        SISTER = "sister", _("sister city")
        FRIENDSHIP = "friendship", _("friendship city")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        ENDED = "ended", _("ended")

    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="partnerships", verbose_name=_("city"), help_text=_("Home side.")
    )
    partner = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="partnerships_as_partner", verbose_name=_("partner city")
    )
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=Kind.choices,
        help_text=_("A “friendly cooperation city” is a friendship city."),
    )
    established_on = models.DateField(
        _("established on"), help_text=_("For a year- or month-only date, the first day of that period.")
    )
    established_precision = models.CharField(
        _("precision of the date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ended_precision = models.CharField(
        _("precision of the end date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    status_reason = models.TextField(
        _("reason for the status"), max_length=TEXT_MAX, blank=True, help_text=_("Why it was suspended or ended.")
    )
    fields = models.ManyToManyField(
        CooperationField, blank=True, related_name="partnerships", verbose_name=_("cooperation fields")
    )
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices, default=Confidence.HIGH)
    publication = publication_field()
    notes = staff_notes_field()
    sources = models.ManyToManyField(Source, blank=True, related_name="partnership_records", verbose_name=_("sources"))

    objects = PartnershipManager()

    class Meta:
        ordering = ["established_on", "id"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            rule(
                "partnership_not_with_itself",
                ~Q(city=F("partner")),
                _("A city cannot be its own partner."),
                "partner",
            ),
            rule(
                "partnership_ends_after_start",
                Q(ended_on__isnull=True) | Q(ended_on__gte=F("established_on")),
                _("A partnership cannot end before it was established."),
                "ended_on",
            ),
            rule(
                "partnership_ended_has_date",
                Q(status="ended", ended_on__isnull=False) | (~Q(status="ended") & Q(ended_on__isnull=True)),
                _("An ended partnership needs an end date, and only an ended one has one."),
                "ended_on",
            ),
            unique(
                "partnership_one_open_per_pair",
                Least("city", "partner"),
                Greatest("city", "partner"),
                condition=Q(ended_on__isnull=True),
                message=_("These two cities already have a partnership in force; end it before starting another."),
                field="partner",
            ),
            models.UniqueConstraint(
                fields=["city", "partner", "kind", "established_on"], name="partnership_natural_key"
            ),
        ]
        indexes = [
            models.Index(fields=["established_on", "ended_on"], name="partnership_dates_idx"),
            models.Index(fields=["kind", "status"], name="partnership_kind_status_idx"),
            models.Index(fields=["publication", "established_on", "id"], name="partnership_list_idx"),
        ]

    def __str__(self):
        return _("%(city)s – %(partner)s (%(kind)s)") % {
            "city": self.city,
            "partner": self.partner,
            "kind": self.get_kind_display(),
        }

    def get_absolute_url(self):
        return reverse("registry:partnership-detail", kwargs={"pk": self.pk})

    def natural_key(self):
        return (self.city.slug, self.partner.slug, self.kind, self.established_on.isoformat())

    natural_key.dependencies = ["registry.city"]

    def clean(self):
        """Truncate the dates to their precision and refuse an overlap with another
        partnership of the same pair (``ValidationError`` on ``established_on``).

        The sides are kept as given: ``city`` is the home side the caller named
        (:func:`registry.services.create_partnership`); nothing here swaps them.
        """
        self.established_on = truncate_to_precision(self.established_on, self.established_precision)
        self.ended_on = truncate_to_precision(self.ended_on, self.ended_precision)
        if self.city_id and self.partner_id and self.established_on:
            same_pair = Partnership.objects.filter(
                Q(city=self.city_id, partner=self.partner_id) | Q(city=self.partner_id, partner=self.city_id)
            ).exclude(pk=self.pk)
            if self.ended_on is None:
                # Two open ones are refused by the partnership_one_open_per_pair constraint (on
                # "partner"); here only an ended one that runs past this start can overlap.
                overlapping = same_pair.filter(ended_on__gt=self.established_on)
            else:
                overlapping = same_pair.filter(
                    Q(ended_on__isnull=True) | Q(ended_on__gt=self.established_on), established_on__lt=self.ended_on
                )
            if overlapping.exists():
                raise ValidationError(
                    {"established_on": _("These two cities already have a partnership in force in this period.")},
                    code="partnership_overlap",
                )

    def other(self, city: City) -> City:
        """The city on the other side from ``city``."""
        return self.partner if self.city_id == city.pk else self.city
