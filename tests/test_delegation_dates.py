"""A delegation's page says when it travelled: its own dates, else its itinerary's, else the span
of its events at the precision each is known (a user found no dates on the trade delegation's
page: it has none of its own, and its events are of September 2022)."""

import datetime
import re
from http import HTTPStatus

import pytest

from registry.models import DatePrecision, ItineraryStop, Publication

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
