"""The queries rewritten for 100,000 partnerships (issue 12) answer what the rules say: the
events and agreements of a city, the counting rule with pauses, the countries of the filter
form, the visibility of a row's references, and how an export reads its rows."""

import contextlib
import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction

from registry.api.pagination import KeysFirstPaginator
from registry.cache import record_change
from registry.exports.rows import streaming
from registry.forms import place_counts
from registry.models import Agreement, City, Event, Partnership, PartnershipStage, Publication

from .factories import AgreementFactory, CityFactory, EventFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

SUSPENDED, RESUMED = PartnershipStage.Kind.SUSPENDED, PartnershipStage.Kind.RESUMED


def test_events_and_agreements_of_a_city_are_held_there_or_under_its_partnerships_either_side():
    city = CityFactory(slug="almaty", country="KZ")
    named_first = PartnershipFactory(city=city)
    named_second = PartnershipFactory(partner=city)
    elsewhere = PartnershipFactory()
    held_there = EventFactory(city=city)
    of_first, of_second = EventFactory(partnership=named_first), EventFactory(partnership=named_second)
    EventFactory(partnership=elsewhere)
    EventFactory()
    signed_there = AgreementFactory(place=city)
    under_partnership = AgreementFactory(partnership=named_second)
    AgreementFactory(partnership=elsewhere)

    assert set(Event.objects.of_city(city)) == {held_there, of_first, of_second}
    assert set(Agreement.objects.of_city(city)) == {signed_there, under_partnership}
    # Held there and under one of its partnerships: listed once.
    both = EventFactory(city=city, partnership=named_first)
    assert list(Event.objects.of_city(city)).count(both) == 1
    # Chained after visibility: a draft stays out for the public.
    of_first.publication = Publication.DRAFT
    of_first.save(update_fields=["publication"])
    assert of_first not in Event.objects.public().of_city(city)


@pytest.mark.parametrize(
    ("stages", "in_force"),
    [
        ([], True),
        ([(SUSPENDED, 3)], False),
        ([(SUSPENDED, 3), (RESUMED, 5)], False),  # resumed after the day counted
        ([(SUSPENDED, 1), (RESUMED, 3)], True),  # back in force on the resume date
        ([(SUSPENDED, 3), (RESUMED, 3)], True),  # the same day: the later stage (by id) counts
        ([(RESUMED, 3), (SUSPENDED, 3)], False),
        ([(SUSPENDED, 1), (RESUMED, 2), (SUSPENDED, 3)], False),
        ([(SUSPENDED, 9)], True),  # suspended only after the day counted
    ],
)
def test_in_force_on_follows_the_latest_pause_on_or_before_the_day(stages, in_force):
    partnership = PartnershipFactory(established_on=datetime.date(2000, 1, 1))
    for kind, day in stages:
        PartnershipStage.objects.create(partnership=partnership, kind=kind, on=datetime.date(2020, 1, day))
    counted = Partnership.objects.in_force_on(datetime.date(2020, 1, 3))
    assert (partnership in counted) is in_force


def test_filter_form_counts_the_countries_of_cities_the_reader_may_see(superuser):
    PartnershipFactory(partner=CityFactory(country="KZ"))
    PartnershipFactory(partner=CityFactory(country="PE"), publication=Publication.DRAFT)
    CityFactory(country="FI")  # referenced by nothing: seen by staff only

    public, _areas = place_counts(City.objects.visible_to(AnonymousUser()))
    assert public == {"KZ": 1, "KR": 1}  # the home side of the published relation
    staff, _areas = place_counts(City.objects.visible_to(superuser))
    assert staff == {"KZ": 1, "PE": 1, "FI": 1, "KR": 2}


def test_visibility_of_a_reference_is_that_of_the_row_it_points_to(superuser):
    draft = PartnershipFactory(publication=Publication.DRAFT)
    published = PartnershipFactory()
    events = {
        "draft": EventFactory(partnership=draft),
        "published": EventFactory(partnership=published),
        "none": EventFactory(),
    }
    for user, expected in (
        (AnonymousUser(), {"draft": False, "published": True, "none": False}),
        (superuser, {"draft": True, "published": True, "none": False}),
    ):
        rows = Event.objects.with_visibility(user, "partnership").in_bulk([e.pk for e in events.values()])
        assert {name: rows[event.pk].partnership_visible for name, event in events.items()} == expected


@pytest.mark.django_db(transaction=True)
def test_an_export_reads_inside_a_transaction_on_postgresql_only():
    """Outside a transaction Django declares PostgreSQL's server-side cursor WITH HOLD, which
    computes the whole result before the first row; SQLite must not take its write lock."""
    context = streaming(Event.objects.all())
    if connection.vendor == "postgresql":
        assert isinstance(context, transaction.Atomic)
    else:
        assert isinstance(context, contextlib.nullcontext)
    with transaction.atomic():
        assert isinstance(streaming(Event.objects.all()), contextlib.nullcontext)


def partnership_list_sql(client, url: str) -> tuple[str, list]:
    """The SQL and parameters of the query that reads an API list page's partnerships."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return next(q["sql"] for q in ctx.captured_queries if "LIMIT" in q["sql"] and "registry_partnership" in q["sql"])


def test_an_api_page_is_read_by_its_keys_first_with_the_same_rows_in_the_same_order(client, monkeypatch):
    """The rows' computed columns (last activity, a successor's visibility) are computed for the
    page's rows only: the page's keys are chosen in a subquery (``KeysFirstPaginator``); the
    rows, their order and the number of queries do not change. A short list is sliced directly."""
    partnerships = [
        PartnershipFactory(status=status, established_on=datetime.date(2000 + n % 4, 1, 1))
        for n, status in enumerate(("active", "suspended", "active") * 4)
    ]
    url = "/api/v1/partnerships/?ordering=status&page_size=5&page=2"
    monkeypatch.setattr(KeysFirstPaginator, "keys_first_above", len(partnerships))
    assert re.search(r"LIMIT 5 OFFSET 5\s*$", partnership_list_sql(client, url))  # no subquery of keys
    monkeypatch.setattr(KeysFirstPaginator, "keys_first_above", len(partnerships) - 1)
    record_change()  # the answer is not the response cache's
    sql = partnership_list_sql(client, url)
    # The page's bounds are in the subquery of keys; the query itself ends with its ordering.
    assert "LIMIT 5 OFFSET 5)" in sql and not re.search(r"LIMIT \d+( OFFSET \d+)?\s*$", sql)
    expected = sorted(partnerships, key=lambda p: (p.status, p.pk))  # the ordering, then the key
    seen = []
    for page in (1, 2, 3):
        answer = client.get(f"/api/v1/partnerships/?ordering=status&page_size=5&page={page}").json()
        seen += [row["id"] for row in answer["results"]]
    assert seen == [p.pk for p in expected]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner and its statistics")
def test_the_successor_of_each_listed_partnership_is_found_by_index_on_sqlite(client):
    """``with_visibility(user, "successor")`` joins each row's successor (the reverse of
    ``predecessor``). With the statistics ``ANALYZE`` leaves (nearly every partnership has no
    predecessor, so the one-to-one's own index counts half the table per value), SQLite scanned
    the whole table for each row; ``partnership_successor_idx`` holds the upgrades only."""
    PartnershipFactory.create_batch(30)
    first = PartnershipFactory(kind="friendship", status="ended", ended_on=datetime.date(2010, 1, 1))
    PartnershipFactory(
        city=first.city, partner=first.partner, established_on=datetime.date(2010, 1, 1), predecessor=first
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    sql = partnership_list_sql(client, "/api/v1/partnerships/?ordering=status")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        plan = [row[-1] for row in cursor.fetchall()]
    assert not [step for step in plan if step.startswith("SCAN")], plan
