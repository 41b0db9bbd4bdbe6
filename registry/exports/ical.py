"""iCalendar (RFC 5545): events, the yearly anniversaries of partnerships and round anniversaries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from urllib.parse import urljoin

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Timezone
from icalendar import Event as VEvent

from .. import dates
from ..models import DatePrecision, Event, Partnership
from .rows import instances


def uid(name: str) -> str:
    """A UID that is the same whatever the host, language or feed: ``<name>@<domain>`` with
    ``settings.REGISTRY_ICAL_UID_DOMAIN``."""
    return f"{name}@{settings.REGISTRY_ICAL_UID_DOMAIN}"


PRECISION_NOTES = {
    DatePrecision.YEAR: lambda start: _("Date known only to the year: %(date)s.") % {"date": start},
    DatePrecision.MONTH: lambda start: _("Date known only to the month: %(date)s.") % {"date": start},
}


def event_component(event: Event, site_url: str) -> VEvent:
    """An event as a VEVENT. With a start time (:attr:`Event.starts_at`), DTSTART is that local
    time with its TZID (``…Z`` in UTC for the zone ``UTC``) and there is no DTEND: the registry
    knows no end time. Otherwise all-day: a year- or month-only date spans that year or month and
    its description says so; the end is inclusive in the registry, exclusive in DTEND, and
    clamped at 9999-12-31. Reads ``event.city``."""
    entry = VEvent()
    entry.add("uid", uid(f"event-{event.slug}"))
    entry.add("dtstamp", event.updated_at)
    entry.add("summary", event.title)
    if event.starts_at is not None:
        entry.add("dtstart", event.starts_at)
    else:
        entry.add("dtstart", event.start_on)
        end = dates.period_end(event.start_on, event.start_precision)
        if event.end_on:
            end = max(end, dates.period_end(event.end_on))
        entry.add("dtend", end)
    note = PRECISION_NOTES.get(event.start_precision)
    description = " ".join(
        part
        for part in (note(dates.partial_date(event.start_on, event.start_precision)) if note else "", event.summary)
        if part
    )
    if description:
        entry.add("description", description)
    place = ", ".join(part for part in (event.venue, event.city.name if event.city else "") if part)
    if place:
        entry.add("location", place)
    entry.add("categories", [event.get_kind_display()])
    entry.add("url", urljoin(site_url, reverse("registry:event-detail", kwargs={"slug": event.slug})))
    return entry


def anniversary_component(partnership: Partnership, site_url: str) -> VEvent:
    """The yearly anniversary of a partnership established on a known day, as a recurring
    all-day VEVENT. Reads ``partnership.city`` and ``partnership.partner``."""
    start = partnership.established_on
    entry = VEvent()
    entry.add("uid", uid(f"partnership-{partnership.pk}-anniversary"))
    entry.add("dtstamp", partnership.updated_at)
    entry.add(
        "summary",
        _("Anniversary: %(city)s and %(partner)s, %(kind)s since %(year)s")
        % {
            "city": partnership.city.name,
            "partner": partnership.partner.name,
            "kind": partnership.get_kind_display(),
            "year": start.year,
        },
    )
    entry.add("dtstart", start)
    entry.add("dtend", dates.period_end(start))
    entry.add("rrule", {"freq": "yearly"})
    entry.add("categories", [_("anniversary")])
    entry.add("url", urljoin(site_url, partnership.get_absolute_url()))
    return entry


def round_anniversary_component(occasion, site_url: str) -> VEvent:
    """A round anniversary (:class:`registry.anniversaries.Anniversary`) as an all-day VEVENT
    spanning the day, month or year it falls in: "30th anniversary of …"."""
    entry = VEvent()
    entry.add("uid", uid(f"anniversary-{occasion.subject}-{occasion.years}"))
    # DTSTAMP: the partnership's last change; the relations table's start for diplomatic relations.
    stamp = occasion.partnership.updated_at if occasion.partnership else None
    entry.add("dtstamp", stamp or datetime.datetime.combine(occasion.since, datetime.time(), tzinfo=datetime.UTC))
    entry.add("summary", occasion.title)
    entry.add("dtstart", occasion.on)
    entry.add("dtend", occasion.ends)
    note = PRECISION_NOTES.get(occasion.precision)
    if note:
        entry.add("description", note(dates.partial_date(occasion.on, occasion.precision)))
    entry.add("categories", [_("anniversary")])
    if occasion.url:
        entry.add("url", urljoin(site_url, occasion.url))
    return entry


CALENDAR_END = b"END:VCALENDAR\r\n"


def icalendar_chunks(
    events: QuerySet,
    *,
    site_url: str,
    title: str,
    user=None,
    anniversaries: QuerySet | None = None,
    round_anniversaries: Iterable = (),
) -> Iterator[bytes]:
    """An iCalendar (RFC 5545) of the events in ``events`` that ``user`` may see and, when
    ``anniversaries`` is given, the yearly anniversary of each of those partnerships that the
    user may see and that was established on a known day (one known only to the year or month
    has no day to celebrate), then each of ``round_anniversaries`` (the
    :class:`registry.anniversaries.Anniversary` items the caller chose, already visible to the
    reader). In pieces of bytes to be joined or streamed.

    ``site_url`` (``https://host/``) makes the records' URLs; UIDs do not depend on it (see
    :func:`uid`), so every feed gives the same event the same UID and the same VEVENT.
    DTSTAMP is the record's last change, so a feed only changes when a record does.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//City Diplomacy Registry//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", title)
    zones = (
        events.visible_to(user).exclude(time_zone__in=["", "UTC"]).order_by().values_list("time_zone", flat=True)
    ).distinct()
    for zone in sorted(zones):  # a VTIMEZONE for each TZID the events use (RFC 5545 3.6.5)
        calendar.add_component(Timezone.from_tzid(zone))
    head = calendar.to_ical()
    yield head.removesuffix(CALENDAR_END)
    for event in instances(events, user=user, select=("city",)):
        yield event_component(event, site_url).to_ical()
    if anniversaries is not None:
        known_to_the_day = anniversaries.filter(established_precision=DatePrecision.DAY)
        for partnership in instances(known_to_the_day, user=user, select=("city", "partner")):
            yield anniversary_component(partnership, site_url).to_ical()
    for occasion in round_anniversaries:
        yield round_anniversary_component(occasion, site_url).to_ical()
    yield CALENDAR_END
