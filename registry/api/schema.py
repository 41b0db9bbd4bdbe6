"""The OpenAPI schema class of the API (drf-spectacular), set once in ``settings.REST_FRAMEWORK``."""

from __future__ import annotations

import re

from django.conf import settings
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_lib_doc_excludes
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from .. import dates
from ..filter_parameters import LANGUAGE_PARAMETER, LARGEST_NUMBER
from .change_reason import HEADER, HEADER_DESCRIPTION
from .exceptions import PROBLEM_JSON, ErrorSerializer
from .fields import FieldsBuiltOnceSerializer
from .serializers import RegistrySerializer
from .serializers_actions import PartnershipActionSerializer

# Request bodies that refuse unknown fields (400 ``unknown_field``) and take the change reason.
STRICT_BODIES = (RegistrySerializer, PartnershipActionSerializer)

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


def lib_doc_excludes() -> list[type]:
    """The classes whose docstring no schema description shows (``SPECTACULAR_SETTINGS
    ["GET_LIB_DOC_EXCLUDES"]``): drf-spectacular's own (DRF's serializers, views and mixins) and
    :class:`~registry.api.fields.FieldsBuiltOnceSerializer`, whose docstring tells how fields are
    built, not what a record is; a serializer without a docstring of its own showed it; and
    :class:`~registry.api.serializers.RegistrySerializer`, whose docstring tells how input is
    parsed: it described 18 request bodies of records that have no docstring of their own."""
    return [*get_lib_doc_excludes(), FieldsBuiltOnceSerializer, RegistrySerializer]


ERROR_CODES = {
    "GET": ("400", "401", "404", "429", "500"),
    "POST": ("400", "401", "403", "404", "409", "413", "429", "500"),
    "PUT": ("400", "401", "403", "404", "409", "412", "413", "429", "500"),
    "PATCH": ("400", "401", "403", "404", "409", "412", "413", "429", "500"),
    "DELETE": ("400", "401", "403", "404", "409", "412", "429", "500"),
}


class RegistryAutoSchema(AutoSchema):
    """Documents the error answers every operation may give, and ``?format=`` on lists."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        content = responses.get("200", {}).get("content", {})
        for media_type in list(content):
            if media_type in EXPORT_SCHEMAS:
                content[media_type] = {"schema": EXPORT_SCHEMAS[media_type]}
        # Every GET may answer 400: a list for its filters, the network for ``as_of``, and any of
        # them for a ``?format=`` it does not offer (``renderers.RegistryContentNegotiation``).
        codes = ERROR_CODES.get(self.method, ())
        if self.method == "POST" and getattr(self.view, "detail", False):
            codes = (*codes, "412")  # an action on a record checks If-Match, as every write of it does
        for code in codes:
            if code not in responses:
                error = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                schema = next(iter(error.get("content", {}).values()), {}).get("schema")
                error["content"] = {PROBLEM_JSON: {"schema": schema}}
                responses[code] = error
        return responses

    def get_auth(self):
        """Reading is open to everyone: reads list no authentication (``{}``) besides the schemes."""
        auth = super().get_auth()
        if self.method in ("GET", "HEAD") and {} not in auth:
            auth = [*auth, {}]
        return auth

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        """Request bodies of the records and of the partnership actions refuse unknown fields
        (:data:`STRICT_BODIES`), so their schemas say ``additionalProperties: false``."""
        result = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and isinstance(serializer, STRICT_BODIES):
            result["additionalProperties"] = False
        return result

    def get_override_parameters(self):
        """The ``lang`` parameter of every read, the ``format`` parameter of lists; the
        ``X-Change-Reason`` header of every write whose
            body takes a change reason (:mod:`registry.api.change_reason`)."""
        params = super().get_override_parameters()
        view = self.view
        body = self.get_request_serializer() if self.method in ("POST", "PUT", "PATCH") else None
        if body is not None and issubclass(body if isinstance(body, type) else type(body), STRICT_BODIES):
            params = [
                *params,
                OpenApiParameter(
                    HEADER,
                    {"type": "string", "pattern": "^[ -~]*$"},
                    location=OpenApiParameter.HEADER,
                    description=HEADER_DESCRIPTION + " Documented here in its ASCII forms.",
                ),
            ]
        if self.method == "GET":
            params = [
                *params,
                OpenApiParameter(
                    LANGUAGE_PARAMETER,
                    OpenApiTypes.STR,
                    enum=[code for code, _ in settings.LANGUAGES],
                    description=(
                        "Language of the answer's text (names, labels, messages), as a BCP 47 tag; "
                        "outranks the Accept-Language header. A language the site does not have is a 400."
                    ),
                ),
            ]
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


# Query parameters that are not filters: an empty value is not "any" for them.
UNFILTERED = {"page", "page_size", "format", LANGUAGE_PARAMETER}
# Text with no NUL character (an ECMA-262 pattern, as in JSON Schema): what
# ``registry.text.UNSTORABLE`` leaves of a query parameter's value. (Its lone surrogates
# cannot be stated for every client's regular expressions, and cannot be sent in a URL.)
STORABLE_TEXT = r"^[^\u0000]*$"


def parameter_components() -> dict[str, dict]:
    """The value sets of date parameters (:func:`registry.dates.parse_query_date`), of the bounds
    of a range (:func:`registry.dates.parse_query_bound`) and of the
    ``country`` and ``region`` filters (``registry.filters``), as schema components the
    parameters refer to: every value the server accepts, and no other."""
    from ..filter_parameters import country_code_values, region_values

    return {
        "QueryDate": {
            "type": "string",
            "format": "date",
            "pattern": dates.query_date_pattern(),
            "description": f"A date as YYYY-MM-DD (ASCII digits) from {dates.EARLIEST} to {dates.LATEST}.",
        },
        "QueryBound": {
            "type": "string",
            "pattern": dates.query_bound_pattern(),
            "description": (
                "A bound of a range: a date as YYYY, YYYY-MM or YYYY-MM-DD (ASCII digits; a day that exists) "
                f"from {dates.EARLIEST.year} to {dates.LATEST.year}. A year or a month stands for its first day "
                "in an _after parameter (2020: 2020-01-01) and its last day in a _before one (2020: 2020-12-31, "
                "2020-02: 2020-02-29)."
            ),
        },
        "CountryCode": {
            "type": "string",
            "enum": country_code_values(),
            "description": "ISO 3166-1 alpha-2 country code, in capitals or in lower case (KZ or kz; not Kz). "
            "Repeat the parameter for several (country=KZ&country=JP); a comma-separated list is refused.",
        },
        "RegionCode": {
            "type": "string",
            "enum": region_values(),
            "description": "UN M49 region, sub-region or intermediate region: its slug (central-asia) or its "
            "three-digit code (143), exactly as listed.",
        },
    }


EMPTY = {"type": "string", "maxLength": 0}  # an empty query parameter: no filter


def document_parameter_bounds(result, generator, request, public):
    """Postprocessing hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``): the values the
    server accepts for query parameters, so the schema admits exactly what is accepted:
    ids and page numbers run from 1 to 2**63 - 1 (``partnership``, ``page``); ``page_size`` starts
    at 1 and a larger one is capped at ``settings.REGISTRY_API_MAX_PAGE_SIZE``; ``country`` and
    ``region`` and dates take the values of :func:`parameter_components`; free text (a search, a
    slug) holds no NUL character, which ``registry.middleware.UnstorableTextMiddleware`` refuses
    in every parameter (:data:`STORABLE_TEXT`); a filter may be empty (``?kind=``: any kind, as a
    page's form sends it)."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(parameter_components())
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if parameter.get("in") != "query":
                    continue
                if schema.get("format") == "date":
                    parameter["schema"] = schema = {"$ref": "#/components/schemas/QueryDate"}
                if schema.get("type") == "string" and not schema.keys() & {"enum", "format", "pattern"}:
                    schema["pattern"] = STORABLE_TEXT
                if schema.get("type") == "integer":
                    schema.setdefault("minimum", 1)
                    if parameter["name"] != "page_size":  # a larger page size is capped, not refused
                        schema.setdefault("maximum", LARGEST_NUMBER)
                if parameter["name"] in UNFILTERED:
                    continue
                # An empty filter (what a page's form sends for "any") selects everything.
                if schema.get("type") in ("string", "integer") or "$ref" in schema:
                    parameter["schema"] = {"anyOf": [schema, EMPTY]}
                elif schema.get("type") == "array" and schema.get("items", {}).get("$ref", "").endswith("/CountryCode"):
                    schema["items"] = {"anyOf": [schema["items"], EMPTY]}  # country=, one select's "Any country"
    return result


# reST inline markup of the docstrings the descriptions come from: ``literal`` and a role
# (:func:`~registry.dates.iso`, :class:`Name`, :func:`text <target>`).
RST_LITERAL = re.compile(r"``(.+?)``", re.DOTALL)
RST_ROLE = re.compile(
    r":(?:py:)?(?:func|class|meth|attr|data|mod|exc|obj):`(?:(?P<text>[^`<]*?)\s*<[^`>]+>|(?P<short>~?)(?P<name>[^`]+))`"
)


def commonmark(text: str) -> str:
    """``text`` (a docstring) in CommonMark, as OpenAPI reads a ``description``: ````x```` is
    ```x```, and a Python reference (``:func:`~registry.dates.iso```) is the code span of its last
    name (```iso```) or of its text when it gives one."""

    def role(match: re.Match) -> str:
        if match["text"] is not None:
            return f"`{match['text']}`"
        return f"`{match['name'].rsplit('.', 1)[-1] if match['short'] else match['name']}`"

    return RST_ROLE.sub(role, RST_LITERAL.sub(r"`\1`", text))


def commonmark_descriptions(result, generator, request, public):
    """Postprocessing hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``): every
    ``description`` of the schema in CommonMark (:func:`commonmark`): the operations' and
    components' descriptions come from docstrings written in reST for the code's readers, and
    showed ````ETag```` and ``:func:`record_etag``` to the API's."""

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "description" and isinstance(value, str):
                    node[key] = commonmark(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(result)
    return result
