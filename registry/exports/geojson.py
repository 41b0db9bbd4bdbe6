"""GeoJSON (RFC 7946): cities and partnerships (at the partner city) as Points."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import QuerySet

from .rows import coordinate, records, values
from .tables import TABLES


def point(place: tuple) -> dict | None:
    """A GeoJSON Point ``[longitude, latitude]`` at ``place`` (``(latitude, longitude)``), or
    ``None`` without coordinates."""
    latitude, longitude = place
    if latitude is None or longitude is None:
        return None
    return {"type": "Point", "coordinates": [coordinate(longitude), coordinate(latitude)]}


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
