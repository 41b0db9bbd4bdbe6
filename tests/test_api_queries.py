"""Every API list runs the same number of queries for 10 rows as for 1,000 (no query per row)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import models as m

pytestmark = pytest.mark.django_db

PUBLISHED = m.Publication.PUBLISHED


def build(n: int) -> None:
    """``n`` rows in every list, each with the nested records its summary shows (bulk inserts)."""
    source = m.Source.objects.create(slug="s", title="Source")
    field = m.CooperationField.objects.create(slug="f", name_en="Field")
    m.Source.objects.bulk_create(m.Source(slug=f"s{i}", title=f"S{i}", url=f"https://e.org/{i}") for i in range(n))
    m.CooperationField.objects.bulk_create(m.CooperationField(slug=f"f{i}", name_en=f"F{i}") for i in range(n))
    home = m.City.objects.create(slug="home", name_en="Home", country="KR")
    cities = m.City.objects.bulk_create(
        m.City(slug=f"c{i}", name_en=f"C{i}", country="KZ", latitude=43, longitude=76) for i in range(n)
    )
    m.CityName.objects.bulk_create(m.CityName(city=c, name=f"Old {c.slug}") for c in cities)
    m.City.sources.through.objects.bulk_create(m.City.sources.through(city=c, source=source) for c in cities)
    partnerships = m.Partnership.objects.bulk_create(
        m.Partnership(
            city=home, partner=c, kind="sister", established_on=datetime.date(2000, 1, 1), publication=PUBLISHED
        )
        for c in cities
    )
    m.Partnership.fields.through.objects.bulk_create(
        m.Partnership.fields.through(partnership=p, cooperationfield=field) for p in partnerships
    )
    m.Partnership.sources.through.objects.bulk_create(
        m.Partnership.sources.through(partnership=p, source=source) for p in partnerships
    )
    org = m.Organization.objects.create(slug="o", name_en="Org", city=home, country="KR")
    m.Organization.objects.bulk_create(m.Organization(slug=f"o{i}", name_en=f"O{i}", city=home) for i in range(n))
    person = m.Person.objects.create(slug="p", name_en="Person")
    m.Person.objects.bulk_create(m.Person(slug=f"p{i}", name_en=f"P{i}") for i in range(n))
    agreements = m.Agreement.objects.bulk_create(
        m.Agreement(slug=f"a{i}", title_en=f"A{i}", kind="mou", partnership=p, place=p.partner, publication=PUBLISHED)
        for i, p in enumerate(partnerships)
    )
    m.Signatory.objects.bulk_create(
        m.Signatory(agreement=a, order=o, person=person, organization=org) for a in agreements for o in (1, 2)
    )
    m.Agreement.parties.through.objects.bulk_create(
        m.Agreement.parties.through(agreement=a, organization=org) for a in agreements
    )
    delegations = m.Delegation.objects.bulk_create(
        m.Delegation(slug=f"d{i}", name_en=f"D{i}", kind="trade", organizer=org, leader=person, publication=PUBLISHED)
        for i in range(n)
    )
    m.DelegationMember.objects.bulk_create(m.DelegationMember(delegation=d, person=person) for d in delegations)
    m.ItineraryStop.objects.bulk_create(m.ItineraryStop(delegation=d, order=1, city=home) for d in delegations)
    m.Outcome.objects.bulk_create(
        m.Outcome(delegation=d, kind="contract", description_en="x", agreement=a, amount=1, currency="USD")
        for d, a in zip(delegations, agreements, strict=True)
    )
    events = m.Event.objects.bulk_create(
        m.Event(
            slug=f"e{i}",
            title_en=f"E{i}",
            kind="promotion",
            start_on=datetime.date(2022, 1, 1),
            city=home,
            partnership=partnerships[i],
            agreement=agreements[i],
            delegation=delegations[i],
            publication=PUBLISHED,
        )
        for i in range(n)
    )
    m.EventParticipant.objects.bulk_create(m.EventParticipant(event=e, role="Mayor", organization=org) for e in events)


# Queries per list for an anonymous reader (no session, no permission look-up): the page count,
# the page, then one per prefetched relation.
EXPECTED = {
    "cities": 4,  # count, cities, names, sources
    # count, partnerships + both cities, fields, sources, stages, claims (the stages' and claims' sources
    # are one query each more when any exist)
    "partnerships": 6,
    # count, agreements + partnership cities + place, parties, fields, signatories, sources, claims
    "agreements": 7,
    "events": 5,  # count, events + city, partnership cities, agreement, delegation; participants; sources; claims
    "delegations": 6,  # count, delegations + organizer, leader, travelled_with; members, itinerary, outcomes, sources
    "organizations": 3,  # count, organizations + city, sources
    "people": 3,  # count, people, sources
    "sources": 2,  # count, sources
    "cooperation-fields": 2,  # count, fields
}


# Queries of a CSV export (registry.exports, not paginated: no count): the rows, then one per
# relation its columns read (for each chunk of 2,000 rows).
EXPECTED_CSV = {
    "cities": 4,  # cities, former names, sources, partnerships as partner
    "partnerships": 3,  # partnerships + both cities, fields, sources
    "agreements": 5,  # agreements + place, partnership's partner; parties, signatories + person, fields, sources
    "events": 3,  # events + city, agreement, delegation; participants + person, sources
    "delegations": 5,  # delegations + organizer, leader, travelled_with; itinerary, members, outcomes, sources
    "organizations": 2,  # organizations + city, sources
    "people": 2,  # people, sources
    "sources": 1,  # sources
    "cooperation-fields": 1,  # fields
}


def captured(api_client, url) -> tuple[int, list[str]]:
    """The number of queries of one GET of ``url``, and their SQL (shortened) for the message."""
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(url)
        response.getvalue()  # an export runs its queries while it is streamed
    assert response.status_code == 200
    return len(queries), [q["sql"][:120] for q in queries.captured_queries]


@pytest.mark.parametrize("rows", [10, 1000])
@pytest.mark.parametrize("endpoint", list(EXPECTED))
def test_list_queries_do_not_grow_with_rows(api_client, endpoint, rows):
    build(rows)
    count, sql = captured(api_client, f"/api/v1/{endpoint}/?page_size=200")
    assert count == EXPECTED[endpoint], sql
    count, sql = captured(api_client, f"/api/v1/{endpoint}/?format=csv")
    assert count == EXPECTED_CSV[endpoint], sql


@pytest.mark.parametrize("rows", [10, 1000])
@pytest.mark.parametrize(("endpoint", "expected"), [("cities", 4), ("partnerships", 3), ("events", 2)])
def test_geojson_and_icalendar_queries_do_not_grow_with_rows(api_client, endpoint, expected, rows):
    # GeoJSON: as the CSV; iCalendar: the time zones of timed events (their VTIMEZONE
    # components), then events + city in one query.
    build(rows)
    fmt = "ics" if endpoint == "events" else "geojson"
    count, sql = captured(api_client, f"/api/v1/{endpoint}/?format={fmt}")
    assert count == expected, sql
