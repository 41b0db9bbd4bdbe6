"""iCalendar (RFC 5545): events, the yearly anniversaries of partnerships and round anniversaries.

The calendar's head (properties and VTIMEZONEs) comes from the ``icalendar`` library; each VEVENT
is written as text here (:func:`vevent`, with the one escaping, :func:`escape_text`, and folding,
:func:`content_line`): building a library object per event cost ~90 % of the feed's time."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urljoin

from django.conf import settings
from django.db.models import Max, Min, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Timezone

from .. import dates
from ..models import DatePrecision, Event, Partnership
from .rows import instances

# The least span of a VTIMEZONE's rules (icalendar's defaults); wider when the events are, up to
# the day after the latest date the registry stores (dates.LATEST; rows written around the
# validators are not followed further: each year adds about 40 bytes per zone).
VTIMEZONE_FROM = datetime.date(1970, 1, 1)
VTIMEZONE_UNTIL = datetime.date(2038, 1, 1)
VTIMEZONE_LATEST = dates.LATEST + datetime.timedelta(days=1)


def uid(name: str) -> str:
    """A UID that is the same whatever the host, language or feed: ``<name>@<domain>`` with
    ``settings.REGISTRY_ICAL_UID_DOMAIN``."""
    return f"{name}@{settings.REGISTRY_ICAL_UID_DOMAIN}"


PRECISION_NOTES = {
    DatePrecision.YEAR: lambda start: _("Date known only to the year: %(date)s.") % {"date": start},
    DatePrecision.MONTH: lambda start: _("Date known only to the month: %(date)s.") % {"date": start},
}


# Control characters RFC 5545 forbids in TEXT (3.3.11: any but HTAB; line ends are escaped).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FOLD_OCTETS = 74  # octets of content per physical line; with the CRLF and the leading space, at most 75


def escape_text(value: str) -> str:
    r"""``value`` as an RFC 5545 TEXT value (3.3.11): ``\``, ``;`` and ``,`` escaped with a
    backslash, each line end as ``\n``, other control characters dropped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return CONTROL.sub("", value)


def content_line(name: str, value: str) -> str:
    """One content line ``NAME:value`` (``name`` may carry parameters: ``DTSTART;VALUE=DATE``)
    ending in CRLF, folded (RFC 5545 3.1) so that no line is longer than 75 octets: a fold after
    each :data:`FOLD_OCTETS` octets of UTF-8, never inside a character, continued with a space.
    ``value`` must already be escaped (:func:`escape_text` for TEXT)."""
    line = f"{name}:{value}"
    if line.isascii():
        if len(line) <= FOLD_OCTETS:
            return line + "\r\n"
        return "\r\n ".join(line[i : i + FOLD_OCTETS] for i in range(0, len(line), FOLD_OCTETS)) + "\r\n"
    pieces, size = [], 0
    for char in line:
        code = ord(char)
        octets = 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
        size += octets
        if size > FOLD_OCTETS:
            pieces.append("\r\n ")
            size = octets
        pieces.append(char)
    return "".join(pieces) + "\r\n"


def ical_date(day: datetime.date) -> str:
    """A DATE value: ``YYYYMMDD``."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def ical_time(moment: datetime.datetime) -> str:
    """A DATE-TIME value without its zone: ``YYYYMMDDTHHMMSS`` (seconds truncated)."""
    return f"{ical_date(moment)}T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"


def ical_utc(moment: datetime.datetime) -> str:
    """An aware ``moment`` as a UTC DATE-TIME value: ``YYYYMMDDTHHMMSSZ``."""
    return ical_time(moment.astimezone(datetime.UTC)) + "Z"


def vevent(properties: Iterable[tuple[str, str]]) -> bytes:
    """A VEVENT of ``(name, value)`` content lines (values already escaped), as UTF-8 bytes."""
    lines = "".join(content_line(name, value) for name, value in properties)
    return f"BEGIN:VEVENT\r\n{lines}END:VEVENT\r\n".encode()


def labels(choices) -> dict[str, str]:
    """``{value: label}`` of a ``TextChoices`` in the active language, read once per feed
    (``get_FOO_display()`` is slow per row)."""
    return {value: str(label) for value, label in choices.choices}


def event_component(event: Event, site_url: str, kinds: dict[str, str] | None = None) -> bytes:
    """An event as a VEVENT (UTF-8 bytes). With a start time (:attr:`Event.starts_at`), DTSTART
    is that local time with its TZID (``…Z`` in UTC for the zone ``UTC``) and there is no DTEND:
    the registry knows no end time. Otherwise all-day: a year- or month-only date spans that year
    or month and its description says so; the end is inclusive in the registry, exclusive in
    DTEND, and clamped at 9999-12-31. ``kinds``: :func:`labels` of ``Event.Kind`` (read here when
    not given). Reads ``event.city``."""
    kinds = kinds if kinds is not None else labels(Event.Kind)
    properties = [("SUMMARY", escape_text(event.title))]
    starts_at = event.starts_at
    if starts_at is not None:
        zone = getattr(starts_at.tzinfo, "key", "UTC")
        if zone == "UTC":
            properties.append(("DTSTART", ical_time(starts_at) + "Z"))
        else:
            properties.append((f"DTSTART;TZID={zone}", ical_time(starts_at)))
    else:
        end = dates.period_end(event.start_on, event.start_precision)
        if event.end_on:
            end = max(end, dates.period_end(event.end_on))
        properties += [("DTSTART;VALUE=DATE", ical_date(event.start_on)), ("DTEND;VALUE=DATE", ical_date(end))]
    properties += [("DTSTAMP", ical_utc(event.updated_at)), ("UID", uid(f"event-{event.slug}"))]
    properties.append(("CATEGORIES", escape_text(kinds.get(event.kind, event.kind))))
    note = PRECISION_NOTES.get(event.start_precision)
    description = " ".join(
        part
        for part in (note(dates.partial_date(event.start_on, event.start_precision)) if note else "", event.summary)
        if part
    )
    if description:
        properties.append(("DESCRIPTION", escape_text(description)))
    place = ", ".join(part for part in (event.venue, event.city.name if event.city else "") if part)
    if place:
        properties.append(("LOCATION", escape_text(place)))
    properties.append(("URL", urljoin(site_url, reverse("registry:event-detail", kwargs={"slug": event.slug}))))
    return vevent(properties)


def anniversary_component(partnership: Partnership, site_url: str, kinds: dict[str, str] | None = None) -> bytes:
    """The yearly anniversary of a partnership established on a known day, as a recurring
    all-day VEVENT (UTF-8 bytes). ``kinds``: :func:`labels` of ``Partnership.Kind`` (read here
    when not given). Reads ``partnership.city`` and ``partnership.partner``."""
    kinds = kinds if kinds is not None else labels(Partnership.Kind)
    start = partnership.established_on
    summary = _("Anniversary: %(city)s and %(partner)s, %(kind)s since %(year)s") % {
        "city": partnership.city.name,
        "partner": partnership.partner.name,
        "kind": kinds.get(partnership.kind, partnership.kind),
        "year": start.year,
    }
    return vevent(
        [
            ("SUMMARY", escape_text(summary)),
            ("DTSTART;VALUE=DATE", ical_date(start)),
            ("DTEND;VALUE=DATE", ical_date(dates.period_end(start))),
            ("DTSTAMP", ical_utc(partnership.updated_at)),
            ("UID", uid(f"partnership-{partnership.pk}-anniversary")),
            ("RRULE", "FREQ=YEARLY"),
            ("CATEGORIES", escape_text(_("anniversary"))),
            ("URL", urljoin(site_url, partnership.get_absolute_url())),
        ]
    )


def round_anniversary_component(occasion, site_url: str) -> bytes:
    """A round anniversary (:class:`registry.anniversaries.Anniversary`) as an all-day VEVENT
    (UTF-8 bytes) spanning the day, month or year it falls in: "30th anniversary of …"."""
    # DTSTAMP: the partnership's last change; the relations table's start for diplomatic relations.
    stamp = occasion.partnership.updated_at if occasion.partnership else None
    stamp = stamp or datetime.datetime.combine(occasion.since, datetime.time(), tzinfo=datetime.UTC)
    properties = [
        ("SUMMARY", escape_text(occasion.title)),
        ("DTSTART;VALUE=DATE", ical_date(occasion.on)),
        ("DTEND;VALUE=DATE", ical_date(occasion.ends)),
        ("DTSTAMP", ical_utc(stamp)),
        ("UID", uid(f"anniversary-{occasion.subject}-{occasion.years}")),
        ("CATEGORIES", escape_text(_("anniversary"))),
    ]
    note = PRECISION_NOTES.get(occasion.precision)
    if note:
        properties.append(("DESCRIPTION", escape_text(note(dates.partial_date(occasion.on, occasion.precision)))))
    if occasion.url:
        properties.append(("URL", urljoin(site_url, occasion.url)))
    return vevent(properties)


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
        events.visible_to(user)
        .exclude(time_zone__in=["", "UTC"])
        .order_by("time_zone")
        .values_list("time_zone")
        .annotate(first=Min("start_on"), last=Max(Coalesce("end_on", "start_on")))
    )
    for zone, first, last in zones:  # a VTIMEZONE for each TZID the events use (RFC 5545 3.6.5),
        # with its rules from the first event's date to the last's (icalendar's default stops at 2038)
        calendar.add_component(
            Timezone.from_tzid(
                zone,
                first_date=min(first, VTIMEZONE_FROM),
                last_date=min(max(last + datetime.timedelta(days=1), VTIMEZONE_UNTIL), VTIMEZONE_LATEST),
            )
        )
    head = calendar.to_ical()
    yield head.removesuffix(CALENDAR_END)
    event_kinds = labels(Event.Kind)
    for event in instances(events, user=user, select=("city",)):
        yield event_component(event, site_url, event_kinds)
    if anniversaries is not None:
        known_to_the_day = anniversaries.filter(established_precision=DatePrecision.DAY)
        partnership_kinds = labels(Partnership.Kind)
        for partnership in instances(known_to_the_day, user=user, select=("city", "partner")):
            yield anniversary_component(partnership, site_url, partnership_kinds)
    for occasion in round_anniversaries:
        yield round_anniversary_component(occasion, site_url)
    yield CALENDAR_END
