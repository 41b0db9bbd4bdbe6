"""Round anniversaries with ordinals, the anniversaries page and the calendar feed."""

import datetime
from http import HTTPStatus

import pytest
from django.utils import timezone, translation

from registry import anniversaries
from registry.models import DatePrecision, Publication

from .factories import CityFactory, PartnershipFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.mark.parametrize(
    ("number", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (11, "11th"), (25, "25th"), (30, "30th")]
)
def test_ordinal(number, text):
    assert anniversaries.ordinal(number) == text


@pytest.mark.parametrize(
    ("established_on", "precision", "start", "expected"),
    [
        # Day precision: the day itself, and not the day after it has passed.
        (D(1992, 9, 21), DatePrecision.DAY, D(2022, 9, 21), [(30, D(2022, 9, 21))]),
        (D(1992, 9, 21), DatePrecision.DAY, D(2022, 9, 22), [(40, D(2032, 9, 21))]),
        # Month precision: the whole month counts.
        (D(1997, 6, 1), DatePrecision.MONTH, D(2022, 6, 30), [(25, D(2022, 6, 1))]),
        # Year precision: the whole year counts, shown as the year.
        (D(1966, 1, 1), DatePrecision.YEAR, D(2016, 12, 31), [(50, D(2016, 1, 1))]),
    ],
)
def test_anniversary_ordinal_at_the_dates_precision(established_on, precision, start, expected):
    found = anniversaries.occurrences(established_on, precision, start, D(2040, 1, 1))
    assert found[: len(expected)] == expected


def test_upcoming_lists_partnerships_and_relations_with_their_ordinals(home):
    almaty = CityFactory(name_en="Almaty", country="KZ")
    PartnershipFactory(city=home, partner=almaty, established_on=D(2012, 9, 14))
    PartnershipFactory(
        city=home, partner=CityFactory(country="KZ"), established_on=D(2000, 1, 1), publication=Publication.DRAFT
    )
    found = anniversaries.upcoming(user=None, start=D(2021, 10, 1))
    assert [(a.on, a.years, a.subject.split("-")[0]) for a in found] == [
        (D(2022, 1, 28), 30, "relations"),
        (D(2022, 9, 14), 10, "partnership"),
    ]
    assert found[0].title == "30th anniversary of diplomatic relations between South Korea and Kazakhstan"
    assert found[1].title == "10th anniversary of the sister city partnership of Home and Almaty"
    with translation.override("ko"):
        assert found[0].title.endswith("30주년")


def test_relations_of_a_home_city_outside_korea_are_not_listed(home):
    home.country = "JP"
    home.save()
    PartnershipFactory(city=home, partner=CityFactory(country="KZ"), established_on=D(2013, 5, 1))
    assert [a.subject.split("-")[0] for a in anniversaries.upcoming(user=None, start=D(2021, 10, 1))] == ["partnership"]


def test_broken_relations_have_no_anniversary(home):
    # Cambodia's 1970–1975 relations were broken; only the 1997 row counts (25th in 2022).
    PartnershipFactory(city=home, partner=CityFactory(country="KH"), established_on=D(2019, 5, 1))
    found = anniversaries.upcoming(user=None, start=D(2020, 1, 1), end=D(2030, 12, 31))
    assert [(a.on, a.years) for a in found if a.subject == "relations-KH"] == [
        (D(2022, 10, 30), 25),
        (D(2027, 10, 30), 30),
    ]


def test_anniversary_page_and_calendar(client, home, settings):
    partnership = PartnershipFactory(city=home, partner=CityFactory(name_en="Almaty", country="KZ"))
    today = timezone.localdate()
    partnership.established_on = today.replace(year=today.year - 20, day=1)
    partnership.established_precision = DatePrecision.MONTH
    partnership.save()
    page = client.get("/anniversaries/")
    assert page.status_code == HTTPStatus.OK
    assert "20th anniversary of the sister city partnership of Home and Almaty" in page.content.decode()
    calendar = client.get("/events/calendar.ics").getvalue().decode()
    assert "SUMMARY:20th anniversary of the sister city partnership of Home and Almaty" in calendar
    assert f"UID:anniversary-partnership-{partnership.pk}-20@{settings.REGISTRY_ICAL_UID_DOMAIN}" in calendar
    assert "Date known only to the month" in calendar
