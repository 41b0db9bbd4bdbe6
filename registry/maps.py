"""Server-side maps: an equirectangular projection onto the shipped Natural Earth base map.

The base map ``static/img/world-110m.svg`` (built by ``manage.py build_world_map``) uses
degrees as SVG user units: ``x = longitude + 180``, ``y = 90 - latitude``. Templates draw
it with ``<image>`` and put markers on top, in the same units, so no page loads anything
from another host.

A network map (a ``home`` city and partnership markers) also draws, below the markers, a thin
line from the home city to each partner (:attr:`MapView.links_path`) and shades each country by
its number of partner cities (:func:`country_shades`). A shaded country is the base map's own
path, named by its ISO alpha-2 code and drawn with ``<use href="…/world-110m.svg#JP">``: about
40 bytes a country instead of a copy of its shape (measured on ``/``: 60,670 → 66,229 bytes,
8,207 → 8,995 gzipped, for 28 shaded countries and 38 lines on the world map and its inset).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings

# x, y, width, height of the whole-world view (latitudes 84° N to 58° S; no Antarctica).
WORLD_VIEWBOX = (0, 6, 360, 142)


def project(longitude: float, latitude: float) -> tuple[float, float]:
    """SVG user coordinates of a WGS 84 position."""
    return float(longitude) + 180, 90 - float(latitude)


@dataclass
class Marker:
    """A point on a map: ``x``/``y`` in map units, a ``label`` and a link ``url``."""

    x: float
    y: float
    label: str
    url: str
    number: int | None = None
    kind: str = ""  # a partnership kind (sister, friendship): the marker's class and legend entry
    label_y: float | None = None  # where a labelled map writes the name (moved down to avoid another)
    country: str = ""  # ISO 3166-1 alpha-2 code of the city's country ("" when unknown)


def marker_for(city, number: int | None = None) -> Marker | None:
    """A :class:`Marker` for a City with coordinates, else ``None``."""
    if city.latitude is None or city.longitude is None:
        return None
    x, y = project(city.longitude, city.latitude)
    country = getattr(city.country, "code", city.country) or ""
    return Marker(round(x, 2), round(y, 2), city.name, city.get_absolute_url(), number, country=country)


def partnership_markers(pairs: Iterable) -> list[Marker]:
    """Markers for ``(partner city, partnership)`` pairs, each with the partnership's ``kind``
    and linking to the partnership's page; cities without coordinates are left out."""
    markers = []
    for city, partnership in pairs:
        marker = marker_for(city)
        if marker is not None:
            marker.kind = partnership.kind
            marker.url = partnership.get_absolute_url()
            markers.append(marker)
    return markers


# A dense region drawn again, larger, beside the world map: the Korea Strait and western Japan
# (longitude 124–140° E, latitude 30.5–38.5° N), where Busan, Fukuoka, Shimonoseki, Nagasaki and
# Osaka overlap at world scale.
INSET_BOUNDS = (124.0, 140.0, 30.5, 38.5)


BASE_MAP = settings.BASE_DIR / "static" / "img" / "world-110m.svg"

# Shading classes of countries by number of partner cities: (class, least partners), darkest last.
# The legend in templates/includes/map.html names them; site.css gives each a fill and a hatching.
SHADE_CLASSES = ((1, 1), (2, 2), (3, 4))


@cache
def base_map_countries() -> frozenset[str]:
    """The ISO alpha-2 codes that have their own ``<path id>`` in :data:`BASE_MAP` (read once)."""
    return frozenset(re.findall(r'<path id="([A-Z]{2})"', BASE_MAP.read_text(encoding="utf-8")))


def country_shades(markers: Iterable[Marker]) -> dict[str, int]:
    """Shading class (1–3, see :data:`SHADE_CLASSES`) of each country by its number of distinct
    partner cities among the partnership ``markers`` (those with a ``kind``); countries the base
    map does not draw separately (too small at 1:110m, e.g. Singapore) are left out."""
    cities = {(m.country, m.label, m.x, m.y) for m in markers if m.kind and m.country}
    counts = Counter(country for country, *_ in cities)
    drawn = base_map_countries()
    shades = {}
    for country, count in sorted(counts.items()):
        if country in drawn:
            shades[country] = max(shade for shade, least in SHADE_CLASSES if count >= least)
    return shades


def inset_map(markers: list[Marker], home: Marker | None = None) -> MapView | None:
    """A larger view of the markers inside :data:`INSET_BOUNDS` (with ``home``), with room for
    their labels; ``None`` when fewer than two markers fall there."""
    west, east, south, north = INSET_BOUNDS
    x0, y1 = project(west, south)
    x1, y0 = project(east, north)
    inside = [m for m in markers if x0 <= m.x <= x1 and y0 <= m.y <= y1]
    if len(inside) < 2:
        return None
    # Countries shaded as on the world map (counted over all ``markers``), but only those with a
    # marker inside: the others lie outside the inset (its bounds hold no other partner's country).
    shades = {c: s for c, s in country_shades(markers).items() if c in {m.country for m in inside}}
    view = MapView((x0, y0, x1 - x0, y1 - y0), 0.22, inside, home, labelled=True, shades=shades)
    # Names beside the markers, top to bottom, each pushed below the one above when they would
    # overlap (labels are one line of ``label_size`` map units).
    last = None
    for marker in sorted(inside, key=lambda m: m.y):
        marker.label_y = marker.y if last is None else round(max(marker.y, last + view.label_size), 2)
        last = marker.label_y
    return view


def markers_for(cities: Iterable) -> list[Marker]:
    """Markers for the cities that have coordinates, in the order given."""
    return [marker for city in cities if (marker := marker_for(city)) is not None]


@dataclass
class MapView:
    """What a map template needs: the view box and the marker radius in map units."""

    viewbox: tuple[float, float, float, float]
    radius: float
    markers: list[Marker]
    home: Marker | None = None
    labelled: bool = False  # names drawn beside the markers (where they fit: the inset)
    shades: dict[str, int] = field(default_factory=dict)  # country code -> shading class (country_shades)

    @property
    def shaded(self) -> list[tuple[int, list[str]]]:
        """``(class, country codes)`` pairs to draw, lightest class first, codes in order."""
        return [(shade, sorted(c for c, s in self.shades.items() if s == shade)) for shade in self.shade_classes]

    @property
    def shade_classes(self) -> list[int]:
        """The shading classes in use, lightest first (for the legend)."""
        return sorted(set(self.shades.values()))

    @property
    def links(self) -> list[Marker]:
        """The partnership markers a line is drawn to from the ``home`` city (none without one)."""
        if self.home is None:
            return []
        return [m for m in self.markers if m.kind and (m.x, m.y) != (self.home.x, self.home.y)]

    @property
    def links_path(self) -> str:
        """One ``<path d>`` of straight lines from the home city to each of :attr:`links`."""
        if not self.links:
            return ""
        start = f"M{self.home.x:g} {self.home.y:g}"
        return "".join(f"{start}L{m.x:g} {m.y:g}" for m in self.links)

    @property
    def link_width(self) -> float:
        return round(self.radius / 6, 3)

    @property
    def hatch_size(self) -> float:
        """The spacing of the hatching of shaded countries, in map units."""
        return round(self.radius * 0.7, 3)

    @property
    def kinds(self) -> list[str]:
        """The partnership kinds among the markers, sister first (for the legend)."""
        present = {m.kind for m in self.markers if m.kind}
        return [kind for kind in ("sister", "friendship") if kind in present]

    @property
    def label_size(self) -> float:
        return round(self.radius * 2.6, 2)

    @property
    def home_square(self) -> dict | None:
        """The home city's square: ``x``, ``y`` (top left) and ``size``, in map units."""
        if self.home is None:
            return None
        size = round(self.radius * 2, 2)
        return {"x": round(self.home.x - size / 2, 2), "y": round(self.home.y - size / 2, 2), "size": size}

    @property
    def route_width(self) -> float:
        return round(self.radius / 2.5, 2)

    @property
    def viewbox_attr(self) -> str:
        return " ".join(f"{value:g}" for value in self.viewbox)

    @property
    def world(self) -> tuple[int, int, int, int]:
        return WORLD_VIEWBOX

    @property
    def line_points(self) -> str:
        """The markers joined in order, for an itinerary's ``<polyline points>``."""
        return " ".join(f"{m.x:g},{m.y:g}" for m in self.markers)


def world_map(markers: list[Marker], home: Marker | None = None) -> MapView:
    """The whole world with ``markers`` (and the ``home`` city as a square, with a line to each
    partnership marker), countries shaded by their number of partner cities."""
    return MapView(WORLD_VIEWBOX, 1.6, markers, home, shades=country_shades(markers))


def area_map(markers: list[Marker], *, min_width: float = 60, aspect: float = 0.6) -> MapView:
    """A view around ``markers`` (at least ``min_width`` degrees wide), kept inside the world."""
    if not markers:
        return world_map(markers)
    xs, ys = [m.x for m in markers], [m.y for m in markers]
    width = max(min_width, (max(xs) - min(xs)) * 1.3)
    height = max(width * aspect, (max(ys) - min(ys)) * 1.3)
    width = max(width, height / aspect)
    wx, wy, ww, wh = WORLD_VIEWBOX
    width, height = min(width, ww), min(height, wh)
    x = min(max((max(xs) + min(xs)) / 2 - width / 2, wx), wx + ww - width)
    y = min(max((max(ys) + min(ys)) / 2 - height / 2, wy), wy + wh - height)
    return MapView((round(x, 2), round(y, 2), round(width, 2), round(height, 2)), round(width / 45, 2), markers)
