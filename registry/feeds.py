"""The iCalendar feed (RFC 5545) of events and partnership anniversaries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent

from .models import DatePrecision, Event, Partnership


def period_end(start: datetime.date, precision: str) -> datetime.date:
    """The day after the period a partial date stands for (a DTEND is exclusive)."""
    if precision == DatePrecision.YEAR:
        return start.replace(year=start.year + 1, month=1, day=1)
    if precision == DatePrecision.MONTH:
        return (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return start + datetime.timedelta(days=1)


def calendar(events: Iterable[Event], partnerships: Iterable[Partnership], site_url: str) -> bytes:
    """An iCalendar of ``events`` (all-day; a month- or year-only date spans that month or
    year) and of the yearly anniversary of each partnership established on a known day.

    ``site_url`` is the site's root (``https://host/``): it gives the UIDs' domain and the
    events' URLs. DTSTAMP is the record's last change, so the feed is the same until a record changes.
    """
    domain = urlsplit(site_url).hostname or "localhost"
    cal = Calendar()
    cal.add("prodid", "-//City Diplomacy Registry//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("City Diplomacy Registry: events and anniversaries"))

    for event in events:
        entry = VEvent()
        entry.add("uid", f"event-{event.slug}@{domain}")
        entry.add("dtstamp", event.updated_at)
        entry.add("summary", event.title)
        entry.add("dtstart", event.start_on)
        end = event.end_on + datetime.timedelta(days=1) if event.end_on else None
        entry.add("dtend", end or period_end(event.start_on, event.start_precision))
        place = ", ".join(part for part in (event.venue, event.city.name if event.city else "") if part)
        if place:
            entry.add("location", place)
        if event.summary:
            entry.add("description", event.summary)
        entry.add("categories", [event.get_kind_display()])
        entry.add("url", urljoin(site_url, reverse("registry:event-detail", kwargs={"slug": event.slug})))
        cal.add_component(entry)

    for partnership in partnerships:
        if partnership.established_precision != DatePrecision.DAY:
            continue  # no day to celebrate: shown as "1966", never as 1 January
        start = partnership.established_on
        entry = VEvent()
        entry.add("uid", f"partnership-{partnership.pk}-anniversary@{domain}")
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
        entry.add("dtend", start + datetime.timedelta(days=1))
        entry.add("rrule", {"freq": "yearly"})
        entry.add("categories", [_("anniversary")])
        entry.add("url", urljoin(site_url, partnership.get_absolute_url()))
        cal.add_component(entry)
    return cal.to_ical()
