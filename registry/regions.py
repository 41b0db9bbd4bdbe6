"""UN M49 regions of countries.

The mapping country → region → sub-region comes from the UN M49 table shipped in
``registry/data/m49.csv`` (see the README beside it). Region names in English and
Korean come from Babel's CLDR territory names, so nothing here is typed per city.

Public API:

* :func:`region_of(country_code)` → :class:`Region` or ``None`` (the M49 region, e.g. Asia ``142``)
* :func:`subregion_of(country_code)` → :class:`Region` or ``None`` (e.g. Central Asia ``143``)
* :func:`get_region(slug_or_code)` → :class:`Region` (raises ``KeyError`` for an unknown one)
* :func:`countries_in(region)` → ``frozenset`` of ISO 3166-1 alpha-2 codes
* :func:`areas_of(country_code)` → the areas holding a country, at every level
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from django.utils.text import slugify
from django.utils.translation import get_language

DATA_FILE = Path(__file__).resolve().parent / "data" / "m49.csv"

# The UN Statistics Division's English names of M49 areas (the slugs are made from these).
UN_NAMES: dict[str, str] = {
    "002": "Africa",
    "009": "Oceania",
    "019": "Americas",
    "142": "Asia",
    "150": "Europe",
    "015": "Northern Africa",
    "202": "Sub-Saharan Africa",
    "011": "Western Africa",
    "014": "Eastern Africa",
    "017": "Middle Africa",
    "018": "Southern Africa",
    "419": "Latin America and the Caribbean",
    "005": "South America",
    "013": "Central America",
    "029": "Caribbean",
    "021": "Northern America",
    "143": "Central Asia",
    "030": "Eastern Asia",
    "034": "Southern Asia",
    "035": "South-eastern Asia",
    "145": "Western Asia",
    "151": "Eastern Europe",
    "154": "Northern Europe",
    "155": "Western Europe",
    "039": "Southern Europe",
    "830": "Channel Islands",
    "053": "Australia and New Zealand",
    "054": "Melanesia",
    "057": "Micronesia",
    "061": "Polynesia",
}

# Korean names where CLDR has none.
_KO_FALLBACK = {"830": "채널 제도"}

# Each area's slug, made once from its UN English name: every list's Region menu and filter reads
# them, and slugifying each name on every read was most of the cost of a list page's menus.
SLUGS: dict[str, str] = {code: slugify(name) for code, name in UN_NAMES.items()}


@lru_cache(maxsize=16)
def _names(language: str) -> dict[str, str]:
    """Every area's name in ``language`` (a language code without region), read from CLDR once
    per language: the UN's English name where CLDR has none or the language is unknown."""
    if language == "en":
        return UN_NAMES
    try:
        locale = Locale.parse(language)
    except (ValueError, LookupError):
        return UN_NAMES
    return {code: locale.territories.get(code) or _KO_FALLBACK.get(code) or un for code, un in UN_NAMES.items()}


@dataclass(frozen=True)
class Region:
    """A UN M49 area: ``code`` is the three-digit M49 code, ``level`` one of
    ``region``, ``subregion`` or ``intermediate``; ``parent`` the enclosing code or ""."""

    code: str
    level: str
    parent: str = ""

    @property
    def slug(self) -> str:
        """URL slug from the UN English name, e.g. ``central-asia``."""
        return SLUGS[self.code]

    @property
    def un_name(self) -> str:
        """The UN Statistics Division's English name."""
        return UN_NAMES[self.code]

    def name(self, language: str | None = None) -> str:
        """The name in ``language`` (default: the active language), from CLDR via Babel."""
        return _names((language or get_language() or "en").split("-")[0])[self.code]

    def __str__(self) -> str:
        return self.name()


@dataclass(frozen=True)
class _Table:
    regions: dict[str, Region]
    by_country: dict[str, tuple[str, str, str]]  # iso2 -> (region, subregion, intermediate)
    by_key: dict[str, Region]  # slug and code -> area (get_region)
    by_name: tuple[Region, ...]  # every area, by UN English name (all_regions)


@cache
def _table() -> _Table:
    regions: dict[str, Region] = {}
    by_country: dict[str, tuple[str, str, str]] = {}
    with DATA_FILE.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            region, sub, inter = row["region"], row["subregion"], row["intermediate_region"]
            by_country[row["iso2"]] = (region, sub, inter)
            if region:
                regions.setdefault(region, Region(region, "region"))
            if sub:
                regions.setdefault(sub, Region(sub, "subregion", region))
            if inter:
                regions.setdefault(inter, Region(inter, "intermediate", sub))
    by_key = {key: region for region in regions.values() for key in (region.slug, region.code)}
    by_name = tuple(sorted(regions.values(), key=lambda r: r.un_name))
    return _Table(regions, by_country, by_key, by_name)


def _lookup(country_code: str, index: int) -> Region | None:
    codes = _table().by_country.get(str(country_code or "").upper())
    if not codes or not codes[index]:
        return None
    return _table().regions[codes[index]]


def region_of(country_code: str) -> Region | None:
    """The M49 region (continent) of an ISO 3166-1 alpha-2 code, or ``None``."""
    return _lookup(country_code, 0)


def subregion_of(country_code: str) -> Region | None:
    """The M49 sub-region of an ISO 3166-1 alpha-2 code (Kazakhstan: Central Asia), or ``None``."""
    return _lookup(country_code, 1)


def intermediate_region_of(country_code: str) -> Region | None:
    """The M49 intermediate region (Mexico: Central America), or ``None`` where M49 has none."""
    return _lookup(country_code, 2)


def all_regions(level: str | None = None) -> list[Region]:
    """Every M49 area that has at least one country, optionally only one ``level``."""
    return [r for r in _table().by_name if level in (None, r.level)]


def get_region(key: str) -> Region:
    """Find an area by slug (``central-asia``) or M49 code (``143``); ``KeyError`` if unknown."""
    key = str(key).strip().lower()
    try:
        return _table().by_key[key]
    except KeyError:
        raise KeyError(key) from None


def areas_of(country_code: str) -> list[Region]:
    """Every M49 area a country is in (region, sub-region, intermediate region where M49 has one):
    the areas whose :func:`countries_in` holds it (Kazakhstan: Asia, Central Asia)."""
    found = (region_of(country_code), subregion_of(country_code), intermediate_region_of(country_code))
    return [area for area in found if area is not None]


@cache
def countries_in(region: Region) -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes of the countries inside ``region`` (at any level)."""
    index = {"region": 0, "subregion": 1, "intermediate": 2}[region.level]
    return frozenset(iso for iso, codes in _table().by_country.items() if codes[index] == region.code)
