"""The national roll-up: the home country's municipal networks on a date, by municipality,
partner country and region; page, API and CSV (issue 15). Factory data only."""

import csv
import datetime
import io
from http import HTTPStatus

import pytest

from registry import network

from .factories import CityFactory, PartnershipFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def country(settings):
    """Korea as the home country: Busan, Seoul and Daegu with partners in Japan, Kazakhstan, the US."""
    settings.REGISTRY_HOME_COUNTRY = "KR"
    busan = CityFactory(
        slug="busan", name_en="Busan", country="KR", admin_level="metropolitan_city", subdivision="KR-26"
    )
    seoul = CityFactory(slug="seoul", name_en="Seoul", country="KR", admin_level="special_city", subdivision="KR-11")
    daegu = CityFactory(
        slug="daegu", name_en="Daegu", country="KR", admin_level="metropolitan_city", subdivision="KR-27"
    )
    fukuoka = CityFactory(slug="fukuoka", name_en="Fukuoka", country="JP")
    osaka = CityFactory(slug="osaka", name_en="Osaka", country="JP")
    almaty = CityFactory(slug="almaty", name_en="Almaty", country="KZ")
    la = CityFactory(slug="la", name_en="Los Angeles", country="US")
    PartnershipFactory(city=busan, partner=fukuoka, established_on=D(2007, 1, 1))
    PartnershipFactory(city=busan, partner=almaty, established_on=D(2022, 9, 14))
    PartnershipFactory(city=la, partner=busan, established_on=D(1967, 1, 1))  # recorded from the other side
    PartnershipFactory(city=seoul, partner=osaka, established_on=D(1970, 1, 1))
    PartnershipFactory(
        city=seoul, partner=fukuoka, established_on=D(1990, 1, 1), status="ended", ended_on=D(2000, 1, 1)
    )
    PartnershipFactory(city=daegu, partner=busan, established_on=D(1995, 1, 1))  # two municipalities: counts for both
    PartnershipFactory(city=fukuoka, partner=osaka)  # no Korean side: not counted
    PartnershipFactory(city=seoul, partner=la, publication="draft")  # drafts never count
    return {"busan": busan, "seoul": seoul, "daegu": daegu}


def test_totals_equal_the_sum_of_the_municipalities_on_a_date(country):
    for day in (D(1980, 1, 1), D(1995, 6, 1), D(2022, 9, 13), D(2022, 9, 14), D(2024, 1, 1)):
        rollup = network.national_rollup("KR", day)
        assert rollup.partnerships == sum(m.partner_cities for m in rollup.municipalities)
        for m in rollup.municipalities:
            own = network.network_summary(m.city, day)
            assert (m.partner_cities, m.countries) == (own.partner_cities, own.countries)
        assert rollup.partner_cities == sum(t.partner_cities for t in rollup.by_country)
        assert rollup.partnerships >= rollup.partner_cities


def test_rollup_figures(country):
    rollup = network.national_rollup("kr", D(2024, 1, 1))
    assert [(m.city.slug, m.partner_cities, m.countries) for m in rollup.municipalities] == [
        ("busan", 4, 4),  # Fukuoka, Almaty, Los Angeles, Daegu (KR)
        ("daegu", 1, 1),
        ("seoul", 1, 1),
    ]
    assert (rollup.partnerships, rollup.partner_cities, rollup.countries) == (6, 4, 3)
    assert [(t.country, t.partner_cities, t.partnerships, t.municipalities) for t in rollup.by_country] == [
        ("JP", 2, 2, 2),
        ("KZ", 1, 1, 1),
        ("US", 1, 1, 1),
    ]
    assert {key: (t.partner_cities, t.municipalities) for key, t in rollup.by_region.items()} == {
        "asia": (3, 2),
        "americas": (1, 1),
    }
    before = network.national_rollup("KR", D(2022, 9, 13))
    assert (before.partnerships, before.partner_cities) == (5, 3)


def test_rollup_is_two_queries(country, django_assert_num_queries):
    with django_assert_num_queries(2):
        network.national_rollup("KR", D(2024, 1, 1))


def test_national_page_and_csv(client, country):
    page = client.get("/network/national/", {"as_of": "2024-01-01"})
    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    assert "Municipal networks of South Korea" in html
    assert "<strong>3</strong> municipalities with <strong>6</strong> partnerships in force" in html
    assert 'href="/cities/busan/network/?as_of=2024-01-01"' in html
    response = client.get("/network/national/", {"as_of": "2024-01-01", "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming and response["ETag"].startswith('W/"')  # streamed like every export
    body = response.getvalue()
    assert body.startswith(b"\xef\xbb\xbf")  # with the byte-order mark
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [(r["slug"], r["partner_cities"], r["countries"]) for r in rows] == [
        ("busan", "4", "4"),
        ("daegu", "1", "1"),
        ("seoul", "1", "1"),
    ]
    assert client.get("/network/national/", {"as_of": "2024-02-30"}).status_code == HTTPStatus.BAD_REQUEST
    bad_csv = client.get("/network/national/", {"as_of": "x", "format": "csv"})
    assert bad_csv.status_code == HTTPStatus.BAD_REQUEST


def test_national_page_queries_are_constant(client, country, django_assert_max_num_queries):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # cold: no whole-page or aggregate cache on either side of the comparison
    with CaptureQueriesContext(connection) as before:
        client.get("/network/national/")
    for _ in range(5):
        PartnershipFactory(city=CityFactory(country="KR"), partner=CityFactory(country="FR"))
    cache.clear()
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get("/network/national/")


def test_national_api(api_client, country):
    body = api_client.get("/api/v1/network/national/", {"as_of": "2024-01-01"}).json()
    assert (body["country"], body["partnerships"], body["partner_cities"], body["countries"]) == ("KR", 6, 4, 3)
    assert [(m["slug"], m["partner_cities"], m["countries"]) for m in body["municipalities"]] == [
        ("busan", 4, 4),
        ("daegu", 1, 1),
        ("seoul", 1, 1),
    ]
    assert body["by_country"][0] == {"country": "JP", "municipalities": 2, "partnerships": 2, "partner_cities": 2}
    assert sum(m["partner_cities"] for m in body["municipalities"]) == body["partnerships"]
    response = api_client.get("/api/v1/network/national/", {"as_of": "nope"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()["errors"]) == ["as_of"]


@pytest.fixture
def gyeonggi(country):
    """Two Gyeonggi municipalities sharing a partner in Japan, and one with no subdivision recorded."""
    suwon = CityFactory(slug="suwon", name_en="Suwon", country="KR", subdivision="KR-41")
    yongin = CityFactory(slug="yongin", name_en="Yongin", country="KR", subdivision="KR-41")
    somewhere = CityFactory(slug="somewhere", name_en="Somewhere", country="KR")
    nagoya = CityFactory(slug="nagoya", name_en="Nagoya", country="JP")
    PartnershipFactory(city=suwon, partner=nagoya, established_on=D(2000, 1, 1))
    PartnershipFactory(city=yongin, partner=nagoya, established_on=D(2001, 1, 1))
    PartnershipFactory(city=yongin, partner=CityFactory(slug="lyon", country="FR"), established_on=D(2002, 1, 1))
    PartnershipFactory(city=somewhere, partner=CityFactory(slug="perth", country="AU"), established_on=D(2003, 1, 1))
    return country


def test_rollup_by_subdivision_totals_equal_the_sum_of_their_municipalities(gyeonggi):
    for day in (D(1980, 1, 1), D(2001, 6, 1), D(2024, 1, 1)):
        rollup = network.national_rollup("KR", day)
        assert sum(t.partnerships for t in rollup.by_subdivision) == rollup.partnerships
        assert sorted(m.city.slug for t in rollup.by_subdivision for m in t.municipalities) == sorted(
            m.city.slug for m in rollup.municipalities
        )
        for tally in rollup.by_subdivision:
            assert tally.partnerships == sum(m.partner_cities for m in tally.municipalities)
            assert {m.city.subdivision for m in tally.municipalities} == {tally.code}
    rollup = network.national_rollup("KR", D(2024, 1, 1))
    assert [(t.code, t.name, t.partnerships, t.partner_cities, t.countries) for t in rollup.by_subdivision] == [
        ("KR-26", "Busan-gwangyeoksi", 4, 4, 4),
        ("KR-41", "Gyeonggi-do", 3, 2, 2),  # Nagoya shared by Suwon and Yongin: 3 partnerships, 2 partner cities
        ("KR-11", "Seoul-teukbyeolsi", 1, 1, 1),
        ("KR-27", "Daegu-gwangyeoksi", 1, 1, 1),
        ("", "", 1, 1, 1),  # not recorded: last
    ]


def test_rollup_by_subdivision_stays_two_queries(gyeonggi, django_assert_num_queries):
    with django_assert_num_queries(2):
        network.national_rollup("KR", D(2024, 1, 1))


def test_subdivision_page_api_and_csv(client, api_client, gyeonggi):
    html = client.get("/network/national/", {"as_of": "2024-01-01"}).content.decode()
    assert "By province or metropolitan city" in html
    assert 'Gyeonggi-do <span class="muted">(KR-41)</span>' in html
    assert "Not recorded" in html
    response = client.get("/network/national/", {"as_of": "2024-01-01", "format": "csv", "rows": "subdivisions"})
    assert response["Content-Disposition"] == 'attachment; filename="national-network-subdivisions_2024-01-01.csv"'
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[1] == {
        "subdivision": "KR-41",
        "name": "Gyeonggi-do",
        "municipalities": "2",
        "partnerships": "3",
        "partner_cities": "2",
        "countries": "2",
    }
    municipal = client.get("/network/national/", {"as_of": "2024-01-01", "format": "csv"})
    municipal = municipal.getvalue().decode("utf-8-sig")
    assert {r["slug"]: r["subdivision"] for r in csv.DictReader(io.StringIO(municipal))}["suwon"] == "KR-41"
    body = api_client.get("/api/v1/network/national/", {"as_of": "2024-01-01"}).json()
    assert body["by_subdivision"][1] == {
        "code": "KR-41",
        "name": "Gyeonggi-do",
        "municipalities": ["yongin", "suwon"],
        "partnerships": 3,
        "partner_cities": 2,
        "countries": 2,
    }
    assert body["by_subdivision"][-1]["code"] is None
    assert {m["slug"]: m["subdivision"] for m in body["municipalities"]}["somewhere"] is None


@pytest.mark.parametrize(
    ("code", "country", "rule"),
    [
        ("KR-99", "KR", "subdivision_unknown"),  # KR is listed: the code must be one of its 17
        ("JP-13", "KR", "subdivision_country"),
        ("Busan", "KR", "subdivision_form"),
    ],
)
def test_a_subdivision_outside_the_table_is_refused_naming_the_field(code, country, rule):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        CityFactory.build(country=country, subdivision=code).full_clean()
    assert excinfo.value.error_dict["subdivision"][0].code == rule


def test_a_listed_or_unlisted_country_code_is_accepted():
    CityFactory.build(country="KR", subdivision="KR-41").full_clean()
    CityFactory.build(country="JP", subdivision="JP-13").full_clean()  # JP not listed: form and prefix only


def test_api_refuses_an_unknown_subdivision_naming_the_field(editor):
    from .conftest import token_client

    response = token_client(editor).post(
        "/api/v1/cities/", {"name_en": "Suwon", "country": "KR", "subdivision": "KR-99"}, format="json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()["errors"]) == ["subdivision"]


def test_the_roll_up_is_linked_from_every_page_and_names_provinces_in_korean(client, db):
    """Found by the fresh-clone user test: the roll-up was linked from nowhere, and its provinces
    kept their romanised ISO names on Korean pages."""
    from registry import subdivisions

    home = client.get("/").content.decode()
    assert 'href="/network/national/"' in home
    busan = subdivisions.get("KR-26")
    assert busan.localized_name == "Busan-gwangyeoksi"
    from django.utils import translation

    with translation.override("ko"):
        assert busan.localized_name == "부산광역시"
    assert all(sub.name_ko for sub in subdivisions.subdivisions_of("KR").values())
