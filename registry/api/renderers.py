"""Export formats of the API lists: CSV, XLSX, GeoJSON and iCalendar, the DRF side only.

Each is chosen with ``?format=csv|xlsx|geojson|ics`` or the ``Accept`` header. The viewsets
hand these renderers the filtered queryset (not serialized rows; see
``RegistryViewSet.list``) and each calls its builder in :mod:`registry.exports`, the same
one the pages use, for the requesting user. Exports are not paginated: they hold every row
the filters select. ``body()`` gives the builder's pieces, which a list streams
(:func:`registry.exports.export_response`); ``render()`` joins them (one record's export).
"""

from __future__ import annotations

from django.utils.translation import gettext
from rest_framework import exceptions, renderers
from rest_framework.negotiation import DefaultContentNegotiation

from .. import exports


def reader(renderer_context: dict | None):
    """The user the rows are rendered for (``None``: anonymous)."""
    request = (renderer_context or {}).get("request")
    return getattr(request, "user", None)


class ExportRenderer(renderers.BaseRenderer):
    """Base of the export renderers: :meth:`body` is the builder's output for a queryset."""

    def body(self, data, renderer_context=None):
        """The export of ``data`` (a queryset) for the reader, as the builder gives it."""
        raise NotImplementedError

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return b"".join(exports.blocks(self.body(data, renderer_context)))


class CSVRenderer(ExportRenderer):
    """UTF-8 CSV with a byte-order mark and a header row, the columns of
    :func:`registry.exports.csv_lines`."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def body(self, data, renderer_context=None):
        return exports.csv_lines(data, user=reader(renderer_context))

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return exports.BOM.encode() + super().render(data, accepted_media_type, renderer_context)


class XLSXRenderer(ExportRenderer):
    """An XLSX workbook with the CSV's rows and columns, :func:`registry.exports.xlsx_chunks`."""

    media_type = exports.CONTENT_TYPES["xlsx"]
    format = "xlsx"
    charset = None
    render_style = "binary"

    def body(self, data, renderer_context=None):
        return exports.xlsx_chunks(data, user=reader(renderer_context))


class GeoJSONRenderer(ExportRenderer):
    """A GeoJSON FeatureCollection (RFC 7946), :func:`registry.exports.geojson_chunks`."""

    media_type = "application/geo+json"
    format = "geojson"
    charset = None

    def body(self, data, renderer_context=None):
        return exports.geojson_chunks(data, user=reader(renderer_context))


class ICalendarRenderer(ExportRenderer):
    """Events as iCalendar (RFC 5545), :func:`registry.exports.icalendar_chunks`: the same
    VEVENTs and UIDs as the page feed ``/events/calendar.ics``."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def body(self, data, renderer_context=None):
        request = renderer_context["request"]
        return exports.icalendar_chunks(
            data,
            user=request.user,
            site_url=request.build_absolute_uri("/"),
            title=gettext("City Diplomacy Registry: events"),
        )


class RegistryContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, except that ``?format=`` naming no format this endpoint offers is a
    400 naming the parameter and the formats it takes (DRF answers 404, as if the record were
    missing)."""

    def filter_renderers(self, renderers, format):
        chosen = [renderer for renderer in renderers if renderer.format == format]
        if not chosen:
            offered = ", ".join(renderer.format for renderer in renderers if renderer.format != "api")
            message = gettext("Unknown format “%(format)s”; this endpoint offers: %(offered)s.") % {
                "format": format,
                "offered": offered,
            }
            raise exceptions.ValidationError({"format": [exceptions.ErrorDetail(message, code="invalid_choice")]})
        return chosen
