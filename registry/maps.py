"""Server-side maps: an equirectangular projection onto the shipped Natural Earth base map.

The base map ``static/img/world-110m.svg`` (built by ``manage.py build_world_map``) uses
degrees as SVG user units: ``x = longitude + 180``, ``y = 90 - latitude``. Templates draw
it with ``<image>`` and put markers on top, in the same units, so no page loads anything
from another host.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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


def marker_for(city, number: int | None = None) -> Marker | None:
    """A :class:`Marker` for a City with coordinates, else ``None``."""
    if city.latitude is None or city.longitude is None:
        return None
    x, y = project(city.longitude, city.latitude)
    return Marker(round(x, 2), round(y, 2), city.name, city.get_absolute_url(), number)


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
    """The whole world with ``markers`` (and the ``home`` city as a square)."""
    return MapView(WORLD_VIEWBOX, 1.6, markers, home)


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
