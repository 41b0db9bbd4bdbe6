"""Build the base map of the public pages from Natural Earth's 110m country shapes.

    python manage.py build_world_map PATH/TO/countries-110m.json

The input is the TopoJSON of Natural Earth (public domain) in the npm package
``world-atlas`` (``npm pack world-atlas``, then ``package/countries-110m.json``). The
output, ``static/img/world-110m.svg``, is committed: the site never fetches a map.

Projection: equirectangular, ``x = longitude + 180`` and ``y = 90 - latitude`` in the
SVG's user units (degrees), so :mod:`registry.maps` places markers with the same formula.
Antarctica is left out and the view box is cropped to the inhabited latitudes.

Each country's ``<path>`` has its ISO 3166-1 alpha-2 code as ``id`` (from the TopoJSON's
numeric ``id`` via django-countries; Kosovo, Northern Cyprus and Somaliland have none and
get no ``id``), so a page can shade a country with ``<use href="…/world-110m.svg#JP">``
instead of copying its shape (see :func:`registry.maps.country_shades`).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_countries import countries

from registry import maps

DEFAULT_OUT = settings.BASE_DIR / "static" / "img" / "world-110m.svg"
ANTARCTICA = "010"


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The arcs of a quantized TopoJSON topology as lists of (longitude, latitude)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Join the arcs of one ring (a negative index ``~i`` is arc ``i`` reversed)."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def unwrap(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make longitudes continuous: a ring crossing the antimeridian goes past ±180
    instead of jumping across the whole map."""
    result: list[tuple[float, float]] = []
    for lon, lat in points:
        if result:
            previous = result[-1][0]
            while lon - previous > 180:
                lon -= 360
            while previous - lon > 180:
                lon += 360
        result.append((lon, lat))
    return result


def ring_paths(points: list[tuple[float, float]]) -> str:
    """The SVG sub-path of a ring; a ring that crosses the antimeridian is drawn on both
    edges of the map (the view box clips what lies outside)."""
    points = unwrap(points)
    lons = [lon for lon, _ in points]
    shifts = [0]
    if max(lons) > 180:
        shifts.append(-360)
    if min(lons) < -180:
        shifts.append(360)
    return "".join(ring_path([(lon + shift, lat) for lon, lat in points]) for shift in shifts)


def ring_path(points: list[tuple[float, float]]) -> str:
    """An SVG sub-path for a ring, rounded to 0.1 degree, repeated points dropped."""
    coords: list[str] = []
    previous = None
    for lon, lat in points:
        x, y = maps.project(lon, lat)
        point = f"{x:.1f} {y:.1f}".replace(".0 ", " ").removesuffix(".0")
        if point != previous:
            coords.append(point)
            previous = point
    if len(coords) < 3:
        return ""
    return "M" + "L".join(coords) + "Z"


class Command(BaseCommand):
    help = "Convert Natural Earth 110m countries (world-atlas TopoJSON) into static/img/world-110m.svg."

    def add_arguments(self, parser):
        parser.add_argument("topojson", type=Path, help="countries-110m.json from the world-atlas npm package")
        parser.add_argument("--out", type=Path, default=DEFAULT_OUT)

    def handle(self, *args, topojson: Path, out: Path, **options):
        try:
            topology = json.loads(topojson.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {topojson}: {error}") from error
        arcs = decode_arcs(topology)
        paths = []
        for geometry in topology["objects"]["countries"]["geometries"]:
            if geometry.get("id") == ANTARCTICA:
                continue
            polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
            d = "".join(ring_paths(ring_points(ring, arcs)) for polygon in polygons for ring in polygon)
            if d:
                code = countries.alpha2(geometry["id"]) if geometry.get("id") else ""
                paths.append(f'<path id="{code}" d="{d}"/>' if code else f'<path d="{d}"/>')
        x, y, width, height = maps.WORLD_VIEWBOX
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x} {y} {width} {height}">'
            "<!-- Natural Earth 110m countries (public domain), via the world-atlas npm package;"
            " built by manage.py build_world_map -->"
            f'<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="#dcebf7"/>'
            '<g fill="#f4f1ea" stroke="#9aa5b1" stroke-width="0.15" stroke-linejoin="round">'
            + "\n".join(paths)
            + "</g></svg>\n"
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(svg, encoding="utf-8")
        self.stdout.write(f"Wrote {len(paths)} countries to {out} ({out.stat().st_size:,} bytes).")
