"""The network on a date: counts in force, by kind and region, first partners, timeline."""

import datetime

import pytest

from registry.models import DatePrecision, Partnership
from registry.network import first_partners, network_summary, timeline

from .factories import CityFactory, PartnershipFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def counts(home, day):
    summary = network_summary(home, day)
    return summary.partner_cities, summary.countries


def test_partnership_counts_from_its_start_date(home):
    PartnershipFactory(city=home, partner=CityFactory(country="KZ"), established_on=D(2022, 9, 14))
    assert counts(home, D(2022, 9, 13)) == (0, 0)
    assert counts(home, D(2022, 9, 14)) == (1, 1)
    assert counts(home, D(2030, 1, 1)) == (1, 1)


def test_year_only_date_counts_from_the_first_of_january(home):
    partnership = PartnershipFactory.build(
        city=home, partner=CityFactory(), established_on=D(1966, 6, 30), established_precision=DatePrecision.YEAR
    )
    partnership.full_clean()
    partnership.save()
    assert counts(home, D(1965, 12, 31)) == (0, 0)
    assert counts(home, D(1966, 1, 1)) == (1, 1)


def test_ended_partnership_is_not_in_force_from_its_end_date(home):
    PartnershipFactory(
        city=home, partner=CityFactory(), established_on=D(2000, 1, 1), status="ended", ended_on=D(2010, 5, 1)
    )
    assert counts(home, D(2010, 4, 30)) == (1, 1)
    assert counts(home, D(2010, 5, 1)) == (0, 0)


def test_suspended_partnership_is_still_in_force(home):
    PartnershipFactory(city=home, partner=CityFactory(), status="suspended", status_reason="Exchanges frozen")
    assert counts(home, D(2024, 1, 1)) == (1, 1)


def test_partnership_recorded_from_the_other_side_counts_too(home):
    PartnershipFactory(city=CityFactory(country="US"), partner=home)
    summary = network_summary(home, D(2024, 1, 1))
    assert (summary.partner_cities, summary.countries) == (1, 1)
    assert list(summary.by_region) == ["americas"]


def test_upgrade_from_friendship_to_sister_city_counts_once(home):
    fukuoka = CityFactory(country="JP")
    PartnershipFactory(
        city=home,
        partner=fukuoka,
        kind="friendship",
        established_on=D(1989, 10, 24),
        status="ended",
        ended_on=D(2007, 2, 2),
    )
    PartnershipFactory(city=home, partner=fukuoka, kind="sister", established_on=D(2007, 2, 2))
    for day in (D(2000, 1, 1), D(2007, 2, 1), D(2007, 2, 2), D(2020, 1, 1)):
        assert counts(home, day) == (1, 1), day
    before = network_summary(home, D(2007, 2, 1)).by_kind
    after = network_summary(home, D(2007, 2, 2)).by_kind
    assert (before["friendship"].partner_cities, before["sister"].partner_cities) == (1, 0)
    assert (after["friendship"].partner_cities, after["sister"].partner_cities) == (0, 1)


def test_breakdown_by_kind_and_region(home):
    PartnershipFactory(city=home, partner=CityFactory(country="CN"), kind="sister")
    PartnershipFactory(city=home, partner=CityFactory(country="CN"), kind="friendship")
    PartnershipFactory(city=home, partner=CityFactory(country="JP"), kind="friendship")
    PartnershipFactory(city=home, partner=CityFactory(country="KZ"), kind="friendship")
    PartnershipFactory(city=home, partner=CityFactory(country="FR"), kind="sister")
    summary = network_summary(home, D(2024, 1, 1))
    assert (summary.partner_cities, summary.countries) == (5, 4)
    assert {k: (t.partner_cities, t.countries) for k, t in summary.by_kind.items()} == {
        "sister": (2, 2),
        "friendship": (3, 3),
    }
    asia = summary.by_region["asia"]
    assert (asia.partner_cities, asia.countries) == (4, 3)
    assert {k: (t.partner_cities, t.countries) for k, t in asia.subregions.items()} == {
        "eastern-asia": (3, 2),
        "central-asia": (1, 1),
    }
    assert (summary.by_region["europe"].partner_cities, summary.by_region["europe"].countries) == (1, 1)


def test_other_cities_partnerships_do_not_count(home):
    PartnershipFactory(city=CityFactory(), partner=CityFactory())
    assert counts(home, D(2024, 1, 1)) == (0, 0)


def test_summary_is_one_query(home, django_assert_num_queries):
    for country in ("CN", "JP", "KZ", "FR", "US"):
        PartnershipFactory(city=home, partner=CityFactory(country=country))
    with django_assert_num_queries(1):  # UNION ALL of the by-sub-region and by-kind counts
        network_summary(home, D(2024, 1, 1))


def test_first_partner_in_each_subregion(home):
    tashkent = PartnershipFactory(city=home, partner=CityFactory(country="UZ"), established_on=D(2023, 1, 1))
    almaty = PartnershipFactory(city=home, partner=CityFactory(country="KZ"), established_on=D(2022, 9, 14))
    PartnershipFactory(city=home, partner=CityFactory(country="JP"), established_on=D(1976, 10, 11))
    firsts = first_partners(home)
    assert firsts["central-asia"] == almaty
    assert first_partners(home, as_of=D(2022, 1, 1)).get("central-asia") is None
    assert tashkent not in firsts.values()


def test_first_partner_is_the_earliest_across_the_countries_of_a_subregion(home):
    # Japan, China and South Korea's neighbours are all Eastern Asia: the first per country
    # is found in the database, the earliest of those (then the lower id) in Python.
    later = PartnershipFactory(city=home, partner=CityFactory(country="JP"), established_on=D(1990, 1, 1))
    tie_low = PartnershipFactory(city=home, partner=CityFactory(country="CN"), established_on=D(1980, 5, 5))
    tie_high = PartnershipFactory(city=home, partner=CityFactory(country="MN"), established_on=D(1980, 5, 5))
    PartnershipFactory(city=home, partner=CityFactory(country="CN"), established_on=D(1985, 1, 1))
    assert first_partners(home)["eastern-asia"] == tie_low
    assert first_partners(home, as_of=D(1989, 12, 31))["eastern-asia"] == tie_low
    tie_low.delete()
    assert first_partners(home)["eastern-asia"] == tie_high
    assert later not in first_partners(home).values()


def test_timeline_counts_per_year_with_running_total(home):
    PartnershipFactory(city=home, partner=CityFactory(), established_on=D(1966, 6, 30))
    PartnershipFactory(city=home, partner=CityFactory(), established_on=D(1966, 12, 1), kind="friendship")
    PartnershipFactory(
        city=home, partner=CityFactory(), established_on=D(1970, 1, 1), status="ended", ended_on=D(1980, 1, 1)
    )
    rows = timeline(home)
    assert [(r["year"], r["established"], r["ended"], r["in_force"]) for r in rows] == [
        (1966, 2, 0, 2),
        (1970, 1, 0, 3),
        (1980, 0, 1, 2),
    ]
    assert (rows[0]["sister"], rows[0]["friendship"]) == (1, 1)


def test_timeline_counts_a_suspension_by_the_one_counting_rule(home, django_assert_num_queries):
    from registry import services

    PartnershipFactory(city=home, partner=CityFactory(), established_on=D(1990, 5, 1))
    paused = PartnershipFactory(city=home, partner=CityFactory(), established_on=D(1995, 3, 1))
    services.suspend_partnership(partnership=paused, on=D(2000, 6, 1), reason="war")
    services.resume_partnership(partnership=paused, on=D(2003, 2, 1), reason="peace")
    with django_assert_num_queries(2):
        rows = timeline(home)
    assert [(r["year"], r["established"], r["ended"], r["in_force"]) for r in rows] == [
        (1990, 1, 0, 1),
        (1995, 1, 0, 2),
        (2000, 0, 0, 1),
        (2003, 0, 0, 2),
    ]
    # each row agrees with the counting rule on that year's last day (or on ``as_of``)
    for row in rows:
        day = D(row["year"], 12, 31)
        assert row["in_force"] == Partnership.objects.involving(home).in_force_on(day).count()
    assert timeline(home, as_of=D(2001, 1, 1))[-1] == {
        "year": 2000,
        "established": 0,
        "sister": 0,
        "friendship": 0,
        "ended": 0,
        "in_force": 1,
    }


def test_in_force_on_is_a_queryset_filter(home):
    p = PartnershipFactory(city=home, partner=CityFactory(), established_on=D(2000, 1, 1))
    assert list(Partnership.objects.in_force_on(D(2000, 1, 1))) == [p]
    assert not Partnership.objects.in_force_on(D(1999, 12, 31)).exists()


def test_draft_partnerships_do_not_count(home):
    PartnershipFactory(city=home, partner=CityFactory(), publication="draft")
    assert counts(home, D(2024, 1, 1)) == (0, 0)
    assert Partnership.objects.public().count() == 0


def test_cached_summary_is_invalidated_by_a_change(home, django_assert_num_queries):
    from registry.network import cached_network_summary

    PartnershipFactory(city=home, partner=CityFactory())
    day = D(2024, 1, 1)
    assert cached_network_summary(home, day).partner_cities == 1
    with django_assert_num_queries(0):
        assert cached_network_summary(home, day).partner_cities == 1
    PartnershipFactory(city=home, partner=CityFactory())
    assert cached_network_summary(home, day).partner_cities == 2
