"""First-level subdivisions of countries (ISO 3166-2): provinces, states, metropolitan cities.

The table is ``registry/data/iso_3166_2.csv`` (the home country's rows of the iso-codes project's
ISO 3166-2 list; see the README beside it). A city of a country listed there must carry one of
that country's codes; for a country not listed only the code's form and country prefix are checked.

Public API:

* :func:`subdivisions_of(country)` → ``dict`` code → :class:`Subdivision` (empty for a country not listed)
* :func:`get(code)` → :class:`Subdivision` or ``None``
* :func:`validate(code, country)` → ``None``, or raises ``ValidationError`` naming the rule
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

DATA_FILE = Path(__file__).resolve().parent / "data" / "iso_3166_2.csv"
CODE_FORM = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")


@dataclass(frozen=True)
class Subdivision:
    """One ISO 3166-2 subdivision: ``code`` (``KR-26``), ``name`` (``Busan-gwangyeoksi``, the
    ISO short name), ``type`` (``Metropolitan city``) and ``name_ko`` (``부산광역시``, ``""`` where
    the table gives none), all ``str``."""

    code: str
    name: str
    type: str
    name_ko: str = ""

    @property
    def localized_name(self) -> str:
        """The name in the active language: :attr:`name_ko` on Korean pages when known, else :attr:`name`."""
        if self.name_ko and (get_language() or "").split("-")[0] == "ko":
            return self.name_ko
        return self.name

    @property
    def country(self) -> str:
        """The ISO 3166-1 alpha-2 code before the hyphen (``KR``)."""
        return self.code.split("-")[0]


@cache
def _table() -> dict[str, Subdivision]:
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: Subdivision(row["code"], row["name"], row["type"], row.get("name_ko") or "")
            for row in csv.DictReader(handle)
        }


def subdivisions_of(country: str) -> dict[str, Subdivision]:
    """The listed subdivisions of ``country`` (ISO alpha-2, any case), by code, in code order."""
    prefix = f"{str(country).upper()}-"
    return {code: sub for code, sub in _table().items() if code.startswith(prefix)}


def get(code: str) -> Subdivision | None:
    """The listed subdivision with ISO 3166-2 ``code``, or ``None``."""
    return _table().get(code)


def validate(code: str, country: str) -> None:
    """Check that ``code`` is an ISO 3166-2 code of ``country`` (ISO alpha-2): of the form
    ``KR-26``, starting with the country, and listed when the table lists that country.
    An empty ``code`` passes. Raises ``ValidationError`` (codes ``subdivision_form``,
    ``subdivision_country``, ``subdivision_unknown``)."""
    if not code:
        return
    if not CODE_FORM.match(code):
        raise ValidationError(
            _("An ISO 3166-2 code is the country code, a hyphen and up to three letters or digits, e.g. KR-26."),
            code="subdivision_form",
        )
    country = str(country).upper()
    if code.split("-")[0] != country:
        raise ValidationError(
            _("%(code)s is not a subdivision of %(country)s."),
            code="subdivision_country",
            params={"code": code, "country": country},
        )
    listed = subdivisions_of(country)
    if listed and code not in listed:
        raise ValidationError(
            _("%(code)s is not an ISO 3166-2 subdivision of %(country)s (known: %(known)s)."),
            code="subdivision_unknown",
            params={"code": code, "country": country, "known": ", ".join(listed)},
        )
