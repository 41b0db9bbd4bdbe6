"""A delegation's page says when it travelled: its own dates, else its itinerary's, else the span
of its events at the precision each is known (a user found no dates on the trade delegation's
page: it has none of its own, and its events are of September 2022)."""

import csv
import datetime
import io
import re
from http import HTTPStatus

import pytest

from registry.models import DatePrecision, ItineraryStop, Publication

from .conftest import token_client
from .factories import CityFactory, DelegationFactory, EventFactory

pytestmark = pytest.mark.django_db


def _dates(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    text = re.sub(r'<span class="date">(.*?)</span>', r"\1", response.content.decode())  # each date on one line
    start = text.index("<dt>", text.index('class="facts"'))
    return " ".join(text[start : text.index("</dl>", start)].split())


def test_a_delegation_without_dates_shows_its_events_span_at_their_precision(client):
    delegation = DelegationFactory()
    EventFactory(delegation=delegation, start_on=datetime.date(2022, 9, 14), start_precision=DatePrecision.DAY)
    EventFactory(delegation=delegation, start_on=datetime.date(2022, 9, 1), start_precision=DatePrecision.MONTH)
    EventFactory(delegation=delegation, start_on=datetime.date(2023, 1, 1), publication=Publication.DRAFT)
    korean = _dates(client, f"/ko/delegations/{delegation.slug}/")
    assert '<dt>날짜</dt> <dd> 2022년 9월 <span class="muted">(행사 기준)</span> </dd>' in korean
    english = _dates(client, f"/delegations/{delegation.slug}/")
    assert '<dt>Dates</dt> <dd> September 2022 <span class="muted">(from its events)</span> </dd>' in english


def test_a_delegation_shows_its_events_span_from_first_to_last(client):
    delegation = DelegationFactory()
    EventFactory(delegation=delegation, start_on=datetime.date(2019, 1, 1), start_precision=DatePrecision.YEAR)
    EventFactory(delegation=delegation, start_on=datetime.date(2020, 3, 2), end_on=datetime.date(2020, 3, 4))
    english = _dates(client, f"/delegations/{delegation.slug}/")
    assert "<dd> 2019 – 4 March 2020 <span" in english


def test_a_delegation_without_dates_of_its_own_shows_its_itinerarys(client):
    delegation = DelegationFactory()
    EventFactory(delegation=delegation, start_on=datetime.date(2001, 1, 1))  # the itinerary comes first
    for order, (arrive, depart) in enumerate([((2022, 9, 12), (2022, 9, 15)), ((2022, 9, 16), None)], start=1):
        ItineraryStop.objects.create(
            delegation=delegation,
            order=order,
            city=CityFactory(),
            arrive_on=datetime.date(*arrive),
            depart_on=depart and datetime.date(*depart),
        )
    korean = _dates(client, f"/ko/delegations/{delegation.slug}/")
    assert '<dd> 2022년 9월 12일 – 2022년 9월 16일 <span class="muted">(일정 기준)</span> </dd>' in korean


def test_a_delegations_own_dates_come_first_and_one_day_is_shown_once(client):
    delegation = DelegationFactory(start_on=datetime.date(2022, 9, 13), end_on=datetime.date(2022, 9, 13))
    EventFactory(delegation=delegation, start_on=datetime.date(2001, 1, 1))
    assert "<dt>Dates</dt> <dd> 13 September 2022 </dd>" in _dates(client, f"/delegations/{delegation.slug}/")


def test_a_delegation_with_no_date_anywhere_shows_no_dates_row(client):
    delegation = DelegationFactory()
    assert "<dt>Dates</dt>" not in _dates(client, f"/delegations/{delegation.slug}/")


def test_the_shipped_trade_delegation_shows_september_2022(client, shipped_data):
    korean = _dates(client, "/ko/delegations/busan-trade-delegation-almaty-2022/")
    assert "<dt>날짜</dt> <dd> 2022년 9월 " in korean


def test_the_list_of_delegations_gives_each_the_dates_its_page_gives(client, shipped_data):
    """helper-96: the list's Dates column read "—" for both shipped delegations, whose pages say
    2022년 9월 (행사 기준); it takes the same dates (``travel_dates``)."""
    text = " ".join(re.sub(r"<[^>]+>", " ", client.get("/ko/delegations/").content.decode()).split())
    assert "2022 부산 무역사절단 (알마티) 무역사절단 2022년 9월 (행사 기준)" in text


def test_an_events_end_is_a_day_whatever_its_starts_precision(client):
    """An event known to its month whose last day is given ended on that day: its end was cut to
    the start's precision ("September 2022" for an event ending on 16 September)."""
    delegation = DelegationFactory()
    EventFactory(
        delegation=delegation,
        start_on=datetime.date(2022, 9, 1),
        start_precision=DatePrecision.MONTH,
        end_on=datetime.date(2022, 9, 16),
    )
    english = _dates(client, f"/delegations/{delegation.slug}/")
    assert "<dd> September 2022 – 16 September 2022 <span" in english


# --------------------------------------------------------------------------- the filters read them


def _page_slugs(client, query: str, prefix: str = "") -> list[str]:
    response = client.get(f"{prefix}/delegations/?{query}")
    assert response.status_code == HTTPStatus.OK, response.content[:500]
    return list(dict.fromkeys(re.findall(r'href="(?:/ko)?/delegations/([^/"?]+)/"', response.content.decode())))


def _api_slugs(client, query: str) -> list[str]:
    response = client.get(f"/api/v1/delegations/?{query}")
    assert response.status_code == HTTPStatus.OK, response.content[:500]
    return [row["slug"] for row in response.json()["results"]]


SHIPPED = ["busan-trade-delegation-almaty-2022", "eurasia-citizens-campaign-2022"]


@pytest.mark.parametrize("prefix", ["", "/ko"])
def test_the_date_filters_read_the_dates_the_page_shows(client, api_client, shipped_data, prefix):
    """A tester: ``established_after=2022`` listed no delegation, on the page and in the API, while
    both shipped delegations say September 2022 (their events'): the filter read only their own
    ``start_on``, which neither has."""
    for query in ("established_after=2022", "established_before=2022-09", "established_after=2022-09"):
        assert sorted(_page_slugs(client, query, prefix)) == SHIPPED, query
        assert sorted(_api_slugs(api_client, query)) == SHIPPED, query
    for query in ("established_before=2022-08", "established_after=2022-10", "established_after=2022-09-02"):
        assert _page_slugs(client, query, prefix) == [], query  # September 2022 starts on its first day
        assert _api_slugs(api_client, query) == [], query


@pytest.fixture
def three_ways():
    """A delegation dated by each rule: its own dates, its itinerary's, its events'."""
    own = DelegationFactory(slug="own", start_on=datetime.date(2021, 5, 3), end_on=datetime.date(2021, 5, 6))
    EventFactory(delegation=own, start_on=datetime.date(2010, 1, 1))  # own dates come first
    itinerary = DelegationFactory(slug="itinerary")
    EventFactory(delegation=itinerary, start_on=datetime.date(2010, 1, 1))  # the itinerary comes first
    ItineraryStop.objects.create(
        delegation=itinerary, order=1, city=CityFactory(), arrive_on=None, depart_on=datetime.date(2019, 7, 2)
    )
    events = DelegationFactory(slug="events")
    EventFactory(delegation=events, start_on=datetime.date(2020, 1, 1), start_precision=DatePrecision.YEAR)
    EventFactory(delegation=events, start_on=datetime.date(2024, 2, 1), publication=Publication.DRAFT)
    DelegationFactory(slug="undated")


def test_the_filters_and_the_order_read_own_then_itinerary_then_events(client, api_client, three_ways):
    for slugs in (_page_slugs, _api_slugs):
        reader = client if slugs is _page_slugs else api_client
        assert slugs(reader, "established_after=2020") == ["own", "events"]
        assert slugs(reader, "established_before=2019") == ["itinerary"]
        assert slugs(reader, "established_after=2019-07-02&established_before=2020-06") == ["events", "itinerary"]
        assert slugs(reader, "ordering=start_on") == ["itinerary", "events", "own", "undated"]
        assert slugs(reader, "ordering=-start_on") == ["own", "events", "itinerary", "undated"]
        assert slugs(reader, "") == ["own", "events", "itinerary", "undated"]  # the latest first


def test_a_draft_event_dates_a_delegation_for_staff_only(client, api_client, superuser, three_ways):
    """The events that date a delegation are those the reader may see: an anonymous filter never
    counts a draft event (it would reveal its date), staff's does."""
    draft_only = DelegationFactory(slug="draft-only")
    EventFactory(delegation=draft_only, start_on=datetime.date(2024, 3, 5), publication=Publication.DRAFT)
    assert _page_slugs(client, "established_after=2024") == []
    assert _api_slugs(api_client, "established_after=2024") == []
    assert _page_slugs(client, "ordering=start_on")[-2:] == ["undated", "draft-only"]  # undated: last, by id
    client.force_login(superuser)
    api_client = token_client(superuser)
    assert _page_slugs(client, "established_after=2024") == ["draft-only"]
    assert _api_slugs(api_client, "established_after=2024") == ["draft-only"]
    # the events delegation's draft event of February 2024 dates its end for staff, not its start
    assert "events" not in _api_slugs(api_client, "established_after=2021")
    detail = _dates(client, "/delegations/draft-only/")
    assert "<dd> 5 March 2024 <span" in detail


def test_a_month_event_without_an_end_ends_after_a_day_within_it(client):
    """The span's end is the latest period's last day: an event of September 2022 ends after one of
    16 September, and on a tie the coarser date is shown."""
    delegation = DelegationFactory()
    EventFactory(delegation=delegation, start_on=datetime.date(2022, 9, 16))
    EventFactory(delegation=delegation, start_on=datetime.date(2022, 9, 1), start_precision=DatePrecision.MONTH)
    EventFactory(delegation=delegation, start_on=datetime.date(2022, 8, 31))
    EventFactory(delegation=delegation, start_on=datetime.date(2022, 8, 1), start_precision=DatePrecision.MONTH)
    english = _dates(client, f"/delegations/{delegation.slug}/")
    assert "<dd> August 2022 – September 2022 <span" in english


def _csv(client, url: str) -> dict[str, dict[str, str]]:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK, url
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    return {row["slug"]: row for row in rows}


def test_the_api_and_the_csv_give_the_travel_dates_the_page_shows(api_client, superuser, three_ways):
    """The API's ``travel_dates`` and the CSV's ``travel_*`` columns give each delegation's dates as
    its page does (helper-98: a reader of the API or the file saw no date for a delegation dated
    by its itinerary or events), by the same rule for the same reader (a draft event dates it for
    staff only), in a list, a record, a CSV and the answer to a write."""
    listed = {row["slug"]: row["travel_dates"] for row in api_client.get("/api/v1/delegations/").json()["results"]}
    assert listed == {
        "own": {
            "start": "2021-05-03",
            "start_precision": "day",
            "end": "2021-05-06",
            "end_precision": "day",
            "basis": "own",
        },
        "events": {
            "start": "2020",
            "start_precision": "year",
            "end": "2020",
            "end_precision": "year",
            "basis": "events",
        },
        "itinerary": {
            **{"start": "2019-07-02", "start_precision": "day", "end": "2019-07-02", "end_precision": "day"},
            "basis": "itinerary",
        },
        "undated": None,
    }
    assert api_client.get("/api/v1/delegations/events/").json()["travel_dates"] == listed["events"]
    rows = _csv(api_client, "/api/v1/delegations/?format=csv")
    assert {
        slug: (row["travel_start"], row["travel_end_precision"], row["travel_basis"]) for slug, row in rows.items()
    } == {
        "own": ("2021-05-03", "day", "own"),
        "events": ("2020", "year", "events"),
        "itinerary": ("2019-07-02", "day", "itinerary"),
        "undated": ("", "", ""),
    }
    staff = token_client(superuser)
    assert staff.get("/api/v1/delegations/events/").json()["travel_dates"]["end"] == "2024-02-01"  # its draft event
    assert _csv(staff, "/api/v1/delegations/?format=csv")["events"]["travel_end"] == "2024-02-01"
    created = staff.post(
        "/api/v1/delegations/", {"name_en": "New", "kind": "official", "start_on": "2023-04-05"}, format="json"
    )
    assert created.status_code == HTTPStatus.CREATED, created.content
    assert created.json()["travel_dates"]["start"] == "2023-04-05"


def test_the_answer_to_a_change_gives_the_travel_dates_as_the_change_left_them(superuser, three_ways):
    """A PATCH or PUT answers ``travel_dates`` of the record as saved, not as read before the
    change (helper-102: a PATCH of ``start_on`` answered the old dates; a delegation given its
    first date answered ``null``)."""
    staff = token_client(superuser)
    changed = staff.patch("/api/v1/delegations/own/", {"start_on": "2021-05-04"}, format="json")
    assert changed.status_code == HTTPStatus.OK, changed.content
    assert changed.json()["travel_dates"] == staff.get("/api/v1/delegations/own/").json()["travel_dates"]
    assert changed.json()["travel_dates"]["start"] == "2021-05-04"
    dated = staff.patch("/api/v1/delegations/undated/", {"end_on": "2022-03-04"}, format="json")
    assert dated.json()["travel_dates"] == {
        **{"start": "2022-03-04", "start_precision": "day", "end": "2022-03-04", "end_precision": "day"},
        "basis": "own",
    }
    record = staff.get("/api/v1/delegations/events/").json()
    replaced = staff.put(
        "/api/v1/delegations/events/",
        {"name_en": record["name_en"], "kind": record["kind"], "start_on": "2018-03-04"},
        format="json",
    )
    assert replaced.status_code == HTTPStatus.OK, replaced.content
    assert replaced.json()["travel_dates"]["basis"] == "own"


def test_a_delegation_without_stops_shows_a_dash_under_its_itinerary_in_the_list(client):
    """On a phone each cell is labelled ("Itinerary: …"); a delegation without stops showed the
    label with nothing after it (helper-106). Its dates' cell already showed a dash."""
    DelegationFactory(name_en="Quiet Visit")
    with_stops = DelegationFactory(name_en="Busy Visit")
    ItineraryStop.objects.create(delegation=with_stops, order=1, city=CityFactory(name_en="Stopville"))
    page = client.get("/delegations/").content.decode()
    cells = {
        name: " ".join(cell.split())
        for name, cell in re.findall(r">([^<]+)</a></th>.*?<td data-label=\"Itinerary\">(.*?)</td>", page, re.S)
    }
    assert cells["Quiet Visit"] == '<span class="muted">—</span>'
    assert "Stopville" in cells["Busy Visit"] and "—" not in cells["Busy Visit"]
