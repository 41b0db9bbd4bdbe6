"""The export columns of each kind of row: one :class:`~registry.exports.rows.Table` per model
(:data:`TABLES`), plus the countries page's and the national roll-up's computed rows.

Column conventions: references are slugs (a partnership by its id), countries ISO 3166-1
alpha-2 codes, regions UN M49 slugs, dates ISO 8601 at their precision (``1966``,
``1966-06``, ``1966-06-30``) beside their ``*_precision`` column, money a decimal with its
ISO 4217 code and qualifier, lists ``; ``-joined.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter as field  # a column that is one value of the row: C-fast, no lambda
from typing import Any

from django.db.models import Model

from .. import dates, regions
from ..models import (
    Agreement,
    City,
    CityName,
    CooperationField,
    Delegation,
    DelegationMember,
    DelegationQuerySet,
    Event,
    EventParticipant,
    ItineraryStop,
    Organization,
    Outcome,
    Partnership,
    Person,
    Signatory,
    Source,
    other_side,
)
from .rows import Gathered, Related, Table, amount, coordinate, if_visible, joined, linked, people, who


def region_slug(code: str, level: Callable[[str], Any]) -> str | None:
    """The slug of the UN M49 region or sub-region (``level``) of country ``code``."""
    region = level(code)
    return region.slug if region else None


def partnership_of_city(other: str, kind: str, on, precision: str, status: str) -> str:
    """One of a city's partnerships (:meth:`PartnershipQuerySet.of_each_city`) in its export
    cell: kind, the city on the other side, the established date at its precision (left out for
    a relation never signed) and status."""
    established = dates.iso_partial(on, precision)
    return " ".join(part for part in (kind, other, established, status) if part)


CITIES = Table(
    name="cities",
    fields=(
        *("id", "slug", "name_en", "name_ko", "name_native", "country", "admin_level", "latitude", "longitude"),
        *("population", "population_year", "wikidata_id", "confidence"),
    ),
    related={
        "names": Related(lambda user: CityName.objects.all(), "city", ("name",)),
        # The partnerships naming the city on either side that the reader may see, as its page lists them.
        "partnerships": Gathered(
            lambda pks, user: Partnership.objects.visible_to(user).of_each_city(
                pks, "kind", "established_on", "established_precision", "status"
            )
        ),
        "sources": linked(City, "sources"),
    },
    columns={
        "slug": field("slug"),
        "name_en": field("name_en"),
        "name_ko": field("name_ko"),
        "name_native": field("name_native"),
        "country": field("country"),
        "region": lambda c: region_slug(c["country"], regions.region_of),
        "subregion": lambda c: region_slug(c["country"], regions.subregion_of),
        "admin_level": field("admin_level"),
        "latitude": lambda c: coordinate(c["latitude"]),
        "longitude": lambda c: coordinate(c["longitude"]),
        "population": field("population"),
        "population_year": field("population_year"),
        "wikidata_id": field("wikidata_id"),
        "confidence": field("confidence"),
        "former_names": lambda c: joined(c["names"]),
        # Its partnerships on either side: "kind other-city established_on status" (no date for a
        # relation never signed), e.g. "sister kaohsiung 1966-06-30 active".
        "partnerships": lambda c: joined(partnership_of_city(*partnership) for partnership in c["partnerships"]),
        "sources": lambda c: joined(c["sources"]),
    },
    place=lambda c: (c["latitude"], c["longitude"]),
    key=field("slug"),
)

PARTNERSHIPS = Table(
    name="partnerships",
    fields=(
        *("id", "kind", "status", "status_reason", "status_reason_ko", "confidence", "publication"),
        *("established_on", "established_precision", "ended_on", "ended_precision"),
        *("city__slug", "city__name_en", "city__name_ko", "city__country"),
        *("partner__slug", "partner__name_en", "partner__name_ko", "partner__country"),
    ),
    # A relation stands on the map at the city on the other side from the home city, whichever
    # side the record names it on.
    computed=lambda: {f"other_{name}": other_side(name) for name in ("latitude", "longitude")},
    related={"fields": linked(Partnership, "fields"), "sources": linked(Partnership, "sources")},
    columns={
        "id": field("id"),
        # Each side by slug, with its names and country, so a row reads without the cities' file
        # (a journalist had only slugs; new-user probe).
        "city": field("city__slug"),
        "city_name_en": field("city__name_en"),
        "city_name_ko": field("city__name_ko"),
        "city_country": field("city__country"),
        "partner": field("partner__slug"),
        "partner_name_en": field("partner__name_en"),
        "partner_name_ko": field("partner__name_ko"),
        "partner_country": field("partner__country"),
        "kind": field("kind"),
        "established_on": lambda p: dates.iso_partial(p["established_on"], p["established_precision"]),
        "established_precision": field("established_precision"),
        "status": field("status"),
        "ended_on": lambda p: dates.iso_partial(p["ended_on"], p["ended_precision"]),
        "ended_precision": lambda p: dates.precision_of(p["ended_on"], p["ended_precision"]),
        "status_reason": field("status_reason"),
        "status_reason_ko": field("status_reason_ko"),
        "fields": lambda p: joined(p["fields"]),
        "confidence": field("confidence"),
        "publication": field("publication"),
        "sources": lambda p: joined(p["sources"]),
    },
    place=lambda p: (p["other_latitude"], p["other_longitude"]),
)

AGREEMENTS = Table(
    name="agreements",
    fields=(
        *("id", "slug", "title_en", "title_ko", "kind", "partnership_id", "partnership__partner__slug"),
        *("signed_on", "signed_precision", "place__slug", "venue", "summary_en", "summary_ko", "publication"),
    ),
    visibility=("partnership",),
    related={
        "parties": linked(Agreement, "parties"),
        "signatories": people(Signatory, "agreement"),
        "fields": linked(Agreement, "fields"),
        "sources": linked(Agreement, "sources"),
    },
    columns={
        "slug": field("slug"),
        "title_en": field("title_en"),
        "title_ko": field("title_ko"),
        "kind": field("kind"),
        "partnership": lambda a: if_visible(a, "partnership", "partnership_id"),
        # The partner city of the agreement's partnership, when the reader may see the partnership.
        "partner": lambda a: if_visible(a, "partnership", "partnership__partner__slug"),
        "signed_on": lambda a: dates.iso_partial(a["signed_on"], a["signed_precision"]),
        "signed_precision": lambda a: dates.precision_of(a["signed_on"], a["signed_precision"]),
        "place": field("place__slug"),
        "venue": field("venue"),
        "parties": lambda a: joined(a["parties"]),
        "signatories": lambda a: who(a["signatories"]),
        "fields": lambda a: joined(a["fields"]),
        "summary_en": field("summary_en"),
        "summary_ko": field("summary_ko"),
        "publication": field("publication"),
        "sources": lambda a: joined(a["sources"]),
    },
)

EVENTS = Table(
    name="events",
    fields=(
        *("id", "slug", "title_en", "title_ko", "kind", "start_on", "start_precision", "end_on", "venue"),
        *("city__slug", "city__country", "partnership_id", "agreement__slug", "delegation__slug"),
        *("summary_en", "summary_ko", "publication"),
    ),
    visibility=("partnership", "agreement", "delegation"),
    related={"participants": people(EventParticipant, "event"), "sources": linked(Event, "sources")},
    columns={
        "slug": field("slug"),
        "title_en": field("title_en"),
        "title_ko": field("title_ko"),
        "kind": field("kind"),
        "start_on": lambda e: dates.iso_partial(e["start_on"], e["start_precision"]),
        "start_precision": field("start_precision"),
        "end_on": lambda e: dates.iso_partial(e["end_on"]),
        "city": field("city__slug"),
        "country": field("city__country"),
        "venue": field("venue"),
        "partnership": lambda e: if_visible(e, "partnership", "partnership_id"),
        "agreement": lambda e: if_visible(e, "agreement", "agreement__slug"),
        "delegation": lambda e: if_visible(e, "delegation", "delegation__slug"),
        "participants": lambda e: who(e["participants"]),
        "summary_en": field("summary_en"),
        "summary_ko": field("summary_ko"),
        "publication": field("publication"),
        "sources": lambda e: joined(e["sources"]),
    },
)

DELEGATIONS = Table(
    name="delegations",
    fields=(
        *("id", "slug", "name_en", "name_ko", "kind", "organizer__slug", "leader__slug", "travelled_with__slug"),
        *("start_on", "end_on", "purpose_en", "purpose_ko", "publication", *DelegationQuerySet.TRAVEL_DATES),
    ),
    visibility=("travelled_with",),
    # When it travelled as its page shows it, for the reader (a draft event dates it for staff only).
    annotate=lambda delegations, user: delegations.with_travel_dates(user),
    related={
        "itinerary": Related(lambda user: ItineraryStop.objects.order_by("order"), "delegation", ("city__slug",)),
        "members": people(DelegationMember, "delegation"),
        "outcomes": Related(
            lambda user: Outcome.objects.filter(amount__isnull=False),
            "delegation",
            ("amount", "currency", "amount_qualifier"),
        ),
        "sources": linked(Delegation, "sources"),
    },
    columns={
        "slug": field("slug"),
        "name_en": field("name_en"),
        "name_ko": field("name_ko"),
        "kind": field("kind"),
        "organizer": field("organizer__slug"),
        "leader": field("leader__slug"),
        "travelled_with": lambda d: if_visible(d, "travelled_with", "travelled_with__slug"),
        "start_on": lambda d: dates.iso_partial(d["start_on"]),
        "end_on": lambda d: dates.iso_partial(d["end_on"]),
        "travel_start": lambda d: dates.iso_partial(d["travel_start"], d["travel_start_precision"]),
        "travel_start_precision": field("travel_start_precision"),
        "travel_end": lambda d: dates.iso_partial(d["travel_end"], d["travel_end_precision"]),
        "travel_end_precision": field("travel_end_precision"),
        "travel_basis": field("travel_basis"),
        "itinerary": lambda d: joined(d["itinerary"]),
        "members": lambda d: who(d["members"]),
        "outcome_amounts": lambda d: joined(amount(outcome) for outcome in d["outcomes"]),
        "purpose_en": field("purpose_en"),
        "purpose_ko": field("purpose_ko"),
        "publication": field("publication"),
        "sources": lambda d: joined(d["sources"]),
    },
)

ORGANIZATIONS = Table(
    name="organizations",
    fields=("id", "slug", "name_en", "name_ko", "name_native", "kind", "city__slug", "country", "website"),
    related={"sources": linked(Organization, "sources")},
    columns={
        "slug": field("slug"),
        "name_en": field("name_en"),
        "name_ko": field("name_ko"),
        "name_native": field("name_native"),
        "kind": field("kind"),
        "city": field("city__slug"),
        "country": lambda o: o["country"] or None,
        "website": field("website"),
        "sources": lambda o: joined(o["sources"]),
    },
)

PEOPLE = Table(
    name="people",
    fields=("id", "slug", "name_en", "name_ko", "name_native"),
    related={"sources": linked(Person, "sources")},
    columns={
        "slug": field("slug"),
        "name_en": field("name_en"),
        "name_ko": field("name_ko"),
        "name_native": field("name_native"),
        "sources": lambda p: joined(p["sources"]),
    },
)

SOURCES = Table(
    name="sources",
    fields=("id", "slug", "title", "publisher", "url", "published_on", "language"),
    columns={
        "slug": field("slug"),
        "title": field("title"),
        "publisher": field("publisher"),
        "url": field("url"),
        "published_on": lambda s: dates.iso_partial(s["published_on"]),
        "language": field("language"),
    },
)

COOPERATION_FIELDS = Table(
    name="cooperation-fields",
    fields=("id", "slug", "name_en", "name_ko"),
    columns={"slug": field("slug"), "name_en": field("name_en"), "name_ko": lambda f: f["name_ko"]},
)

# The countries page's rows (dicts of ``country``, ``region``, ``subregion``, ``cities``,
# ``partners``), which only the page has.
COUNTRIES = Table(
    name="countries",
    columns={
        "country": lambda row: row["country"].code,
        "name": lambda row: row["name"],
        "region": lambda row: row["region"].slug if row["region"] else None,
        "subregion": lambda row: row["subregion"].slug if row["subregion"] else None,
        "cities": lambda row: row["cities"],
        "partner_cities_in_force": lambda row: row["partners"],
    },
)

# The national roll-up's municipalities (registry.network.MunicipalNetwork), on the page's date.
MUNICIPAL_NETWORKS = Table(
    name="national-network",
    columns={
        "slug": lambda row: row.city.slug,
        "name_en": lambda row: row.city.name_en,
        "name_ko": lambda row: row.city.name_ko,
        "admin_level": lambda row: row.city.admin_level,
        "subdivision": lambda row: row.city.subdivision,
        "partner_cities": lambda row: row.partner_cities,
        "countries": lambda row: row.countries,
    },
)

# The national roll-up by first-level subdivision (registry.network.SubdivisionTally).
SUBDIVISION_NETWORKS = Table(
    name="national-network-subdivisions",
    columns={
        "subdivision": lambda row: row.code,
        "name": lambda row: row.name,
        "municipalities": lambda row: len(row.municipalities),
        "partnerships": lambda row: row.partnerships,
        "partner_cities": lambda row: row.partner_cities,
        "countries": lambda row: row.countries,
    },
)

TABLES: dict[type[Model], Table] = {
    City: CITIES,
    Partnership: PARTNERSHIPS,
    Agreement: AGREEMENTS,
    Event: EVENTS,
    Delegation: DELEGATIONS,
    Organization: ORGANIZATIONS,
    Person: PEOPLE,
    Source: SOURCES,
    CooperationField: COOPERATION_FIELDS,
}
