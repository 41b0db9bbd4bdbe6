"""Every public page runs the same number of SQL queries at 10 and at 1,000 partnerships."""

import datetime
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.models import (
    Agreement,
    City,
    CityName,
    CooperationField,
    Delegation,
    Event,
    ItineraryStop,
    Outcome,
    Partnership,
    Publication,
    Source,
)

pytestmark = pytest.mark.django_db

COUNTRIES = ["JP", "CN", "US", "FR", "KZ", "BR", "AU", "ZA"]
PUBLISHED = Publication.PUBLISHED

PAGES = [
    "/",
    "/?as_of=2005-06-30",
    "/cities/",
    "/cities/?country=cn&kind=sister&in_force_on=2010-01-01",
    "/cities/?q=partner&format=csv",
    "/cities/partner-1/",
    "/cities/home/",
    "/countries/",
    "/countries/jp/",
    "/agreements/",
    "/agreements/?format=csv",
    "/agreements/agreement-1/",
    "/events/",
    "/events/?format=csv",
    "/events/event-1/",
    "/delegations/",
    "/delegations/?format=csv",
    "/delegations/tour/",
    "/events/calendar.ics",
    "/sitemap.xml",
    "/sitemap-cities.xml",
    "/sitemap-partnerships.xml",
    "/sitemap-events.xml",
    "/robots.txt",
    "/ko/cities/?q=partner",
]


def grow(home: City, source: Source, field: CooperationField, start: int, count: int) -> None:
    """Add ``count`` partner cities of ``home``, each with a partnership, a former name, an
    agreement, an event and a stop of the delegation ``tour`` (bulk inserts, for speed)."""
    numbers = range(start, start + count)
    cities = City.objects.bulk_create(
        City(
            slug=f"partner-{i}",
            name_en=f"Partner {i}",
            name_ko=f"파트너 {i}",
            country=COUNTRIES[i % len(COUNTRIES)],
            latitude=(i % 120) - 60,
            longitude=(i % 340) - 170,
            search_text=f"partner {i}",
        )
        for i in numbers
    )
    CityName.objects.bulk_create(CityName(city=city, name=f"Old {city.slug}", used_until=1990) for city in cities)
    City.sources.through.objects.bulk_create(City.sources.through(city=city, source=source) for city in cities)
    partnerships = Partnership.objects.bulk_create(
        Partnership(
            city=home,
            partner=city,
            kind=Partnership.Kind.SISTER if i % 2 else Partnership.Kind.FRIENDSHIP,
            established_on=datetime.date(1970 + i % 50, 1 + i % 12, 1 + i % 28),
            publication=PUBLISHED,
        )
        for i, city in zip(numbers, cities, strict=True)
    )
    Partnership.fields.through.objects.bulk_create(
        Partnership.fields.through(partnership=p, cooperationfield=field) for p in partnerships
    )
    agreements = Agreement.objects.bulk_create(
        Agreement(
            slug=f"agreement-{i}",
            title_en=f"Agreement {i}",
            kind=Agreement.Kind.SISTER_CITY,
            partnership=p,
            place=p.partner,
            signed_on=p.established_on,
            publication=PUBLISHED,
        )
        for i, p in zip(numbers, partnerships, strict=True)
    )
    Agreement.fields.through.objects.bulk_create(
        Agreement.fields.through(agreement=a, cooperationfield=field) for a in agreements
    )
    Agreement.sources.through.objects.bulk_create(
        Agreement.sources.through(agreement=a, source=source) for a in agreements
    )
    Event.objects.bulk_create(
        Event(
            slug=f"event-{i}",
            title_en=f"Event {i}",
            kind=Event.Kind.SIGNING_CEREMONY,
            start_on=a.signed_on,
            city=a.place,
            partnership=a.partnership,
            agreement=a,
            publication=PUBLISHED,
        )
        for i, a in zip(numbers, agreements, strict=True)
    )
    tour = Delegation.objects.get(slug="tour")
    ItineraryStop.objects.bulk_create(
        ItineraryStop(delegation=tour, order=i + 1, city=city) for i, city in zip(numbers, cities, strict=True)
    )


@pytest.fixture
def network(home):
    source = Source.objects.create(slug="source", title="Source", url="https://example.org/")
    field = CooperationField.objects.create(slug="economy", name_en="economy", name_ko="경제")
    tour = Delegation.objects.create(slug="tour", name_en="Tour", kind=Delegation.Kind.TRADE, publication=PUBLISHED)
    Outcome.objects.create(
        delegation=tour, kind=Outcome.Kind.EXPORT_CONSULTATION, description_en="Talks", amount=1000, currency="USD"
    )
    grow(home, source, field, 1, 10)
    return home, source, field


def count_queries(client, url) -> int:
    """Queries of one request with a cold cache (the network summary is cached otherwise)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        response.getvalue()  # an export runs its queries while it is streamed
    assert response.status_code == HTTPStatus.OK, url
    return len(queries)


def test_every_page_runs_the_same_queries_at_10_and_1000_partnerships(client, network):
    small = {url: count_queries(client, url) for url in PAGES}
    grow(*network, start=11, count=990)
    assert Partnership.objects.count() == 1000
    large = {url: count_queries(client, url) for url in PAGES}
    assert large == small
    # A city page reads its partnerships' stages and claims with their sources (four prefetches
    # since the life of a relation was recorded): 14 at most, whatever the number of rows.
    assert max(small.values()) <= 14, small


def test_home_page_queries(client, network, django_assert_max_num_queries):
    # home city, summary (one UNION query), first partners, map partners, timeline (2),
    # latest agreements, latest events, data last changed (one UNION query, the footer's)
    with django_assert_max_num_queries(9):
        client.get("/")


def test_partnership_page_runs_the_same_queries_at_10_and_1000_partnerships(client, network):
    # partnership with both cities, its predecessor and its successor; fields, sources, both cities' names, stages,
    # claims (6 prefetches; their sources are one query each more when any exist); agreements, events,
    # delegations; data last changed (the footer's)
    url = Partnership.objects.get(partner__slug="partner-1").get_absolute_url()
    small = count_queries(client, url)
    grow(*network, start=11, count=990)
    assert count_queries(client, url) == small
    assert small <= 11, small
