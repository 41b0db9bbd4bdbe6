"""Any city's network: both sides of a partnership on city pages, `/cities/<slug>/network/`
and `/api/v1/network/?city=<slug>` (issue 15)."""

import datetime
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import network

from .factories import AgreementFactory, CityFactory, EventFactory, PartnershipFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def fukuoka_kaohsiung(home):
    """Busan-like home with one partner, and Fukuoka–Kaohsiung added between two other cities."""
    fukuoka = CityFactory(slug="fukuoka", name_en="Fukuoka", country="JP")
    kaohsiung = CityFactory(slug="kaohsiung", name_en="Kaohsiung", country="TW")
    PartnershipFactory(city=home, partner=CityFactory(slug="almaty", name_en="Almaty", country="KZ"))
    PartnershipFactory(city=home, partner=fukuoka, established_on=D(1989, 1, 1))
    PartnershipFactory(city=fukuoka, partner=kaohsiung, kind="friendship", established_on=D(2009, 3, 1))
    return fukuoka, kaohsiung


@pytest.mark.parametrize("slug", ["fukuoka", "kaohsiung"])
def test_fukuoka_kaohsiung_is_listed_on_both_city_pages(client, fukuoka_kaohsiung, slug):
    page = client.get(f"/cities/{slug}/").content.decode()
    other = "Kaohsiung" if slug == "fukuoka" else "Fukuoka"
    assert f'href="/cities/{other.lower()}/"' in page and f">{other}</a>" in page
    assert f'href="/cities/{slug}/network/"' in page


def test_city_page_lists_partnerships_on_either_side(client, fukuoka_kaohsiung):
    page = client.get("/cities/fukuoka/").content.decode()
    assert 'href="/cities/home/"' in page  # Fukuoka is the partner side there
    assert 'href="/cities/kaohsiung/"' in page  # and the city side here
    assert "Almaty" not in page


def test_city_page_queries_do_not_grow_with_partnerships(client, fukuoka_kaohsiung, django_assert_num_queries):
    fukuoka, _ = fukuoka_kaohsiung
    cache.clear()  # cold: no whole-page or aggregate cache on either side of the comparison
    with CaptureQueriesContext(connection) as before:
        client.get("/cities/fukuoka/")
    for n in range(5):
        PartnershipFactory(city=fukuoka, partner=CityFactory(country="FR"), established_on=D(2010 + n, 1, 1))
    cache.clear()
    with django_assert_num_queries(len(before.captured_queries)):
        assert client.get("/cities/fukuoka/").status_code == HTTPStatus.OK


def test_each_city_has_its_own_network(fukuoka_kaohsiung):
    fukuoka, kaohsiung = fukuoka_kaohsiung
    summary = network.network_summary(fukuoka, D(2024, 1, 1))
    assert (summary.partner_cities, summary.countries) == (2, 2)  # Home (KR), Kaohsiung (TW)
    assert {kind: t.partner_cities for kind, t in summary.by_kind.items()} == {"sister": 1, "friendship": 1}
    summary = network.network_summary(kaohsiung, D(2024, 1, 1))
    assert (summary.partner_cities, summary.countries) == (1, 1)
    assert network.network_summary(kaohsiung, D(2009, 2, 28)).partner_cities == 0


def test_any_city_network_is_one_query(fukuoka_kaohsiung, django_assert_num_queries):
    fukuoka, _ = fukuoka_kaohsiung
    with django_assert_num_queries(1):
        network.network_summary(fukuoka, D(2024, 1, 1))


def test_city_network_page(client, fukuoka_kaohsiung):
    response = client.get("/cities/kaohsiung/network/?as_of=2024-01-01")
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "Kaohsiung's partner cities" in page
    assert "<strong>1</strong> partner city in <strong>1</strong> country" in page
    assert 'href="/cities/fukuoka/"' in page
    before = client.get("/cities/kaohsiung/network/?as_of=2009-02-28").content.decode()
    assert "<strong>0</strong> partner cities" in before


def test_city_network_page_names_the_other_side_and_its_own_latest_records(client, fukuoka_kaohsiung):
    """Kaohsiung is the partner side of Fukuoka–Kaohsiung: its first partner in Eastern Asia is
    Fukuoka (not Kaohsiung itself), and its "Latest" columns list its own agreements and events."""
    fukuoka, kaohsiung = fukuoka_kaohsiung
    theirs = fukuoka.partnerships.get(partner=kaohsiung)
    AgreementFactory(title_en="Fukuoka–Kaohsiung agreement", partnership=theirs, signed_on=D(2009, 3, 1))
    EventFactory(title_en="Kaohsiung visit", city=kaohsiung, start_on=D(2012, 5, 1))
    AgreementFactory(title_en="Someone else's agreement", signed_on=D(2010, 1, 1))
    page = client.get("/cities/kaohsiung/network/?as_of=2024-01-01")
    first = page.context["first_partners"]["eastern-asia"]
    assert first.with_city == fukuoka
    text = page.content.decode()
    assert "Fukuoka–Kaohsiung agreement" in text and "Kaohsiung visit" in text
    assert "Someone else's agreement" not in text


def test_totals_say_country_for_one_and_countries_for_more(client, home):
    for n in range(2):
        PartnershipFactory(city=home, partner=CityFactory(country="JP"), established_on=D(2000 + n, 1, 1))
    page = client.get("/", {"as_of": "2000-06-01"}).content.decode()
    assert "<strong>1</strong> partner city in <strong>1</strong> country" in page
    page = client.get("/", {"as_of": "2001-06-01"}).content.decode()
    assert "<strong>2</strong> partner cities in <strong>1</strong> country" in page
    ko = client.get("/ko/", {"as_of": "2001-06-01"}).content.decode()
    assert "<strong>1</strong>개국 <strong>2</strong>개 도시" in ko


def test_city_network_page_of_an_unknown_or_hidden_city_is_404(client, home):
    CityFactory(slug="hidden")  # referenced by nothing public
    assert client.get("/cities/nowhere/network/").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/cities/hidden/network/").status_code == HTTPStatus.NOT_FOUND


def test_city_network_page_bad_date_is_400(client, fukuoka_kaohsiung):
    assert client.get("/cities/fukuoka/network/?as_of=2022-02-30").status_code == HTTPStatus.BAD_REQUEST


def test_city_network_page_queries_are_constant(client, fukuoka_kaohsiung, django_assert_num_queries):
    fukuoka, _ = fukuoka_kaohsiung
    cache.clear()  # cold: no whole-page or aggregate cache on either side of the comparison
    with CaptureQueriesContext(connection) as before:
        client.get("/cities/fukuoka/network/?as_of=2024-01-02")
    for n in range(5):
        PartnershipFactory(city=fukuoka, partner=CityFactory(country="FR"), established_on=D(2010 + n, 1, 1))
    cache.clear()
    with django_assert_num_queries(len(before.captured_queries)):
        client.get("/cities/fukuoka/network/?as_of=2024-01-03")


def test_api_network_of_a_city(api_client, fukuoka_kaohsiung):
    body = api_client.get("/api/v1/network/", {"city": "fukuoka", "as_of": "2024-01-01"}).json()
    assert body["home_city"]["slug"] == "fukuoka"
    assert (body["partner_cities"], body["countries"]) == (2, 2)
    assert body["by_kind"] == {
        "sister": {"partner_cities": 1, "countries": 1},
        "friendship": {"partner_cities": 1, "countries": 1},
    }
    body = api_client.get("/api/v1/network/", {"city": "kaohsiung", "as_of": "2024-01-01"}).json()
    assert (body["home_city"]["slug"], body["partner_cities"]) == ("kaohsiung", 1)


def test_api_network_defaults_to_the_home_city(api_client, fukuoka_kaohsiung):
    body = api_client.get("/api/v1/network/", {"as_of": "2024-01-01"}).json()
    assert (body["home_city"]["slug"], body["partner_cities"]) == ("home", 2)


def test_api_network_of_an_unknown_or_hidden_city_is_404_and_a_non_slug_a_400(api_client, home):
    CityFactory(slug="hidden")
    answers = {}
    for slug in ("nowhere", "hidden"):
        response = api_client.get("/api/v1/network/", {"city": slug})
        answers[slug] = (response.status_code, response["Content-Type"], response.json()["code"])
    assert answers["nowhere"] == answers["hidden"] == (HTTPStatus.NOT_FOUND, "application/problem+json", "not_found")
    response = api_client.get("/api/v1/network/", {"city": "no where"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()["errors"]) == ["city"]


@pytest.mark.parametrize("prefix", ["", "/ko"])
def test_city_network_page_s_date_controls_stay_on_that_city_s_network(client, fukuoka_kaohsiung, prefix):
    """The date form, the year menu and the previous/next year links of a city's network page
    show that city's network on another date; they led to the home city's (new-user probe), and
    its title names the city as its heading does."""
    page = client.get(f"{prefix}/cities/fukuoka/network/?as_of=2010-06-01").content.decode()
    own = f"{prefix}/cities/fukuoka/network/"
    assert page.count(f'action="{own}"') == 2
    assert f'href="{own}?as_of=2009-12-31" rel="prev"' in page
    assert f'href="{own}?as_of=2011-12-31" rel="next"' in page
    assert f'action="{prefix}/"' not in page
    title = " ".join(page.split("<title>")[1].split("</title>")[0].split())
    assert title.startswith("Fukuoka's partner cities ·" if not prefix else "Fukuoka")


def test_the_home_page_s_date_controls_stay_on_the_home_page(client, fukuoka_kaohsiung):
    page = client.get("/?as_of=2010-06-01").content.decode()
    assert page.count('action="/"') == 2 and 'href="/?as_of=2009-12-31" rel="prev"' in page
