"""A relation stored with the home city as its ``partner`` (sides are kept as given) is listed,
filtered, searched, ordered, mapped and dated by the city on the other side, as the network
counts it (:func:`registry.models.other_side`)."""

import datetime
import json

import pytest

from registry.models import Delegation, ItineraryStop, Partnership, other_side

from .factories import AgreementFactory, CityFactory, DelegationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reversed_relation(home):
    """Home–Ulaanbaatar stored as Ulaanbaatar (city) – Home (partner), beside Home–Osaka stored
    the usual way round."""
    ulaanbaatar = CityFactory(
        slug="ulaanbaatar",
        name_en="Ulaanbaatar",
        name_ko="울란바토르",
        country="MN",
        latitude="47.92",
        longitude="106.92",
    )
    osaka = CityFactory(
        slug="osaka", name_en="Osaka", name_ko="오사카", country="JP", latitude="34.69", longitude="135.50"
    )
    reversed_ = PartnershipFactory(city=ulaanbaatar, partner=home, established_on=datetime.date(1996, 10, 14))
    usual = PartnershipFactory(city=home, partner=osaka, established_on=datetime.date(2000, 1, 1))
    return reversed_, usual


def listed(api_client, **params) -> list[int]:
    response = api_client.get("/api/v1/partnerships/", params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_country_filter_reads_the_other_side(api_client, reversed_relation):
    reversed_, usual = reversed_relation
    assert listed(api_client, country="mn") == [reversed_.pk]
    assert listed(api_client, country="kr") == []  # the home city's own country is no partner's
    assert listed(api_client, country="jp") == [usual.pk]
    assert listed(api_client, region="asia") == [reversed_.pk, usual.pk]


def test_search_finds_the_other_side_by_name_and_not_the_home_city(api_client, reversed_relation):
    reversed_, usual = reversed_relation
    assert listed(api_client, q="ulaanbaatar") == [reversed_.pk]
    assert listed(api_client, q="home") == []


def test_geojson_places_the_relation_at_the_other_side(api_client, reversed_relation):
    reversed_, usual = reversed_relation
    response = api_client.get("/api/v1/partnerships/", {"format": "geojson"})
    features = {f["id"]: f["geometry"]["coordinates"] for f in json.loads(response.getvalue())["features"]}
    assert features[reversed_.pk] == [106.92, 47.92]  # Ulaanbaatar, not Home's 135.0, 35.0
    assert features[usual.pk] == [135.5, 34.69]


def test_agreements_of_a_country_include_those_of_a_relation_stored_the_other_way(api_client, reversed_relation):
    reversed_, usual = reversed_relation
    seoul = CityFactory(country="KR")
    agreement = AgreementFactory(partnership=reversed_, place=seoul)
    found = api_client.get("/api/v1/agreements/", {"country": "mn"}).json()["results"]
    assert [row["slug"] for row in found] == [agreement.slug]
    page = api_client.get("/countries/mn/")
    assert agreement.title_en in page.content.decode()


def test_a_visit_to_the_other_side_is_activity_and_a_visit_home_is_not(reversed_relation, home, settings):
    reversed_, usual = reversed_relation
    ulaanbaatar = reversed_.city
    trip = DelegationFactory(start_on=datetime.date(2024, 5, 1))
    ItineraryStop.objects.create(delegation=trip, city=ulaanbaatar, arrive_on=datetime.date(2024, 5, 2), order=1)
    visit_home = DelegationFactory(start_on=datetime.date(2025, 5, 1))
    ItineraryStop.objects.create(delegation=visit_home, city=home, arrive_on=datetime.date(2025, 5, 2), order=1)
    rows = dict(Partnership.objects.with_last_activity(None).values_list("pk", "last_activity"))
    assert rows[reversed_.pk] == datetime.date(2024, 5, 2)
    assert rows[usual.pk] == datetime.date(2000, 1, 1)  # a stop at home is no visit to Osaka
    assert Delegation.objects.count() == 2


def test_the_partnership_page_lists_the_delegations_to_the_other_side(client, reversed_relation, home):
    reversed_, usual = reversed_relation
    trip = DelegationFactory(name_en="Trade mission to Ulaanbaatar")
    ItineraryStop.objects.create(delegation=trip, city=reversed_.city, order=1)
    stay_home = DelegationFactory(name_en="Reception at home")
    ItineraryStop.objects.create(delegation=stay_home, city=home, order=1)
    page = client.get(reversed_.get_absolute_url()).content.decode()
    assert "Trade mission to Ulaanbaatar" in page
    assert "Reception at home" not in page


def test_the_partnership_page_names_the_home_city_first(client, reversed_relation):
    """A relation stored as Ulaanbaatar (city) – Home (partner) is "Home – Ulaanbaatar" on its
    page, Ulaanbaatar the partner city in the facts and the breadcrumb (new-user probe)."""
    reversed_, usual = reversed_relation
    page = client.get(reversed_.get_absolute_url())
    assert [(str(label), city.slug) for label, city in page.context["sides"]] == [
        ("City", "home"),
        ("Partner city", "ulaanbaatar"),
    ]
    text = page.content.decode()
    assert "<title>Home – Ulaanbaatar" in text
    assert "<h3>Home – Ulaanbaatar: sister city</h3>" in text  # the life of the relation
    breadcrumb = text[text.index('class="breadcrumb"') : text.index("</nav>", text.index('class="breadcrumb"'))]
    assert "/cities/ulaanbaatar/" in breadcrumb and "/cities/home/" not in breadcrumb


def test_the_admin_list_reads_each_relation_from_the_home_side(staff_client, reversed_relation):
    """The admin's partner-country filter agrees with its region filter and the public lists,
    and the row shows the city on the other side as the partner, with its country."""
    reversed_, usual = reversed_relation
    page = staff_client.get("/admin/registry/partnership/")
    assert "partner_country=MN" in page.content.decode()
    assert "partner_country=KR" not in page.content.decode()
    changelist = page.context["cl"]
    rows = {row.pk: row for row in changelist.result_list}
    admin = changelist.model_admin
    assert [str(city) for city in admin.shown_sides(rows[reversed_.pk])] == ["Ulaanbaatar", "Home"]
    assert admin.partner_country(rows[reversed_.pk]) == "Mongolia"
    assert [str(city) for city in admin.shown_sides(rows[usual.pk])] == ["Osaka", "Home"]
    for params in ({"partner_country": "MN"}, {"region": "eastern-asia", "partner_country": "MN"}):
        filtered = staff_client.get("/admin/registry/partnership/", params)
        assert list(filtered.context["cl"].result_list) == [reversed_]


def test_without_a_home_city_the_stored_partner_is_the_other_side(settings, db):
    settings.REGISTRY_HOME_CITY = "nowhere"
    relation = PartnershipFactory(partner__country="MN")
    assert list(Partnership.objects.for_country("mn")) == [relation]
    assert list(Partnership.objects.for_country("kr")) == []
    assert Partnership.objects.values_list(other_side("country"), flat=True).get() == "MN"
    assert relation.other(None) == relation.partner


def test_the_admin_region_filter_lists_sub_regions_by_name_in_the_readers_language(staff_client):
    for language in ("en", "ko"):
        page = staff_client.get("/admin/registry/partnership/", HTTP_ACCEPT_LANGUAGE=language)
        spec = next(s for s in page.context["cl"].filter_specs if getattr(s, "parameter_name", "") == "region")
        names = [str(name) for _, name in spec.lookup_choices]
        assert names == sorted(names) and len(names) > 10, names
