"""The registry's export formats, one builder each: CSV, XLSX, GeoJSON and iCalendar.

The pages (``?format=csv`` on every list, ``/events/calendar.ics``) and the API
(``?format=csv|geojson|ics`` or the ``Accept`` header) hand these builders the rows they
selected, as a queryset, and the reader. A builder

* keeps only what the reader may see (the model's ``visible_to(user)``; a reference to a
  record with a draft state is read through ``with_visibility``), so a draft never reaches
  an export whoever calls it;
* reads what its columns need itself (joins and prefetches, dropping the caller's), one chunk
  of :data:`CHUNK_SIZE` rows at a time (``QuerySet.iterator``): the number of queries is the
  same for 10 rows as for 1,000, and the output is produced row by row (a generator), so it
  can be streamed.

=================  =========================================================================
CSV                :func:`csv_lines`: one :class:`Table` of flat columns per exported model
                   (:data:`TABLES`) plus the countries page's aggregated rows
                   (:data:`COUNTRIES`); UTF-8, a header row, every cell through
                   :func:`registry.text.neutralise_formula` (see :func:`cell`).
XLSX               :func:`xlsx_file`: the CSV's table as one worksheet, written by openpyxl in
                   write-only mode to a temporary file (a ZIP needs its directory at the
                   end, so the file is streamed once written; memory stays flat).
GeoJSON            :func:`geojson_chunks`: cities and partnerships (at the partner city) as
                   RFC 7946 Points ``[longitude, latitude]``, ``geometry`` ``null`` without
                   coordinates; ``properties`` are the CSV's columns, as JSON values.
iCalendar          :func:`icalendar_chunks`: events (all-day at their precision, or from their
                   start time with its TZID and VTIMEZONE) and the
                   yearly anniversaries of partnerships known to the day; UIDs independent
                   of host and language (``event-<slug>@<REGISTRY_ICAL_UID_DOMAIN>``).
=================  =========================================================================

Column conventions: references are slugs (a partnership by its id), countries ISO 3166-1
alpha-2 codes, regions UN M49 slugs, dates ISO 8601 at their precision (``1966``,
``1966-06``, ``1966-06-30``) beside their ``*_precision`` column, money a decimal with its
ISO 4217 code and qualifier, lists ``; ``-joined.

:func:`export_response` is the HTTP side, shared by the pages and the API: a
``StreamingHttpResponse`` (the first bytes leave before the last row is read, in blocks of
:data:`BLOCK_SIZE`), with a file name carrying the active filters and the as-of date
(:func:`export_filename`). CSV starts with a UTF-8 byte-order mark, so spreadsheet programs
(Excel in Korean) read it as UTF-8.
"""

from __future__ import annotations

import csv
import datetime
import itertools
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.db.models import Model, Prefetch, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from icalendar import Calendar, Timezone
from icalendar import Event as VEvent

from . import dates
from .models import (
    Agreement,
    City,
    CooperationField,
    DatePrecision,
    Delegation,
    DelegationMember,
    Event,
    EventParticipant,
    ItineraryStop,
    Organization,
    Partnership,
    Person,
    Signatory,
    Source,
)
from .text import neutralise_formula

# Rows read (and prefetched for) at a time; Django's default chunk of ``iterator()``.
CHUNK_SIZE = 2000
LIST_SEPARATOR = "; "

# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Table:
    """The export columns of one kind of row.

    ``columns`` maps each header to a function of a row giving its value: text, an ``int`` or
    ``float``, or ``None`` (empty). ``related(queryset, user)`` adds the joins, prefetches and
    visibility annotations the columns read (``None`` for rows that are not a queryset's).
    For GeoJSON, ``place`` gives the city a row stands at and ``key`` its feature id.
    """

    columns: dict[str, Callable[[Any], Any]]
    related: Callable[[QuerySet, Any], QuerySet] | None = None
    place: Callable[[Any], City | None] | None = None
    key: Callable[[Any], Any] = field(default=lambda row: row.pk)


def joined(values: Iterable) -> str:
    """``values`` that are not empty, ``; ``-joined."""
    return LIST_SEPARATOR.join(str(value) for value in values if value not in (None, ""))


def slug(record: Model | None) -> str | None:
    """The record's slug, ``None`` without a record."""
    return record.slug if record is not None else None


def coordinate(value: Decimal | None) -> float | None:
    """A coordinate as a number (WGS 84 degrees), as the API's JSON gives it."""
    return float(value) if value is not None else None


def if_visible(row: Model, field_name: str) -> Model | None:
    """The record ``row.<field_name>`` points to, or ``None`` when the reader may not see it
    (the ``<field_name>_visible`` annotation of ``with_visibility``)."""
    return getattr(row, field_name) if getattr(row, f"{field_name}_visible") else None


def with_person(relation: str, model: type[Model]) -> Prefetch:
    """Prefetch the signatories, participants or members in ``relation`` with their person (one query)."""
    return Prefetch(relation, queryset=model.objects.select_related("person"))


def who(participants) -> str:
    """Signatories, participants or members: each person's slug, or the role where the source
    names no person."""
    return joined(p.person.slug if p.person_id else p.role for p in participants.all())


def slugs(records) -> str:
    """The slugs of a (prefetched) many-to-many relation, or of a list of records, ``; ``-joined."""
    return joined(record.slug for record in (records if isinstance(records, list) else records.all()))


def slug_list(relation: str, model: type[Model]) -> Prefetch:
    """Prefetch the slugs of ``relation`` (a many-to-many to ``model``, in its default order) as
    the list ``export_<relation>``: a list per row costs far less than a related manager and
    its queryset per row, and only the slug is read."""
    return Prefetch(relation, queryset=model.objects.only("slug"), to_attr=f"export_{relation}")


def amount(outcome) -> str:
    """An outcome's money: decimal, ISO 4217 code and qualifier (``3850000.00 USD more_than``)."""
    return f"{outcome.amount} {outcome.currency} {outcome.amount_qualifier}"


def cities_related(queryset: QuerySet, user) -> QuerySet:
    """Former names, sources and the partnerships naming each city as the partner that ``user`` may see."""
    partnerships = Partnership.objects.visible_to(user)
    return queryset.prefetch_related(
        "names",
        slug_list("sources", Source),
        Prefetch("partnerships_as_partner", queryset=partnerships, to_attr="export_partnerships"),
    )


CITIES = Table(
    columns={
        "slug": lambda c: c.slug,
        "name_en": lambda c: c.name_en,
        "name_ko": lambda c: c.name_ko,
        "name_native": lambda c: c.name_native,
        "country": lambda c: c.country.code,
        "region": lambda c: c.region.slug if c.region else None,
        "subregion": lambda c: c.subregion.slug if c.subregion else None,
        "admin_level": lambda c: c.admin_level,
        "latitude": lambda c: coordinate(c.latitude),
        "longitude": lambda c: coordinate(c.longitude),
        "population": lambda c: c.population,
        "population_year": lambda c: c.population_year,
        "wikidata_id": lambda c: c.wikidata_id,
        "confidence": lambda c: c.confidence,
        "former_names": lambda c: joined(name.name for name in c.names.all()),
        # The partnerships naming the city as the partner: "kind established_on status" ("-" for a
        # relation not signed yet, status "proposed").
        "partnerships": lambda c: joined(
            f"{p.kind} {dates.iso_partial(p.established_on, p.established_precision) or '-'} {p.status}"
            for p in c.export_partnerships
        ),
        "sources": lambda c: slugs(c.export_sources),
    },
    related=cities_related,
    place=lambda c: c,
    key=lambda c: c.slug,
)

# The columns the partnership rows read (the largest export: only these are loaded).
PARTNERSHIP_FIELDS = (
    *("id", "kind", "status", "status_reason", "confidence", "publication"),
    *("established_on", "established_precision", "ended_on", "ended_precision"),
    *("city__slug", "partner__slug", "partner__country", "partner__latitude", "partner__longitude"),
)

PARTNERSHIPS = Table(
    columns={
        "id": lambda p: p.pk,
        "city": lambda p: p.city.slug,
        "partner": lambda p: p.partner.slug,
        "partner_country": lambda p: p.partner.country.code,
        "kind": lambda p: p.kind,
        "established_on": lambda p: dates.iso_partial(p.established_on, p.established_precision),
        "established_precision": lambda p: p.established_precision,
        "status": lambda p: p.status,
        "ended_on": lambda p: dates.iso_partial(p.ended_on, p.ended_precision),
        "ended_precision": lambda p: p.ended_precision if p.ended_on else None,
        "status_reason": lambda p: p.status_reason,
        "fields": lambda p: slugs(p.export_fields),
        "confidence": lambda p: p.confidence,
        "publication": lambda p: p.publication,
        "sources": lambda p: slugs(p.export_sources),
    },
    related=lambda qs, user: (
        qs.select_related("city", "partner")
        .only(*PARTNERSHIP_FIELDS)
        .prefetch_related(slug_list("fields", CooperationField), slug_list("sources", Source))
    ),
    place=lambda p: p.partner,
)


def partner_of(agreement: Agreement) -> str | None:
    """The partner city of the agreement's partnership, when the reader may see the partnership."""
    partnership = if_visible(agreement, "partnership")
    return partnership.partner.slug if partnership else None


AGREEMENTS = Table(
    columns={
        "slug": lambda a: a.slug,
        "title_en": lambda a: a.title_en,
        "title_ko": lambda a: a.title_ko,
        "kind": lambda a: a.kind,
        "partnership": lambda a: a.partnership_id if a.partnership_visible else None,
        "partner": partner_of,
        "signed_on": lambda a: dates.iso_partial(a.signed_on, a.signed_precision),
        "signed_precision": lambda a: a.signed_precision if a.signed_on else None,
        "place": lambda a: slug(a.place),
        "venue": lambda a: a.venue,
        "parties": lambda a: slugs(a.parties),
        "signatories": lambda a: who(a.signatories),
        "fields": lambda a: slugs(a.fields),
        "summary_en": lambda a: a.summary_en,
        "summary_ko": lambda a: a.summary_ko,
        "publication": lambda a: a.publication,
        "sources": lambda a: slugs(a.sources),
    },
    related=lambda qs, user: (
        qs.with_visibility(user, "partnership")
        .select_related("place", "partnership__partner")
        .prefetch_related("parties", "fields", "sources", with_person("signatories", Signatory))
    ),
)

EVENTS = Table(
    columns={
        "slug": lambda e: e.slug,
        "title_en": lambda e: e.title_en,
        "title_ko": lambda e: e.title_ko,
        "kind": lambda e: e.kind,
        "start_on": lambda e: dates.iso_partial(e.start_on, e.start_precision),
        "start_precision": lambda e: e.start_precision,
        "end_on": lambda e: dates.iso_partial(e.end_on),
        "city": lambda e: slug(e.city),
        "country": lambda e: e.city.country.code if e.city else None,
        "venue": lambda e: e.venue,
        "partnership": lambda e: e.partnership_id if e.partnership_visible else None,
        "agreement": lambda e: slug(if_visible(e, "agreement")),
        "delegation": lambda e: slug(if_visible(e, "delegation")),
        "participants": lambda e: who(e.participants),
        "summary_en": lambda e: e.summary_en,
        "summary_ko": lambda e: e.summary_ko,
        "publication": lambda e: e.publication,
        "sources": lambda e: slugs(e.export_sources),
    },
    related=lambda qs, user: (
        qs.with_visibility(user, "partnership", "agreement", "delegation")
        .select_related("city", "agreement", "delegation")
        .prefetch_related(with_person("participants", EventParticipant), slug_list("sources", Source))
    ),
)


def delegations_related(queryset: QuerySet, user) -> QuerySet:
    """The people and places of each delegation, and whether ``user`` may see the one it travelled with."""
    itinerary = ItineraryStop.objects.select_related("city").order_by("order")
    return (
        queryset.with_visibility(user, "travelled_with")
        .select_related("organizer", "leader", "travelled_with")
        .prefetch_related(
            Prefetch("itinerary", queryset=itinerary), with_person("members", DelegationMember), "outcomes", "sources"
        )
    )


DELEGATIONS = Table(
    columns={
        "slug": lambda d: d.slug,
        "name_en": lambda d: d.name_en,
        "name_ko": lambda d: d.name_ko,
        "kind": lambda d: d.kind,
        "organizer": lambda d: slug(d.organizer),
        "leader": lambda d: slug(d.leader),
        "travelled_with": lambda d: slug(if_visible(d, "travelled_with")),
        "start_on": lambda d: dates.iso_partial(d.start_on),
        "end_on": lambda d: dates.iso_partial(d.end_on),
        "itinerary": lambda d: joined(stop.city.slug for stop in d.itinerary.all()),
        "members": lambda d: who(d.members),
        "outcome_amounts": lambda d: joined(amount(o) for o in d.outcomes.all() if o.amount is not None),
        "purpose_en": lambda d: d.purpose_en,
        "purpose_ko": lambda d: d.purpose_ko,
        "publication": lambda d: d.publication,
        "sources": lambda d: slugs(d.sources),
    },
    related=delegations_related,
)

ORGANIZATIONS = Table(
    columns={
        "slug": lambda o: o.slug,
        "name_en": lambda o: o.name_en,
        "name_ko": lambda o: o.name_ko,
        "name_native": lambda o: o.name_native,
        "kind": lambda o: o.kind,
        "city": lambda o: slug(o.city),
        "country": lambda o: o.country.code or None,
        "website": lambda o: o.website,
        "sources": lambda o: slugs(o.sources),
    },
    related=lambda qs, user: qs.select_related("city").prefetch_related("sources"),
)

PEOPLE = Table(
    columns={
        "slug": lambda p: p.slug,
        "name_en": lambda p: p.name_en,
        "name_ko": lambda p: p.name_ko,
        "name_native": lambda p: p.name_native,
        "sources": lambda p: slugs(p.sources),
    },
    related=lambda qs, user: qs.prefetch_related("sources"),
)

SOURCES = Table(
    columns={
        "slug": lambda s: s.slug,
        "title": lambda s: s.title,
        "publisher": lambda s: s.publisher,
        "url": lambda s: s.url,
        "published_on": lambda s: dates.iso_partial(s.published_on),
        "language": lambda s: s.language,
    },
    related=lambda qs, user: qs,
)

COOPERATION_FIELDS = Table(
    columns={"slug": lambda f: f.slug, "name_en": lambda f: f.name_en, "name_ko": lambda f: f.name_ko},
    related=lambda qs, user: qs,
)

# The countries page's rows (dicts of ``country``, ``region``, ``subregion``, ``cities``,
# ``partners``), which only the page has.
COUNTRIES = Table(
    columns={
        "country": lambda row: row["country"].code,
        "name": lambda row: row["country"].name,
        "region": lambda row: row["region"].slug if row["region"] else None,
        "subregion": lambda row: row["subregion"].slug if row["subregion"] else None,
        "cities": lambda row: row["cities"],
        "partner_cities_in_force": lambda row: row["partners"],
    }
)

# The national roll-up's municipalities (registry.network.MunicipalNetwork), on the page's date.
MUNICIPAL_NETWORKS = Table(
    columns={
        "slug": lambda row: row.city.slug,
        "name_en": lambda row: row.city.name_en,
        "name_ko": lambda row: row.city.name_ko,
        "admin_level": lambda row: row.city.admin_level,
        "partner_cities": lambda row: row.partner_cities,
        "countries": lambda row: row.countries,
    }
)

TABLES: dict[type[Model], Table] = {
    City: CITIES,
    Partnership: PARTNERSHIPS,
    Agreement: AGREEMENTS,
    Event: EVENTS,
    Delegation: DELEGATIONS,
    Organization: ORGANIZATIONS,
    Person: PEOPLE,
    Source: SOURCES,
    CooperationField: COOPERATION_FIELDS,
}


def records(queryset: QuerySet, *, user, table: Table | None = None) -> Iterator[Model]:
    """The rows of ``queryset`` that ``user`` may see (``None``: an anonymous reader), in its
    order, with what ``table``'s columns read (the model's table by default), fetched
    :data:`CHUNK_SIZE` rows at a time. Raises ``KeyError`` for a model with no table."""
    table = table or TABLES[queryset.model]
    visible = queryset.visible_to(user).select_related(None).prefetch_related(None)
    rows = table.related(visible, user)
    # A prefetched relation refers back to its row (a queryset's hints, a reverse foreign key's
    # cached instance): a reference cycle, freed only by a full garbage collection. Each row's
    # prefetched relations are dropped once it is written, so memory stays flat.
    prefetched = ["_prefetched_objects_cache"] + [
        lookup.to_attr for lookup in rows._prefetch_related_lookups if isinstance(lookup, Prefetch) and lookup.to_attr
    ]
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield row
        for name in prefetched:
            row.__dict__.pop(name, None)


def values(table: Table, row) -> dict[str, Any]:
    """``row``'s value in each column of ``table``, by header."""
    return {name: get(row) for name, get in table.columns.items()}


# --------------------------------------------------------------------------- CSV


def cell(value) -> str:
    """A CSV cell: empty for ``None``, numbers as written (``-70.5`` stays a number), text
    through :func:`~registry.text.neutralise_formula` (``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralise_formula(str(value))


class _Line:
    """A file-like target for ``csv.writer`` that hands back the line it is given."""

    def write(self, line: str) -> str:
        return line


def csv_lines(rows: QuerySet | Iterable, *, user=None, table: Table | None = None) -> Iterator[str]:
    """CSV (RFC 4180, ``\\r\\n`` line ends) of ``rows``, line by line, the header first.

    ``rows`` is a queryset (its model's table unless ``table`` is given; only the rows
    ``user`` may see, see :func:`records`) or, with ``table``, rows already computed (the
    countries page's). Encode the lines as UTF-8. Raises ``KeyError`` for a model with no
    table and ``TypeError`` for computed rows without a ``table``.
    """
    if isinstance(rows, QuerySet):
        table = table or TABLES[rows.model]
        rows = records(rows, user=user, table=table)
    elif table is None:
        raise TypeError("csv_lines() needs a table for rows that are not a queryset")
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield writer.writerow(list(table.columns))
    for row in rows:
        yield writer.writerow([cell(value) for value in values(table, row).values()])


BOM = "\ufeff"  # UTF-8 byte-order mark: tells Excel (and others) the CSV is UTF-8


# --------------------------------------------------------------------------- XLSX

# Characters XML 1.0 forbids (control characters but tab and line ends): dropped from cells.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_cell(value):
    """An XLSX cell: numbers stay numbers, text as in the CSV (:func:`cell`, so ``=…`` is never
    a formula) without the control characters XML forbids; ``None`` stays empty."""
    if value is None or (isinstance(value, int | float | Decimal) and not isinstance(value, bool)):
        return value
    return XML_ILLEGAL.sub("", cell(value))


def xlsx_file(rows: QuerySet | Iterable, *, user=None, table: Table | None = None, title: str = "rows"):
    """An XLSX workbook of ``rows`` (the same rows and columns as :func:`csv_lines`), as an open
    temporary file at its start (deleted when closed). openpyxl's write-only mode writes each
    row out as it comes, so memory does not grow with the number of rows. ``title`` names the
    worksheet (at most 31 characters). Raises what :func:`csv_lines` raises."""
    from openpyxl import Workbook

    if isinstance(rows, QuerySet):
        table = table or TABLES[rows.model]
        rows = records(rows, user=user, table=table)
    elif table is None:
        raise TypeError("xlsx_file() needs a table for rows that are not a queryset")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "rows")
    sheet.append(list(table.columns))
    for row in rows:
        sheet.append([xlsx_cell(value) for value in values(table, row).values()])
    target = tempfile.TemporaryFile()
    workbook.save(target)
    target.seek(0)
    return target


# --------------------------------------------------------------------------- GeoJSON


def point(city: City | None) -> dict | None:
    """A GeoJSON Point ``[longitude, latitude]`` at ``city``, or ``None`` without coordinates."""
    if city is None or city.latitude is None or city.longitude is None:
        return None
    return {"type": "Point", "coordinates": [coordinate(city.longitude), coordinate(city.latitude)]}


def geojson_chunks(queryset: QuerySet, *, user=None) -> Iterator[str]:
    """A GeoJSON FeatureCollection (RFC 7946) of the rows of ``queryset`` that ``user`` may
    see, one Feature per row (cities at themselves, partnerships at the partner city) with the
    CSV's columns as ``properties``; in pieces of text to be joined (or streamed) as UTF-8.
    Raises ``ValueError`` for a model with no place on a map."""
    table = TABLES[queryset.model]
    if table.place is None:
        raise ValueError(f"{queryset.model.__name__} rows have no place on a map")
    yield '{"type": "FeatureCollection", "features": ['
    for index, row in enumerate(records(queryset, user=user, table=table)):
        feature = {
            "type": "Feature",
            "id": table.key(row),
            "geometry": point(table.place(row)),
            "properties": values(table, row),
        }
        yield ("," if index else "") + json.dumps(feature, ensure_ascii=False)
    yield "]}"


# --------------------------------------------------------------------------- iCalendar


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
# What the calendar's components read (they have no columns).
CALENDAR_EVENTS = Table(columns={}, related=lambda qs, user: qs.select_related("city"))
CALENDAR_ANNIVERSARIES = Table(columns={}, related=lambda qs, user: qs.select_related("city", "partner"))


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
    for event in records(events, user=user, table=CALENDAR_EVENTS):
        yield event_component(event, site_url).to_ical()
    if anniversaries is not None:
        known_to_the_day = anniversaries.filter(established_precision=DatePrecision.DAY)
        for partnership in records(known_to_the_day, user=user, table=CALENDAR_ANNIVERSARIES):
            yield anniversary_component(partnership, site_url).to_ical()
    for occasion in round_anniversaries:
        yield round_anniversary_component(occasion, site_url).to_ical()
    yield CALENDAR_END


# --------------------------------------------------------------------------- HTTP

BLOCK_SIZE = 64 * 1024  # bytes per piece of a streamed export
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "ics": "text/calendar; charset=utf-8",
}
# Query parameters that are not filters (left out of a file name).
NOT_FILTERS = {"format", "page", "page_size"}


def blocks(pieces: Iterable[str | bytes], size: int = BLOCK_SIZE) -> Iterator[bytes]:
    """``pieces`` (text encoded as UTF-8) regrouped into blocks of about ``size`` bytes, so a
    streamed export is written in a few large pieces rather than one per row."""
    buffer, length = [], 0
    for piece in pieces:
        data = piece.encode("utf-8") if isinstance(piece, str) else piece
        buffer.append(data)
        length += len(data)
        if length >= size:
            yield b"".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield b"".join(buffer)


def export_filename(base: str, params, *, extension: str, as_of: datetime.date | None = None) -> str:
    """``<base>_<filter>-<value>…_<as-of date>.<extension>``, e.g.
    ``partnerships_country-kz-jp_kind-sister_2026-12-02.csv``: the filters set in ``params``
    (a ``QueryDict`` or dict; :data:`NOT_FILTERS` and empty values left out, each name and value
    slugified, several values joined) and the date the data is as of: ``as_of`` if given, else
    a valid ``in_force_on`` filter (then not repeated as a filter), else today in the site's
    time zone. At most 150 characters before the extension."""
    lists = {name: params.getlist(name) if hasattr(params, "getlist") else [params[name]] for name in params}
    if as_of is None:
        try:
            as_of = datetime.date.fromisoformat(str((lists.get("in_force_on") or [""])[-1]))
        except ValueError:
            as_of = timezone.localdate()
        else:
            del lists["in_force_on"]
    parts = [slugify(base) or "rows"]
    for name in sorted(lists):
        value = slugify("-".join(str(v) for v in lists[name] if v).replace(",", "-"))
        if value and name not in NOT_FILTERS:
            parts.append(f"{slugify(name)}-{value}")
    stem = "_".join([*parts, as_of.isoformat()])
    if len(stem) > 150:
        stem = stem[:139] + "_" + as_of.isoformat()
    return f"{stem}.{extension}"


def export_response(
    fmt: str, body: Iterable[str | bytes] | Any, *, filename: str, disposition: str = "attachment"
) -> StreamingHttpResponse:
    """A streamed export in format ``fmt`` (a key of :data:`CONTENT_TYPES`): ``body`` is the
    builder's pieces (text or bytes, sent in :func:`blocks`) or, for XLSX, the open file of
    :func:`xlsx_file`. CSV gets its byte-order mark (:data:`BOM`) here. ``filename`` goes into
    ``Content-Disposition``."""
    if fmt == "xlsx":
        response = FileResponse(body, content_type=CONTENT_TYPES[fmt])
    else:
        if fmt == "csv":
            body = itertools.chain([BOM], body)
        response = StreamingHttpResponse(blocks(body), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
