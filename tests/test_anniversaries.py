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


def test_upcoming_reads_only_the_partnerships_of_a_round_years_window_and_misses_none(home):
    """``round_year_windows`` narrows the partnerships read in the database; every anniversary
    that :func:`anniversaries.occurrences` finds among all of them is still found, at each
    precision, on the edges of each round year's window (a date known to the year or month
    begins its period before its anniversary day)."""
    start = D(2026, 12, 5)
    end = anniversaries.dates.add_years(start, 2) - datetime.timedelta(days=1)
    cases = []
    for years in (*anniversaries.ROUND_YEARS, 15, 70):
        for day in (D(2026, 1, 1), D(2026, 12, 4), D(2026, 12, 5), D(2028, 12, 4), D(2028, 12, 5), D(2029, 6, 1)):
            for precision in (DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR):
                since = anniversaries.dates.add_years(day, -years)
                since = {
                    DatePrecision.MONTH: since.replace(day=1),
                    DatePrecision.YEAR: since.replace(month=1, day=1),
                }.get(precision, since)
                cases.append((since, precision))
    for since, precision in sorted(set(cases)):
        PartnershipFactory(partner=CityFactory(country="JP"), established_on=since, established_precision=precision)
    expected = sorted(
        (on, years, since, precision)
        for since, precision in set(cases)
        for years, on in anniversaries.occurrences(since, precision, start, end)
    )
    found = anniversaries.upcoming(user=None, start=start)
    assert sorted((a.on, a.years, a.since, a.precision) for a in found if a.partnership_id) == expected
    assert expected and all(a.partnership is not None for a in found if a.partnership_id)


def test_the_anniversary_page_shows_a_page_at_a_time(client, home, monkeypatch, django_assert_max_num_queries):
    from registry.views_records import AnniversaryListView

    monkeypatch.setattr(AnniversaryListView, "paginate_by", 2)
    today = timezone.localdate()
    for n, years in enumerate(anniversaries.ROUND_YEARS[:5]):  # all on today's date: in the order made
        PartnershipFactory(
            city=home,
            partner=CityFactory(name_en=f"Partner {n}"),
            established_on=today.replace(year=today.year - years),
        )
    first = client.get("/anniversaries/").content.decode()
    assert first.count("anniversary of the sister city partnership") == 2
    assert "Page 1 of 3" in first and "?page=2" in first
    last = client.get("/anniversaries/?page=last").content.decode()
    assert "Page 3 of 3" in last and "Partner 4" in last and "Partner 0" not in last
    refused = client.get("/anniversaries/?page=abc")
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "Give the page as a whole number" in refused.content.decode() and "Page 1 of 3" in refused.content.decode()
    assert client.get("/anniversaries/?page=4").status_code == HTTPStatus.NOT_FOUND
    twice = client.get("/anniversaries/?page=2&page=3")  # as every list: the first page, and why
    assert twice.status_code == HTTPStatus.BAD_REQUEST
    assert "“page” is given 2 times" in twice.content.decode() and "Page 1 of 3" in twice.content.decode()
    with django_assert_max_num_queries(12):  # the page's partnerships only, in one query
        client.get("/anniversaries/?page=2")
