"""Round anniversaries (10th, 20th, 25th, 30th, 40th, 50th, 60th) of partnerships and of the
home country's diplomatic relations with partner countries, at the precision their date is known.

A partnership established on 1992-01-28 (day precision) has its 30th anniversary on 2022-01-28;
one known only to the year (1966) has its 10th in the year 1976, shown as "1976", never as an
invented day. The diplomatic relations come from ``registry/data/korea_diplomatic_relations.csv``
(sourced, see the README beside it) and count only when the home city is in Korea.

Public API:

* :data:`ROUND_YEARS` — the ordinals celebrated
* :func:`ordinal(number)` → ``"30th"`` (English) / ``"30주년"`` (Korean)
* :func:`upcoming(user=…, start=…)` (the next 24 months) → list of :class:`Anniversary`, by date
* :func:`with_partnerships(items)` → ``items`` with each partnership's anniversary holding it
* :func:`diplomatic_relations()` → list of :class:`DiplomaticRelation` (the table's rows)

Used by the anniversaries page, the calendar feed (:func:`registry.exports.icalendar_chunks`)
and the reminders (:mod:`registry.reminders`).
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_countries import countries

from . import dates
from .models import DatePrecision, Partnership, home_city, other_side

ROUND_YEARS = (10, 20, 25, 30, 40, 50, 60)
RELATIONS_FILE = Path(__file__).resolve().parent / "data" / "korea_diplomatic_relations.csv"
RELATIONS_HOME_COUNTRY = "KR"


def ordinal(number: int) -> str:
    """The ordinal of an anniversary in the active language: ``30th``, ``1st``, ``2nd``, ``3rd``,
    ``11th`` in English; the Korean translation of the suffix gives ``30주년``."""
    if 10 <= number % 100 <= 20:
        suffix = pgettext("anniversary ordinal suffix", "th")
    else:
        suffix = {
            1: pgettext("anniversary ordinal suffix", "st"),
            2: pgettext("anniversary ordinal suffix", "nd"),
            3: pgettext("anniversary ordinal suffix", "rd"),
        }.get(number % 10) or pgettext("anniversary ordinal suffix", "th")
    return f"{number}{suffix}"


@dataclass(frozen=True)
class DiplomaticRelation:
    """One row of the sourced table: relations between Korea and ``country`` from
    ``established_on`` (at ``precision``) until ``ended_on`` (``None``: current)."""

    country: str
    established_on: datetime.date
    precision: str
    ended_on: datetime.date | None
    sources: tuple[str, ...]
    notes: str


def _parse(value: str, precision: str) -> datetime.date:
    parts = [int(part) for part in value.split("-")]
    if precision == DatePrecision.YEAR:
        return datetime.date(parts[0], 1, 1)
    if precision == DatePrecision.MONTH:
        return datetime.date(parts[0], parts[1], 1)
    return datetime.date(*parts)


def _ended(value: str) -> datetime.date | None:
    if not value:
        return None
    return _parse(value, DatePrecision.DAY if len(value) == 10 else DatePrecision.YEAR)


@cache
def diplomatic_relations() -> tuple[DiplomaticRelation, ...]:
    """Every row of ``korea_diplomatic_relations.csv`` (read once per process)."""
    with RELATIONS_FILE.open(encoding="utf-8", newline="") as handle:
        return tuple(
            DiplomaticRelation(
                country=row["country_iso2"].strip().upper(),
                established_on=_parse(row["established_on"].strip(), row["precision"].strip()),
                precision=row["precision"].strip(),
                ended_on=_ended(row["ended_on"].strip()),
                sources=tuple(url.strip() for url in row["source"].split(";") if url.strip()),
                notes=row["notes"].strip(),
            )
            for row in csv.DictReader(handle)
            if row["established_on"].strip()
        )


@dataclass(frozen=True)
class Anniversary:
    """The ``years``-th anniversary of something that began on ``since`` (at ``precision``),
    falling on ``on`` (the first day of the day, month or year it falls in, at the same precision).

    ``subject`` is a stable key (``partnership-12``, ``relations-KZ``) for calendar UIDs and
    reminders; ``url`` the page it links to (``None`` for diplomatic relations, whose page is
    the table's sources). A partnership's anniversary has ``partnership_id``, and ``partnership``
    (with both cities) once loaded (:func:`with_partnerships`), which ``url`` and ``title`` read."""

    on: datetime.date
    precision: str
    years: int
    since: datetime.date
    subject: str
    partnership_id: int | None = None
    partnership: Partnership | None = None
    country: str = ""
    sources: tuple[str, ...] = ()

    @property
    def ends(self) -> datetime.date:
        """The first day after the period the anniversary falls in (:func:`dates.period_end`)."""
        return dates.period_end(self.on, self.precision)

    @property
    def url(self) -> str | None:
        """The partner city's page for a partnership; ``None`` for diplomatic relations."""
        return self.partnership.get_absolute_url() if self.partnership else None

    @property
    def occasion(self) -> str:
        """What is celebrated, in the active language: "Busan and Almaty (friendship city)" or
        "diplomatic relations between South Korea and Kazakhstan"."""
        if self.partnership is not None:
            return _("the %(kind)s partnership of %(city)s and %(partner)s") % {
                "kind": self.partnership.get_kind_display(),
                "city": self.partnership.city.name,
                "partner": self.partnership.partner.name,
            }
        return _("diplomatic relations between %(home)s and %(country)s") % {
            "home": countries.name(RELATIONS_HOME_COUNTRY),
            "country": countries.name(self.country),
        }

    @property
    def title(self) -> str:
        """ "30th anniversary of diplomatic relations between South Korea and Kazakhstan" /
        "대한민국–카자흐스탄 수교 30주년" in the active language."""
        return _("%(ordinal)s anniversary of %(occasion)s") % {
            "ordinal": ordinal(self.years),
            "occasion": self.occasion,
        }


def occurrences(
    since: datetime.date, precision: str, start: datetime.date, end: datetime.date
) -> list[tuple[int, datetime.date]]:
    """``(years, on)`` for each round anniversary (:data:`ROUND_YEARS`) of ``since`` whose period
    (day, month or year at ``precision``) overlaps ``start``–``end`` (both included)."""
    found = []
    for years in ROUND_YEARS:
        try:
            on = dates.add_years(since, years)
        except OverflowError:
            continue
        if on <= end and dates.period_end(on, precision) > start:
            found.append((years, on))
    return found


def upcoming(
    *, user, start: datetime.date, end: datetime.date | None = None, partnerships: bool = True
) -> list[Anniversary]:
    """Round anniversaries from ``start`` to ``end`` (default: the next 24 months, up to the day
    before ``start`` two years on), a list of :class:`Anniversary` by date: of each signed
    partnership ``user`` may see (``Partnership.objects.visible_to``) that has not ended, and of
    the home country's current diplomatic relations with each country of those partnerships'
    cities on the other side from the home city (only when the home city is in Korea, the
    table's country). With ``partnerships=False`` a partnership's anniversary has only its
    ``partnership_id`` (a page loads its own rows' with :func:`with_partnerships`).

    Three queries (the home city, the dates of the partnerships whose establishment falls in a
    round year's window, the other sides' countries) and one more for the partnerships: each
    row reads three columns, where reading every partnership with both cities took 11 s at
    100,000 partnerships (national-scale probe)."""
    if end is None:
        end = dates.add_years(start, 2) - datetime.timedelta(days=1)
    visible = Partnership.objects.visible_to(user).signed().filter(ended_on__isnull=True).order_by()
    found: list[Anniversary] = []
    for pk, since, precision in visible.filter(round_year_windows(start, end)).values_list(
        "pk", "established_on", "established_precision"
    ):
        for years, on in occurrences(since, precision, start, end):
            found.append(
                Anniversary(
                    on=on, precision=precision, years=years, since=since, subject=f"partnership-{pk}", partnership_id=pk
                )
            )
    home = home_city()
    if home is not None and str(home.country) == RELATIONS_HOME_COUNTRY:
        others = visible.annotate(other_country=other_side("country", home)).values_list("other_country", flat=True)
        partner_countries = set(others.distinct())
        for relation in diplomatic_relations():
            if relation.ended_on is not None or relation.country not in partner_countries:
                continue
            for years, on in occurrences(relation.established_on, relation.precision, start, end):
                found.append(
                    Anniversary(
                        on=on,
                        precision=relation.precision,
                        years=years,
                        since=relation.established_on,
                        subject=f"relations-{relation.country}",
                        country=relation.country,
                        sources=relation.sources,
                    )
                )
    found.sort(key=lambda item: (item.on, item.subject))
    return with_partnerships(found) if partnerships else found


def round_year_windows(start: datetime.date, end: datetime.date) -> Q:
    """A condition on ``established_on`` that every partnership with a round anniversary from
    ``start`` to ``end`` meets (and a few more: a year's margin for dates known to the month or
    year, whose period begins before their date's anniversary day); :func:`occurrences` decides."""
    condition = Q()
    for years in ROUND_YEARS:
        try:
            latest = dates.add_years(end, -years)
        except OverflowError:
            continue
        try:
            earliest = dates.add_years(start, -years) - datetime.timedelta(days=366)
        except (OverflowError, ValueError):
            earliest = datetime.date.min
        condition |= Q(established_on__range=(earliest, latest))
    return condition


def with_partnerships(items: list[Anniversary]) -> list[Anniversary]:
    """``items`` with each partnership's anniversary holding its :class:`Partnership` and both
    cities (one query per 900 partnerships, Django's ``in_bulk``)."""
    ids = {item.partnership_id for item in items if item.partnership_id is not None}
    loaded = Partnership.objects.select_related("city", "partner").in_bulk(ids) if ids else {}
    return [
        replace(item, partnership=loaded[item.partnership_id]) if item.partnership_id in loaded else item
        for item in items
    ]
