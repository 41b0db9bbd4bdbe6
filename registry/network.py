"""The network on a date: how many partner cities in how many countries.

:func:`network_summary` computes, in the database, the partner cities and countries a
city has partnerships in force with on a date, broken down by kind and by UN M49
region and sub-region. :func:`first_partners` names the earliest partner in each
sub-region. Both take the home city explicitly; :func:`registry.models.home_city`
gives the configured one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.expressions import Window
from django.db.models.functions import ExtractYear, RowNumber
from django.utils import timezone

from . import regions, subdivisions
from .models import City, Partnership, PartnershipStage, other_side


@dataclass
class Tally:
    """Distinct partner cities and distinct countries (both ``int``)."""

    partner_cities: int = 0
    countries: int = 0

    def add(self, other: Tally) -> None:
        self.partner_cities += other.partner_cities
        self.countries += other.countries


@dataclass
class RegionTally(Tally):
    """A :class:`Tally` for one UN M49 area, with the areas below it."""

    region: regions.Region | None = None
    subregions: dict[str, RegionTally] = field(default_factory=dict)


@dataclass
class NetworkSummary:
    """The network of ``home_city`` on ``as_of``.

    ``by_kind`` maps a partnership kind (``sister``, ``friendship``) to its :class:`Tally`;
    ``by_region`` maps an M49 region slug (``asia``) to a :class:`RegionTally` whose
    ``subregions`` map sub-region slugs (``central-asia``) to theirs. Partners whose
    country has no M49 region are counted under the key ``""``.
    """

    home_city: City
    as_of: datetime.date
    partner_cities: int
    countries: int
    by_kind: dict[str, Tally]
    by_region: dict[str, RegionTally]

    @property
    def countries_of_both_kinds(self) -> bool:
        """Whether a country has partner cities of more than one kind, so that the kinds'
        countries add up to more than :attr:`countries` (each kind counts it)."""
        return sum(tally.countries for tally in self.by_kind.values()) > self.countries

    @property
    def after_today(self) -> bool:
        """Whether :attr:`as_of` is after today (the office's today): the network then is the
        relations recorded now that have not ended by that date, not a forecast."""
        return self.as_of > timezone.localdate()


def partnerships_of(home: City) -> QuerySet[Partnership]:
    """Published, signed partnerships of ``home`` (either side) annotated with ``other_id`` and
    ``other_country``: the partner city and its ISO country code, seen from ``home``
    (:func:`~registry.models.other_side`).
    Drafts and relations never signed (a letter of intent) never count: the network is what
    the public may see of what was signed (:meth:`PartnershipQuerySet.signed`)."""
    return (
        Partnership.objects.public()
        .signed()
        .involving(home)
        .annotate(other_id=other_side("id", home), other_country=other_side("country", home))
        .order_by()
    )


def network_summary(home: City, as_of: datetime.date) -> NetworkSummary:
    """Count ``home``'s partner cities and their countries in force on ``as_of``.

    A partnership is in force on a date when it was established on or before it and has
    not ended by it (see :meth:`PartnershipQuerySet.in_force_on`): a date known only to
    the year counts from 1 January of that year, one known to the month from its first
    day. Runs one SQL query (a ``UNION ALL`` of two grouped counts: by partner country and by
    kind); totals and region totals are sums over countries, which sub-regions partition (a
    city is in one country), so the sub-region table stays out of the SQL.
    """
    in_force = partnerships_of(home).in_force_on(as_of)
    counts = {"cities": Count("other_id", distinct=True), "nations": Count("other_country", distinct=True)}
    by_country = in_force.values(group=Value("country"), key=F("other_country")).annotate(**counts)
    by_kind_rows = in_force.values(group=Value("kind"), key=F("kind")).annotate(**counts)

    by_kind = {kind: Tally() for kind in Partnership.Kind.values}
    by_region: dict[str, RegionTally] = {}
    total = Tally()
    for row in by_country.union(by_kind_rows, all=True):
        tally = Tally(row["cities"], row["nations"])
        if row["group"] == "kind":
            by_kind[row["key"]] = tally
            continue
        total.add(tally)
        sub = regions.subregion_of(row["key"])
        parent = regions.get_region(sub.parent) if sub else None
        bucket = by_region.setdefault(parent.slug if parent else "", RegionTally(region=parent))
        bucket.add(tally)
        bucket.subregions.setdefault(sub.slug if sub else "", RegionTally(region=sub)).add(tally)

    by_region = dict(sorted(by_region.items(), key=lambda item: (-item[1].partner_cities, item[0])))
    for bucket in by_region.values():
        bucket.subregions = dict(sorted(bucket.subregions.items(), key=lambda i: (-i[1].partner_cities, i[0])))
    return NetworkSummary(home, as_of, total.partner_cities, total.countries, by_kind, by_region)


def first_partners(home: City, as_of: datetime.date | None = None) -> dict[str, Partnership]:
    """The earliest partnership of ``home`` in each M49 sub-region, keyed by sub-region slug.

    Counts every partnership established by ``as_of`` (default: all), ended or not, so a
    first partner stays first after the relation ends. Ties on the date go to the lower id.
    Each partnership's ``with_city`` is the city on the other side from ``home`` (``home``
    may be either side). One query: a window function finds the first partnership with each
    partner country, and the earliest of those in each sub-region wins (sub-regions partition
    the countries; grouping the rows by country keeps the table of sub-regions out of the SQL,
    a ``CASE`` over every country whose compilation took most of the time).
    """
    qs = partnerships_of(home).annotate(
        rank=Window(RowNumber(), partition_by=[F("other_country")], order_by=[F("established_on").asc(), F("id").asc()])
    )
    if as_of is not None:
        qs = qs.filter(established_on__lte=as_of)
    firsts = {}
    for partnership in sorted(
        qs.filter(rank=1).select_related("city", "partner"), key=lambda p: (p.established_on, p.pk)
    ):
        subregion = regions.subregion_of(partnership.other_country)
        if subregion is not None and subregion.slug not in firsts:
            partnership.with_city = partnership.other(home)
            firsts[subregion.slug] = partnership
    return firsts


def timeline(home: City, as_of: datetime.date | None = None) -> list[dict]:
    """Partnerships of ``home`` established per year, with the total in force at each year's end.

    Returns ``[{"year": int, "established": int, "sister": int, "friendship": int,
    "ended": int, "in_force": int}]`` in year order, one row per year in which a partnership
    was established, ended, suspended or resumed. ``in_force`` counts the partnerships in
    force on 31 December of that year by the one counting rule,
    :meth:`PartnershipQuerySet.in_force_condition` (so a suspension takes a partnership out of
    the count until it is resumed). With ``as_of``, only what had happened by that date counts,
    and the last row's ``in_force`` is the network on ``as_of``. Two queries, whatever the
    number of years: the events per year and kind (a union of three grouped counts), then one
    aggregate with a count in force per year.
    """
    qs = partnerships_of(home).filter(**({"established_on__lte": as_of} if as_of else {}))
    ended = qs.filter(ended_on__isnull=False, **({"ended_on__lte": as_of} if as_of else {}))
    pauses = PartnershipStage.objects.filter(
        partnership__in=qs.values("pk"),
        kind__in=[PartnershipStage.Kind.SUSPENDED, PartnershipStage.Kind.RESUMED],
        **({"on__lte": as_of} if as_of else {}),
    )

    def per_year(queryset: QuerySet, date_field: str, what) -> QuerySet:
        """``(year, what, count)`` rows of ``queryset`` grouped by the year of ``date_field``."""
        return (
            queryset.order_by()
            .values(year=ExtractYear(date_field), what=what)
            .annotate(n=Count("pk"))
            .values_list("year", "what", "n")
        )

    rows: dict[int, dict] = {}
    established = per_year(qs.values("pk"), "established_on", F("kind"))
    for year, what, n in established.union(
        per_year(ended.values("pk"), "ended_on", Value("ended")),
        per_year(pauses, "on", Value("paused")),
        all=True,
    ):
        row = rows.setdefault(year, dict.fromkeys(("established", "sister", "friendship", "ended", "paused"), 0))
        row[what] += n
        if what in Partnership.Kind.values:
            row["established"] += n
    if not rows:
        return []

    def year_end(year: int) -> datetime.date:
        day = datetime.date(year, 12, 31)
        return min(day, as_of) if as_of else day

    # The counting rule applied to ``home``'s own rows (a few dozen, found by index), not to
    # the whole table once per year; before the first suspension or resume of one of them, its
    # suspension term would match nothing.
    first_pause = min((year for year, row in rows.items() if row["paused"]), default=None)
    in_force = qs.values("pk").aggregate(
        **{
            str(year): Count(
                "pk",
                filter=Partnership.objects.in_force_condition(
                    year_end(year), pauses=first_pause is not None and year >= first_pause
                ),
            )
            for year in rows
        }
    )
    columns = ("established", "sister", "friendship", "ended")
    return [
        {"year": year, **{name: rows[year][name] for name in columns}, "in_force": in_force[str(year)]}
        for year in sorted(rows)
    ]


def cached_network_summary(home: City, as_of: datetime.date) -> NetworkSummary:
    """:func:`network_summary`, cached until the next change to the registry."""
    from .cache import cached

    return cached(f"network:{home.pk}:{as_of.isoformat()}", lambda: network_summary(home, as_of))


# --------------------------------------------------------------------------- a whole country


@dataclass
class MunicipalNetwork:
    """One municipality of the home country: its partner cities and their countries in force."""

    city: City
    partner_cities: int
    countries: int


@dataclass
class PartnerCountryTally:
    """One partner country: the home country's municipalities with a partner there, the
    (municipality, partner city) pairs in force, and the distinct partner cities."""

    country: str
    municipalities: int = 0
    partnerships: int = 0
    partner_cities: int = 0

    @property
    def country_name(self) -> str:
        """The country's name in the active language (``""`` for a region's tally)."""
        from django_countries import countries

        return countries.name(self.country) if len(self.country) == 2 else ""


@dataclass
class SubdivisionTally:
    """One first-level subdivision (ISO 3166-2 ``code``, ``""`` where not recorded) of the
    national roll-up: its ``municipalities`` (:class:`MunicipalNetwork`), ``partnerships`` (the
    sum of their partner cities), and the distinct ``partner_cities`` and their ``countries``."""

    code: str
    municipalities: list[MunicipalNetwork] = field(default_factory=list)
    partnerships: int = 0
    partner_cities: int = 0
    countries: int = 0

    @property
    def name(self) -> str:
        """The subdivision's ISO short name in the active language (``Busan-gwangyeoksi``,
        ``부산광역시`` on Korean pages), else its code, else ``""``."""
        listed = subdivisions.get(self.code)
        return listed.localized_name if listed else self.code


@dataclass
class NationalRollup:
    """The municipal networks of ``country`` on ``as_of``.

    ``municipalities`` lists each municipality with a partnership in force (by partner cities,
    then name), its figures those of :func:`network_summary` for that city; ``partnerships``
    is their sum (a partner city shared by two municipalities counts for each);
    ``partner_cities`` and ``countries`` count distinct partners outside ``country``;
    ``by_country`` and ``by_region`` (M49 region slug, ``""`` where none) tally partners abroad;
    ``by_subdivision`` groups the municipalities by their first-level subdivision (by
    partnerships, then code; the municipalities without one last).
    """

    country: str
    as_of: datetime.date
    municipalities: list[MunicipalNetwork]
    partnerships: int
    partner_cities: int
    countries: int
    by_country: list[PartnerCountryTally]
    by_region: dict[str, PartnerCountryTally]
    by_subdivision: list[SubdivisionTally]


def national_rollup(country: str, as_of: datetime.date) -> NationalRollup:
    """Roll up the networks of every municipality of ``country`` (ISO alpha-2) on ``as_of``.

    Counts what :func:`network_summary` counts (published partnerships in force on the date,
    :meth:`PartnershipQuerySet.in_force_on`, either side), for every city of ``country`` at
    once: one query for the partnerships (their two sides and countries), one for the
    municipalities' rows. A partnership between two municipalities of ``country`` counts for
    both.
    """
    country = country.upper()
    rows = (
        Partnership.objects.public()
        .in_force_on(as_of)
        .filter(Q(city__country=country) | Q(partner__country=country))
        .order_by()
        .values_list("city_id", "city__country", "partner_id", "partner__country")
    )
    partners: dict[int, dict[int, str]] = {}  # municipality id → {partner id: partner country}
    for city_id, city_country, partner_id, partner_country in rows:
        if city_country == country:
            partners.setdefault(city_id, {})[partner_id] = partner_country
        if partner_country == country:
            partners.setdefault(partner_id, {})[city_id] = city_country
    cities = City.objects.in_bulk(list(partners))
    municipalities = sorted(
        (MunicipalNetwork(cities[pk], len(others), len(set(others.values()))) for pk, others in partners.items()),
        key=lambda m: (-m.partner_cities, m.city.name_en, m.city.slug),
    )
    abroad: dict[str, dict[int, set[int]]] = {}  # partner country → partner id → municipalities
    for pk, others in partners.items():
        for other, other_country in others.items():
            if other_country != country:
                abroad.setdefault(other_country, {}).setdefault(other, set()).add(pk)
    by_country = []
    for code, by_partner in abroad.items():
        by_country.append(
            PartnerCountryTally(
                code,
                municipalities=len(set().union(*by_partner.values())),
                partnerships=sum(len(m) for m in by_partner.values()),
                partner_cities=len(by_partner),
            )
        )
    by_country.sort(key=lambda t: (-t.partner_cities, t.country))
    by_region: dict[str, PartnerCountryTally] = {}
    region_municipalities: dict[str, set[int]] = {}
    for tally in by_country:
        region = regions.region_of(tally.country)
        key = region.slug if region else ""
        bucket = by_region.setdefault(key, PartnerCountryTally(key))
        bucket.partnerships += tally.partnerships
        bucket.partner_cities += tally.partner_cities
        region_municipalities.setdefault(key, set()).update(*abroad[tally.country].values())
    for key, bucket in by_region.items():
        bucket.municipalities = len(region_municipalities[key])
    by_region = dict(sorted(by_region.items(), key=lambda item: (-item[1].partner_cities, item[0])))
    return NationalRollup(
        country,
        as_of,
        municipalities,
        partnerships=sum(m.partner_cities for m in municipalities),
        partner_cities=sum(t.partner_cities for t in by_country),
        countries=len(by_country),
        by_country=by_country,
        by_region=by_region,
        by_subdivision=_by_subdivision(municipalities, partners),
    )


def _by_subdivision(
    municipalities: list[MunicipalNetwork], partners: dict[int, dict[int, str]]
) -> list[SubdivisionTally]:
    """The municipalities grouped by ``City.subdivision`` (see :class:`SubdivisionTally`); no query."""
    groups: dict[str, SubdivisionTally] = {}
    reached: dict[str, dict[int, str]] = {}  # subdivision → {partner id: partner country}
    for m in municipalities:
        tally = groups.setdefault(m.city.subdivision, SubdivisionTally(m.city.subdivision))
        tally.municipalities.append(m)
        tally.partnerships += m.partner_cities
        reached.setdefault(m.city.subdivision, {}).update(partners[m.city.pk])
    for code, tally in groups.items():
        tally.partner_cities = len(reached[code])
        tally.countries = len(set(reached[code].values()))
    return sorted(groups.values(), key=lambda t: (not t.code, -t.partnerships, t.code))


def data_changed_at() -> datetime.datetime | None:
    """When a public partnership, agreement, event or delegation last changed (their latest
    ``updated_at``; ``None`` with none), for "data last changed" on every page. One query (a
    ``UNION ALL`` of the four tables' maxima), run once per data generation (cached by
    :func:`registry.cache.cached`)."""
    from django.db.models import Max

    from .cache import cached
    from .models import Agreement, Delegation, Event

    def latest(model):
        return model.objects.public().order_by().annotate(one=Value(1)).values("one").annotate(latest=Max("updated_at"))

    def compute():
        rows = latest(Partnership).union(latest(Agreement), latest(Event), latest(Delegation), all=True)
        values = [row["latest"] for row in rows if row["latest"] is not None]
        return max(values) if values else None

    return cached("data-changed-at", compute)
