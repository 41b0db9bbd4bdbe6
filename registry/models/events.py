"""Events: signing ceremonies, visits, anniversaries, and who took part."""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Q
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
    publication_field,
    rule,
    truncate_to_precision,
)
from .cities import City
from .delegations import Delegation
from .partnership_queries import of_city
from .partnerships import Partnership
from .people import OrderedChildManager, ParticipantFields, _person_or_role
from .search import WordSearchMixin
from .slugs import slug_rule
from .sources import SourcedModel

# --------------------------------------------------------------------------- events


# Names in the tz database that are no place's time: the machine's own zone (``localtime``, whose
# meaning moves with the server), the placeholder ``Factory`` and the POSIX rules template.
NOT_TIME_ZONES = frozenset({"localtime", "Factory", "posixrules"})


@functools.cache
def _time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - NOT_TIME_ZONES


def validate_time_zone(name: str) -> None:
    """Refuse ``name`` unless it is an IANA time zone name known to :mod:`zoneinfo` (the system
    tz database or the ``tzdata`` package), e.g. ``Asia/Almaty`` or ``UTC``.

    Raises ``ValidationError`` (code ``invalid_time_zone``)."""
    if name and name not in _time_zone_names():
        raise ValidationError(
            _("“%(value)s” is not an IANA time zone name (such as Asia/Almaty or UTC)."),
            code="invalid_time_zone",
            params={"value": name},
        )


class EventQuerySet(CountryQuerySetMixin, WordSearchMixin, PublishableQuerySet):
    """Events; drafts are visible only to staff (:meth:`visible_to`)."""

    search_fields = ("title_en", "title_ko", "summary_en", "summary_ko", "venue", "venue_ko")

    def for_country(self, *codes: str) -> EventQuerySet:
        """Events held in a city of any of the ISO alpha-2 ``codes``."""
        return self.filter(city__country__in=[code.upper() for code in codes])

    def country_sets(self) -> Counter[frozenset[str]]:
        """How many of these events are held in each country (:meth:`for_country`: their city's),
        keyed by the one-country set; events without a city are left out. One query grouped by
        country."""
        rows = self.order_by().values_list("city__country").annotate(count=Count("pk"))
        return Counter({frozenset({country}): count for country, count in rows if country})

    def of_city(self, city) -> EventQuerySet:
        """Events of ``city`` (a :class:`~registry.models.City`): held there, or under one of its
        partnerships (either side); see :func:`~registry.models.partnership_queries.of_city`."""
        return of_city(self, city, place="city")


class Event(SourcedModel):
    """Something that happened on a date: a signing ceremony, a visit, an anniversary."""

    class Kind(models.TextChoices):
        SIGNING_CEREMONY = "signing_ceremony", _("signing ceremony")
        ANNIVERSARY = "anniversary", _("anniversary")
        OFFICIAL_VISIT = "official_visit", _("official visit")
        CAMPAIGN_STOP = "campaign_stop", _("campaign stop")
        BUSINESS_MEETING = "business_meeting", _("business meeting")
        EXPORT_CONSULTATION = "export_consultation", _("export consultation")
        PROMOTION = "promotion", _("promotion")
        ANNOUNCEMENT = "announcement", _("announcement")
        OTHER = "other", _("other")

    title_en = models.CharField(_("title (English)"), max_length=300)
    title_ko = models.CharField(_("title (Korean)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    start_on = models.DateField(_("start"), validators=[validate_in_range])
    start_precision = models.CharField(
        _("precision of the date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    start_time = models.TimeField(
        _("start time"),
        null=True,
        blank=True,
        help_text=_(
            "Local time of day the event starts (HH:MM, 24-hour clock) in its time zone, as the source "
            "states it; empty when unknown. Needs a date known to the day and a time zone."
        ),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_(
            "IANA time zone name of the start time, e.g. Asia/Almaty (UTC for a time given in UTC); "
            "given together with the start time."
        ),
    )
    end_on = models.DateField(_("end"), null=True, blank=True, validators=[validate_in_range])
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, null=True, blank=True, related_name="events", verbose_name=_("city")
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    venue_ko = models.CharField(
        _("venue (Korean)"),
        max_length=300,
        blank=True,
        help_text=_("Shown on Korean pages; where empty, the English one is shown."),
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("partnership"),
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="events", verbose_name=_("agreement")
    )
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("delegation"),
    )
    summary_en = models.TextField(_("summary (English)"), max_length=TEXT_MAX, blank=True)
    summary_ko = models.TextField(_("summary (Korean)"), max_length=TEXT_MAX, blank=True)
    publication = publication_field()

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-start_on", "slug"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            slug_rule("event"),
            rule(
                "event_ends_after_start",
                Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                _("An event cannot end before it starts."),
                "end_on",
            ),
            rule(
                "event_time_needs_day",
                Q(start_time__isnull=True) | Q(start_precision=DatePrecision.DAY),
                _("A start time needs a date known to the day."),
                "start_time",
            ),
            rule(
                "event_time_with_zone",
                Q(start_time__isnull=True, time_zone="") | (Q(start_time__isnull=False) & ~Q(time_zone="")),
                _("A start time and its time zone are given together."),
                "time_zone",
            ),
        ]
        indexes = [
            models.Index(fields=["publication", "-start_on", "slug"], name="event_list_idx"),
            models.Index(fields=["start_on"], name="event_start_idx"),
            models.Index(fields=["publication", "updated_at"], name="event_changed_idx"),
            # The events of one agreement, delegation or partnership in date order: without
            # these, SQLite walked event_list_idx (every published event) to skip the sort.
            # Partial (the rows that have one): most events have none, and SQLite's statistics
            # counted those as one huge group and chose event_list_idx again after ANALYZE.
            *(
                models.Index(
                    fields=[field, "-start_on"], name=f"event_{field}_idx", condition=Q(**{f"{field}__isnull": False})
                )
                for field in ("agreement", "delegation", "partnership")
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return record_path("registry:event-detail", slug=self.slug)

    @property
    def title(self) -> str:
        """Title in the active language."""
        return localized(self, "title")

    @property
    def summary(self) -> str:
        """Summary in the active language."""
        return localized(self, "summary")

    @property
    def starts_at(self) -> datetime.datetime | None:
        """The start as an aware datetime in the event's time zone, or ``None`` without a time."""
        if self.start_time is None or not self.time_zone:
            return None
        return datetime.datetime.combine(self.start_on, self.start_time, zoneinfo.ZoneInfo(self.time_zone))

    @property
    def utc_offset(self) -> str:
        """The zone's offset from UTC at the start, as ``UTC+06:00`` (``""`` without a time)."""
        start = self.starts_at
        if start is None:
            return ""
        minutes = int(start.utcoffset().total_seconds()) // 60
        sign = "+" if minutes >= 0 else "−"
        return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"

    @property
    def venue_localized(self) -> str:
        """The venue in the active language: ``venue_ko`` on Korean pages when filled, else ``venue``."""
        return localized(self, "venue")

    @property
    def venue_language(self) -> str:
        """BCP 47 tag of :attr:`venue_localized` (``en`` for the English fallback)."""
        return localized_language(self, "venue")

    def clean(self):
        self.start_on = truncate_to_precision(self.start_on, self.start_precision)


class EventParticipantManager(OrderedChildManager):
    parent_field = "event"


class EventParticipant(ParticipantFields):
    """Someone who took part in an event (a person, or a role or group)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants", verbose_name=_("event"))

    objects = EventParticipantManager()

    class Meta:
        ordering = ["event", "order", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            _person_or_role("eventparticipant"),
            models.UniqueConstraint(fields=["event", "order"], name="eventparticipant_order_unique"),
        ]

    def natural_key(self):
        return (self.order, self.event.slug)

    natural_key.dependencies = ["registry.event", "registry.person", "registry.organization"]
