"""Export formats of the API lists: CSV, GeoJSON and iCalendar.

Each renders the same serialized rows as the JSON answer (so the same filters apply) and
is chosen with ``?format=csv|geojson|ics`` or the ``Accept`` header. Lists in these formats
are not paginated: they hold every row the filters select.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal

from django.conf import settings
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

from ..text import neutralise_formula

LIST_SEPARATOR = "; "


def neutralise(value) -> str:
    """A CSV cell: numbers as they are, text prefixed with ``'`` when a spreadsheet would
    read it as a formula (``=HYPERLINK(...)`` → ``'=HYPERLINK(...)``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralise_formula(str(value))


def label(item) -> str:
    """How an item of a nested list is written in one cell: its slug or name, else its text."""
    if isinstance(item, dict):
        for key in ("slug", "name_en", "name", "role", "title", "id"):
            if item.get(key) not in (None, ""):
                return str(item[key])
        return json.dumps(item, cls=JSONEncoder, ensure_ascii=False)
    return "" if item is None else str(item)


def flatten(row: dict, prefix: str = "") -> dict:
    """One CSV row from a serialized record: nested objects become ``partner.slug`` columns,
    lists become ``; ``-separated slugs or names."""
    flat: dict = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = LIST_SEPARATOR.join(label(item) for item in value)
        else:
            flat[name] = value
    return flat


def rows_of(data) -> list[dict]:
    if isinstance(data, dict) and "results" in data:
        data = data["results"]
    if isinstance(data, dict):
        data = [data]
    return [row for row in (data or []) if isinstance(row, dict)]


class CSVRenderer(renderers.BaseRenderer):
    """UTF-8 CSV with a header row; nested records flattened (see :func:`flatten`)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = [flatten(row) for row in rows_of(data)]
        header: list[str] = []
        for row in rows:
            header += [key for key in row if key not in header]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([neutralise(row.get(key)) for key in header])
        return buffer.getvalue().encode(self.charset)


class GeoJSONRenderer(renderers.BaseRenderer):
    """A GeoJSON FeatureCollection (RFC 7946): one Point per row, at the row's city or, for a
    partnership, its partner city; ``geometry`` is ``null`` where coordinates are unknown."""

    media_type = "application/geo+json"
    format = "geojson"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        features = []
        for row in rows_of(data):
            place = row.get("partner") if isinstance(row.get("partner"), dict) else row
            lon, lat = place.get("longitude"), place.get("latitude")
            geometry = {"type": "Point", "coordinates": [lon, lat]} if lon is not None and lat is not None else None
            ident = row.get("slug", row.get("id"))
            features.append({"type": "Feature", "id": ident, "geometry": geometry, "properties": row})
        collection = {"type": "FeatureCollection", "features": features}
        return json.dumps(collection, cls=JSONEncoder, ensure_ascii=False).encode("utf-8")


class ICalendarRenderer(renderers.BaseRenderer):
    """Events as an iCalendar feed (RFC 5545), all-day entries.

    An event known only to the month or year spans that whole month or year and says so in
    its description, rather than being pinned to an invented day.
    """

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        from icalendar import Calendar
        from icalendar import Event as CalendarEvent

        calendar = Calendar()
        calendar.add("prodid", "-//City Diplomacy Registry//API//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", "City Diplomacy Registry events")
        host = getattr(settings, "REGISTRY_ICAL_UID_DOMAIN", "city-diplomacy-registry")
        for row in rows_of(data):
            start_text = row.get("start_on")
            if not start_text:
                continue
            precision = row.get("start_precision", "day")
            start, end = period(start_text, precision, row.get("end_on"))
            entry = CalendarEvent()
            entry.add("uid", f"{row.get('slug')}@{host}")
            entry.add("summary", row.get("title_en", ""))
            entry.add("dtstart", start)
            entry.add("dtend", end)
            entry.add("dtstamp", parse_timestamp(row.get("updated_at")))
            description = row.get("summary_en") or ""
            if precision != "day":
                description = f"Date known only to the {precision}: {start_text}. {description}".strip()
            if description:
                entry.add("description", description)
            city = row.get("city") or {}
            location = ", ".join(part for part in (row.get("venue"), city.get("name_en")) if part)
            if location:
                entry.add("location", location)
            entry.add("categories", [row.get("kind", "other")])
            calendar.add_component(entry)
        return calendar.to_ical()


def period(start_text: str, precision: str, end_text: str | None) -> tuple[datetime.date, datetime.date]:
    """All-day start and exclusive end of an event written ``YYYY[-MM[-DD]]``."""
    parts = [int(part) for part in start_text.split("-")]
    start = datetime.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    try:
        if precision == "year":
            end = start.replace(year=start.year + 1)
        elif precision == "month":
            end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        else:
            end = start + datetime.timedelta(days=1)
        if end_text:
            end = max(end, datetime.date.fromisoformat(end_text) + datetime.timedelta(days=1))
    except (ValueError, OverflowError):  # a period ending after 9999-12-31
        end = datetime.date.max
    return start, end


def parse_timestamp(text: str | None) -> datetime.datetime:
    if text:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return datetime.datetime.now(datetime.UTC)
