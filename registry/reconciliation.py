"""The office's own published totals beside the registry's, for the reconciliation page.

``PUBLISHED_FIGURES`` are what the home city's office published (from
``../shared/data/busan_partners.md``, §1 and §3: Busan's English lists "as of January 2022" and the
press release of 2022-09-21); they are quotations, not data of the registry. :func:`reconcile`
computes the registry's figure for each from the rows (:func:`registry.network.network_summary`,
the one counting rule) on the date the office's figure refers to, and says whether they agree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import network
from .models import City


@dataclass(frozen=True)
class PublishedFigure:
    """One total the office published: ``cities`` partner cities in ``countries`` countries
    of ``kind`` (``sister``, ``friendship`` or ``""`` for both) on ``as_of`` (the last day of the
    period it is "as of"), which the source states to ``stated_precision`` (``month``: "as of
    January 2022"; a :class:`registry.dates.DatePrecision` value, shown in the reader's language),
    quoted from ``source_title`` (in the reader's language, a quoted page title as it is: the Korean
    ``/ko/counting/`` named its sources in English, helper-106) at ``source_url``."""

    home_slug: str
    kind: str
    cities: int
    countries: int
    as_of: datetime.date
    stated_precision: str
    source_title: str  # or a lazy translation of one
    source_url: str


PUBLISHED_FIGURES = [
    PublishedFigure(
        "busan",
        "sister",
        26,
        23,
        datetime.date(2022, 1, 31),
        "month",
        _("Busan Metropolitan City, “Sister Cities (26 from 23 countries)”"),
        "https://www.busan.go.kr/eng/bssister",
    ),
    PublishedFigure(
        "busan",
        "friendship",
        11,
        6,
        datetime.date(2022, 1, 31),
        "month",
        _("Busan Metropolitan City, friendly cooperation cities"),
        "https://www.busan.go.kr/eng/bssister",
    ),
    PublishedFigure(
        "busan",
        "",
        38,
        28,
        datetime.date(2022, 9, 21),
        "day",
        _("Busan Metropolitan City, press release of 2022-09-21 (Almaty)"),
        "",
    ),
]

KIND_LABELS = {"sister": _("Sister cities"), "friendship": _("Friendship cities"), "": _("All partner cities")}


@dataclass
class Reconciliation:
    """One published figure beside the registry's on the same date (``cities``/``countries``
    computed from the rows) and, for the countries, how many of them are Taiwan (``TW``)."""

    figure: PublishedFigure
    cities: int
    countries: int
    taiwan_counted: bool

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.figure.kind])

    @property
    def city_difference(self) -> int:
        return self.cities - self.figure.cities

    @property
    def country_difference(self) -> int:
        return self.countries - self.figure.countries

    @property
    def agrees(self) -> bool:
        return self.city_difference == 0 and self.country_difference == 0


def reconcile(home: City) -> list[Reconciliation]:
    """The published figures of ``home`` (none for another home city), each with the registry's
    own figure on its date; one network summary query per date, plus one query per date for
    whether a partner in Taiwan is counted."""
    rows = []
    for figure in (f for f in PUBLISHED_FIGURES if f.home_slug == home.slug):
        summary = network.cached_network_summary(home, figure.as_of)
        tally = summary.by_kind.get(figure.kind) if figure.kind else summary
        in_force = network.partnerships_of(home).in_force_on(figure.as_of)
        if figure.kind:
            in_force = in_force.filter(kind=figure.kind)
        rows.append(
            Reconciliation(
                figure,
                tally.partner_cities,
                tally.countries,
                taiwan_counted=in_force.filter(other_country="TW").exists(),
            )
        )
    return rows
