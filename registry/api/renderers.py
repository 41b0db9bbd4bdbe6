"""Export formats of the API lists: CSV, GeoJSON and iCalendar, the DRF side only.

Each is chosen with ``?format=csv|geojson|ics`` or the ``Accept`` header. The viewsets hand
these renderers the filtered queryset (not serialized rows; see
``RegistryViewSet.list``) and each calls its builder in :mod:`registry.exports`, the same
one the pages use, for the requesting user. Exports are not paginated: they hold every row
the filters select.
"""

from __future__ import annotations

from rest_framework import exceptions, renderers
from rest_framework.negotiation import DefaultContentNegotiation

from .. import exports


def reader(renderer_context: dict | None):
    """The user the rows are rendered for (``None``: anonymous)."""
    request = (renderer_context or {}).get("request")
    return getattr(request, "user", None)


class CSVRenderer(renderers.BaseRenderer):
    """UTF-8 CSV with a header row, the columns of :func:`registry.exports.csv_lines`."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return "".join(exports.csv_lines(data, user=reader(renderer_context))).encode(self.charset)


class GeoJSONRenderer(renderers.BaseRenderer):
    """A GeoJSON FeatureCollection (RFC 7946), :func:`registry.exports.geojson_chunks`."""

    media_type = "application/geo+json"
    format = "geojson"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return "".join(exports.geojson_chunks(data, user=reader(renderer_context))).encode("utf-8")


class ICalendarRenderer(renderers.BaseRenderer):
    """Events as iCalendar (RFC 5545), :func:`registry.exports.icalendar_chunks`: the same
    VEVENTs and UIDs as the page feed ``/events/calendar.ics``."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        request = renderer_context["request"]
        chunks = exports.icalendar_chunks(
            data,
            user=request.user,
            site_url=request.build_absolute_uri("/"),
            title="City Diplomacy Registry: events",
        )
        return b"".join(chunks)


class RegistryContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, except that ``?format=`` naming no format this endpoint offers is a
    400 naming the parameter and the formats it takes (DRF answers 404, as if the record were
    missing)."""

    def filter_renderers(self, renderers, format):
        chosen = [renderer for renderer in renderers if renderer.format == format]
        if not chosen:
            offered = ", ".join(renderer.format for renderer in renderers if renderer.format != "api")
            message = f"Unknown format {format!r}; this endpoint offers: {offered}."
            raise exceptions.ValidationError({"format": [exceptions.ErrorDetail(message, code="invalid_choice")]})
        return chosen
