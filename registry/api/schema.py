"""The OpenAPI schema class of the API (drf-spectacular), set once in ``settings.REST_FRAMEWORK``."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from .exceptions import PROBLEM_JSON
from .serializers import ErrorSerializer

GEOJSON_FEATURE_COLLECTION = {
    "type": "object",
    "description": "GeoJSON FeatureCollection (RFC 7946): one Point [longitude, latitude] per row (a "
    "partnership at its partner city); `geometry` is null where coordinates are unknown; `properties` "
    "holds the row's CSV columns as JSON values.",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                    "geometry": {
                        "type": "object",
                        "nullable": True,
                        "properties": {
                            "type": {"type": "string", "enum": ["Point"]},
                            "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
                        },
                    },
                    "properties": {"type": "object", "additionalProperties": True},
                },
            },
        },
    },
}
EXPORT_SCHEMAS = {
    "text/csv": {
        "type": "string",
        "description": "UTF-8 CSV with a header row, one row per record in flat columns, the same as the "
        "page's CSV: references as slugs (a partnership by id), ISO country codes, dates at their precision "
        "beside their `*_precision` column, lists `; `-joined; a cell a spreadsheet would run as a formula "
        "starts with `'`.",
    },
    "application/geo+json": GEOJSON_FEATURE_COLLECTION,
    "text/calendar": {
        "type": "string",
        "description": "iCalendar (RFC 5545): all-day events, a year- or month-only date spanning that "
        "period; the same VEVENTs and UIDs (`event-<slug>@<domain>`) as /events/calendar.ics.",
    },
}

ERROR_CODES = {
    "GET": ("400", "401", "404", "429", "500"),
    "POST": ("400", "401", "403", "404", "409", "413", "429", "500"),
    "PUT": ("400", "401", "403", "404", "409", "412", "413", "429", "500"),
    "PATCH": ("400", "401", "403", "404", "409", "412", "413", "429", "500"),
    "DELETE": ("401", "403", "404", "409", "412", "429", "500"),
}


class RegistryAutoSchema(AutoSchema):
    """Documents the error answers every operation may give, and ``?format=`` on lists."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        content = responses.get("200", {}).get("content", {})
        for media_type in list(content):
            if media_type in EXPORT_SCHEMAS:
                content[media_type] = {"schema": EXPORT_SCHEMAS[media_type]}
        for code in ERROR_CODES.get(self.method, ()):
            if code == "400" and self.method == "GET" and not self._is_list_view() and "as_of" not in self.path:
                continue
            if code not in responses:
                error = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                schema = next(iter(error.get("content", {}).values()), {}).get("schema")
                error["content"] = {PROBLEM_JSON: {"schema": schema}}
                responses[code] = error
        return responses

    def get_override_parameters(self):
        params = super().get_override_parameters()
        view = self.view
        if self.method == "GET" and getattr(view, "action", None) == "list" and getattr(view, "filterset_class", None):
            formats = [r.format for r in view.renderer_classes if r.format != "api"]
            params = [
                *params,
                OpenApiParameter(
                    "format",
                    OpenApiTypes.STR,
                    enum=formats,
                    description="Answer format (instead of the Accept header). Exports are not paginated.",
                ),
            ]
        return params
