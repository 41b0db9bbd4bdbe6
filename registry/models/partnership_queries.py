"""The queries of partnerships: the counting rule (:meth:`PartnershipQuerySet.in_force_on`), a
city's partnerships for the lists, dormant relations, and the manager.

Split from :mod:`registry.models.partnerships` (the model and its rules) so that neither module
passes ~600 lines; re-exported by :mod:`registry.models`.
"""

from __future__ import annotations

import copy
import datetime
from collections import Counter, defaultdict
from collections.abc import Collection

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from ..dates import add_years
from .base import CountryQuerySetMixin, PublishableMixin, RegistryQuerySet
from .cities import City
from .search import WordSearchMixin
from .stages import PartnershipStage


def home_is_partner(home: City | int | None = None) -> Q:
    """The condition, on a partnership, that ``home`` is stored as its ``partner`` (a
    :class:`City` or its primary key; by default the home city, ``settings.REGISTRY_HOME_CITY``,
    read by a subquery rather than a query of its own, so the condition is false for every
    partnership where no home city is recorded).

    Sides are stored as given (:meth:`Partnership.validate_constraints` refuses the same pair
    stored twice, either way round), so a relation may name the home city on either side. The
    other side, the city a partnership is *with*, is then the stored ``city``; otherwise it is
    the stored ``partner``. This is the one rule for "the other side" in queries
    (:func:`other_side`, :meth:`PartnershipQuerySet.with_other_side_in`, the network's
    :func:`registry.network.partnerships_of`); :meth:`Partnership.other` applies it to one
    instance."""
    if home is None:
        return Q(partner__in=City.objects.filter(slug=settings.REGISTRY_HOME_CITY).values("pk"))
    return Q(partner=home)


def other_side(field: str, home: City | int | None = None) -> Case:
    """``field`` (a :class:`City` field name: ``id``, ``country``, ``name_en``, ``latitude``, …)
    of the city on the other side of a partnership from ``home`` (by default the home city), as
    an expression for ``annotate``, ``alias``, ``values`` or ``order_by``: the stored
    ``city``'s when ``home`` is stored as the partner (:func:`home_is_partner`), else the stored
    ``partner``'s. A partnership between two other cities (a national registry's) reads its
    ``partner``, as stored."""
    city, partner = ("city_id", "partner_id") if field == "id" else (f"city__{field}", f"partner__{field}")
    return Case(When(home_is_partner(home), then=F(city)), default=F(partner))


def other_side_in(cities: models.QuerySet) -> Q:
    """The condition (``Q``) of partnerships whose city on the other side from the home city
    (:func:`other_side`) is one of ``cities`` (a :class:`City` queryset): the partner, or the
    stored ``city`` of a relation that names the home city as its partner."""
    home = home_is_partner()
    return (~home & Q(partner__in=cities)) | (home & Q(city__in=cities))


class PartnershipQuerySet(CountryQuerySetMixin, PublishableMixin, WordSearchMixin, RegistryQuerySet):
    """Reusable filters for partnerships; drafts are visible only to staff (:meth:`visible_to`)."""

    def signed(self) -> PartnershipQuerySet:
        """Partnerships that reached signature (an ``established_on`` date): every status but
        ``proposed``. A relation that stopped at a letter of intent (Busan–Hokkaido, 2005) is
        left out of every count, anniversary, timeline and export of established dates."""
        return self.filter(established_on__isnull=False)

    def in_force_on(self, day: datetime.date) -> PartnershipQuerySet:
        """Partnerships in force on ``day``: the counting rule, used by pages, API, exports and counts.

        In force means: signed (``established_on``) on or before ``day``, not ended by it, and
        not suspended on it. A relation never signed (status ``proposed``, no established date)
        is never in force (:meth:`signed`). A date known only to the year counts from 1 January of that year
        (and one known to the month from the first of the month), because that is how it is
        stored. A partnership that ended on ``day`` is no longer in force on ``day``; an upgrade
        ends the friendship partnership on the day its sister city successor is established,
        so the pair counts once on every date. A suspension counts from its date until the
        resume date: the partnership is out of force when its latest ``suspended`` or
        ``resumed`` stage on or before ``day`` is a suspension (on the resume date it is back
        in force). A letter of intent or a council approval alone never counts: they are
        stages, not the signature. One SQL query: the partnerships suspended on ``day`` are a
        subquery over the (few) pause stages, run once, rather than a lookup per partnership,
        which cost 330 ms at 100,000 partnerships on PostgreSQL.
        """
        return self.filter(self.in_force_condition(day))

    @staticmethod
    def in_force_condition(day: datetime.date, *, pauses: bool = True) -> Q:
        """The condition of :meth:`in_force_on` as a ``Q`` on a partnership's fields, for a
        filtered aggregate (``Count("id", filter=...)``) that counts several dates in one query.

        ``pauses=False`` leaves out the suspension term, for a caller that knows that none of
        the partnerships it counts has a suspended or resumed stage on or before ``day`` (the
        term would match none of them, and it is most of the cost of building the query)."""
        condition = Q(established_on__isnull=False, established_on__lte=day) & (
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )
        if not pauses:
            return condition
        pauses = PartnershipStage.objects.filter(
            kind__in=[PartnershipStage.Kind.SUSPENDED, PartnershipStage.Kind.RESUMED], on__lte=day
        )
        # A pause is the latest when no pause of the same partnership comes after it (by date,
        # then by id for two on one day).
        later = pauses.filter(partnership=OuterRef("partnership")).filter(
            Q(on__gt=OuterRef("on")) | Q(on=OuterRef("on"), pk__gt=OuterRef("pk"))
        )
        suspended = pauses.filter(~Exists(later), kind=PartnershipStage.Kind.SUSPENDED).values("partnership")
        return condition & ~Q(pk__in=suspended)

    #: The fields a city's table cell reads of each partnership it shows (``attach_to_cities``):
    #: the rest (remarks, both cities' other columns) tripled the time to read the rows.
    CELL_FIELDS = (
        *("kind", "status", "established_on", "established_precision", "city_id", "partner_id"),
        *(f"{side}__{name}" for side in ("city", "partner") for name in ("slug", "name_en", "name_ko")),
    )

    def attach_to_cities(self, cities: list[City], *, limit: int) -> None:
        """Give each of ``cities`` (saved :class:`City` instances, e.g. a page of a list) the
        partnerships of this queryset in which it is either side, bounded for a table cell:
        ``partnerships_shown``, the first ``limit`` in the model's order (establishment date,
        then id), each with ``with_city`` (the city on the other side), and
        ``partnership_count``, how many there are in all (``int``).

        Two queries, whatever the number of cities and of their partnerships. The first asks,
        for each city, the ids of its first ``limit`` partnerships on each side (one scalar
        subquery per place, ``LIMIT 1 OFFSET n``) and its count on each side: with the indexes
        ``partnership_city_order_idx`` and ``partnership_partner_order_idx`` each is a short
        walk of an index, where ranking every partnership of the page's cities (window
        functions) took 70–140 ms for 200 municipalities with 50,000 partnerships on SQLite.
        The second reads those rows with both cities (only :attr:`CELL_FIELDS`: a cell that
        reads another field costs a query per partnership); the first ``limit`` of the (at most
        ``2 × limit``) candidates of a city, in order, are its first ``limit`` on either side.
        An export lists every one of them: :meth:`of_each_city`."""
        if not cities:
            return
        ordering = self.model._meta.ordering  # establishment date (undated last), then id
        mine = self.order_by()
        firsts, totals = {}, {}  # annotation name -> subquery correlated on the city
        for side in ("city", "partner"):
            of_city = mine.filter(**{side: OuterRef("pk")})
            first = of_city.order_by(*ordering).values("pk")
            firsts.update({f"{side}_{place}": Subquery(first[place : place + 1]) for place in range(limit)})
            totals[f"{side}_count"] = Coalesce(Subquery(of_city.values(side).annotate(n=Count("pk")).values("n")), 0)
        rows = City.objects.filter(pk__in=[city.pk for city in cities]).order_by().annotate(**firsts, **totals)
        candidates, counts = {}, {}
        for pk, *values in rows.values_list("pk", *firsts, *totals):
            candidates[pk] = set(values[: len(firsts)]) - {None}
            counts[pk] = sum(values[len(firsts) :])
        chosen = self.model._default_manager.filter(pk__in=set().union(*candidates.values()))
        in_order = list(chosen.select_related("city", "partner").only(*self.CELL_FIELDS).order_by(*ordering))
        rank = {partnership.pk: place for place, partnership in enumerate(in_order)}
        given = set()
        for city in cities:
            city.partnerships_shown = []
            for place in sorted(rank[pk] for pk in candidates[city.pk])[:limit]:
                partnership = in_order[place]
                # A partnership between two cities of the page names the other city in each row.
                if partnership.pk in given:
                    partnership = copy.copy(partnership)
                given.add(partnership.pk)
                partnership.with_city = partnership.other(city)
                city.partnerships_shown.append(partnership)
            city.partnership_count = counts[city.pk]

    def with_last_activity(self, user, *, on: datetime.date | None = None) -> PartnershipQuerySet:
        """Annotate ``last_activity`` (a date) and ``dormant`` (a boolean), computed in the database.

        ``last_activity`` is the latest of the partnership's establishment and each term of
        :func:`activity_terms` that ``user`` may see (events of the partnership by start,
        agreements of it by signing, delegations by their stop in the partner city, stages of it
        by date): one correlated subquery per term, no query per row. ``dormant``: not ended,
        and no activity for ``settings.REGISTRY_DORMANT_YEARS`` years before ``on`` (today by
        default), i.e. ``last_activity`` earlier than that many years before ``on``. Idempotent.

        A relation never signed counts from its latest stage (its letter of intent) instead of
        its establishment, and is never dormant (it is not in force to fall silent).
        """
        if "last_activity" in self.query.annotations:
            return self
        latest_stage = PartnershipStage.objects.filter(partnership=OuterRef("pk")).order_by("-on").values("on")[:1]
        since = Coalesce(F("established_on"), Subquery(latest_stage))
        latest = Greatest(since, *(Coalesce(term, since) for term in activity_terms(user)))
        cutoff = add_years(on or timezone.localdate(), -settings.REGISTRY_DORMANT_YEARS)
        queryset = self if "other_id" in self.query.annotations else self.alias(other_id=other_side("id"))
        return queryset.annotate(last_activity=latest).annotate(
            dormant=ExpressionWrapper(
                Q(ended_on__isnull=True, established_on__isnull=False, last_activity__lt=cutoff),
                output_field=models.BooleanField(),
            )
        )

    def involving(self, *cities: City | int) -> PartnershipQuerySet:
        """Partnerships in which any of ``cities`` (instances or primary keys) is either side."""
        return self.filter(Q(city__in=cities) | Q(partner__in=cities))

    def of_each_city(self, cities: Collection[int], *fields: str) -> dict[int, list[tuple]]:
        """For each of ``cities`` (primary keys), every partnership of this queryset in which it is
        either side (:meth:`involving`), as :meth:`attach_to_cities` gives a page's cell its first
        ones but read as plain values, for an export: in the model's order (establishment date,
        then id), each a tuple of the slug of the city on the other side (the cell's
        ``with_city``) and the partnership's ``fields``. A partnership between two of ``cities``
        is in the lists of both, each naming the other. One query for any number of cities."""
        wanted = set(cities)
        found: dict[int, list[tuple]] = defaultdict(list)
        rows = self.involving(*wanted).order_by(*self.model._meta.ordering)
        for city, partner, city_slug, partner_slug, *values in rows.values_list(
            "city_id", "partner_id", "city__slug", "partner__slug", *fields
        ).iterator():
            if city in wanted:
                found[city].append((partner_slug, *values))
            if partner in wanted:
                found[partner].append((city_slug, *values))
        return found

    def with_other_side_in(self, cities: models.QuerySet) -> PartnershipQuerySet:
        """Partnerships whose city on the other side from the home city (:func:`other_side`) is
        one of ``cities`` (a :class:`City` queryset): the partner, or the stored ``city`` of a
        relation that names the home city as its partner. Two ``IN`` subqueries on the indexed
        sides, no join."""
        return self.filter(other_side_in(cities))

    def for_country(self, *codes: str) -> PartnershipQuerySet:
        """Partnerships with a city of any of the ISO alpha-2 ``codes`` (any case) on the other
        side from the home city (:meth:`with_other_side_in`)."""
        return self.with_other_side_in(City.objects.for_country(*codes))

    def country_sets(self) -> Counter[frozenset[str]]:
        """How many of these partnerships are with a city in each country (:meth:`for_country`:
        the city on the other side from the home city, :func:`other_side`), keyed by the
        one-country set: one query grouped by that country."""
        rows = self.order_by().annotate(other_country=other_side("country"))
        rows = rows.values_list("other_country").annotate(count=Count("pk"))
        return Counter({frozenset({country}): count for country, count in rows})

    def search_condition(self, query: str) -> Q | None:
        """The condition (``Q``) of partnerships whose city on the other side from the home city
        (:meth:`with_other_side_in`) has names matching ``query`` (:meth:`CityQuerySet.search`;
        ``None`` for a query without words, :meth:`WordSearchMixin.search`)."""
        named = City.objects.search_condition(query)
        return None if named is None else other_side_in(City.objects.filter(named))


def activity_terms(user) -> list[Subquery]:
    """The dates that count as a partnership's activity, as subqueries correlated on the
    partnership (``OuterRef("pk")``, and ``OuterRef("other_id")``, the city on the other side,
    :func:`other_side`), each reading only the records ``user`` may see (``visible_to``): the
    latest event about it, agreement of it, delegation stop in the city on the other side
    from the home city and stage of it (renewed, suspended, resumed, …; a stage is visible with its
    partnership, which the outer query has already filtered). A new kind of activity is one
    more entry here."""
    from .agreements import Agreement
    from .delegations import Delegation, ItineraryStop
    from .events import Event

    def latest(queryset, date_field: str) -> Subquery:
        return Subquery(
            queryset.exclude(**{f"{date_field}__isnull": True}).order_by(f"-{date_field}").values(date_field)[:1]
        )

    return [
        latest(Event.objects.visible_to(user).filter(partnership=OuterRef("pk")), "start_on"),
        latest(Agreement.objects.visible_to(user).filter(partnership=OuterRef("pk")), "signed_on"),
        latest(
            ItineraryStop.objects.filter(
                city=OuterRef("other_id"), delegation__in=Delegation.objects.visible_to(user).values("pk")
            ).annotate(on=Coalesce("arrive_on", "delegation__start_on")),
            "on",
        ),
        latest(PartnershipStage.objects.filter(partnership=OuterRef("pk")), "on"),
    ]


class PartnershipManager(models.Manager.from_queryset(PartnershipQuerySet)):
    def get_by_natural_key(self, city_slug, partner_slug, kind, established_on):
        return self.get(city__slug=city_slug, partner__slug=partner_slug, kind=kind, established_on=established_on)


def of_city(queryset: models.QuerySet, city, *, place: str) -> models.QuerySet:
    """The rows of ``queryset`` (events, agreements: records with a ``partnership``) of ``city``:
    placed there by their foreign key ``place``, or under a partnership in which ``city`` is
    either side (:meth:`PartnershipQuerySet.involving`). The ids come from two index lookups
    joined by ``UNION``, so a city with three events costs the same at any table size; an
    ``OR`` of the two conditions made the database walk every row in date order (300 ms for
    200,000 events on PostgreSQL, 400 ms on SQLite)."""
    from .partnerships import Partnership

    rows = queryset.model._default_manager
    placed_there = rows.filter(**{place: city}).order_by().values("pk")
    under_partnerships = rows.filter(partnership__in=Partnership.objects.involving(city).values("pk"))
    return queryset.filter(pk__in=placed_there.union(under_partnerships.order_by().values("pk")))
