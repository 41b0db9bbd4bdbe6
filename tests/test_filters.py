"""The FilterSets shared by pages and API: on the shipped data, and on factory data where the
page and the API must select the same rows for every parameter, unknown parameters are refused
and every ordering walks the pages returning each row once."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.http import QueryDict

from registry.api.urls import router
from registry.filters import AgreementFilter, CityFilter, DelegationFilter, EventFilter, PartnershipFilter
from registry.models import (
    Agreement,
    City,
    CooperationField,
    Delegation,
    Event,
    ItineraryStop,
    Partnership,
    Publication,
)

from .conftest import token_client
from .factories import (
    AgreementFactory,
    CityFactory,
    DelegationFactory,
    EventFactory,
    OrganizationFactory,
    PartnershipFactory,
    PersonFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def run(filterset_class, query, queryset):
    filterset = filterset_class(QueryDict(query), queryset=queryset)
    return filterset, filterset.qs


def partner_slugs(query):
    _, qs = run(PartnershipFilter, query, Partnership.objects.public())
    return sorted(qs.values_list("partner__slug", flat=True))


def test_country_in_upper_or_lower_case_and_repeated_for_several(shipped_data):
    assert partner_slugs("country=kz") == ["almaty"]
    assert partner_slugs("country=KZ&country=mn") == ["almaty", "ulaanbaatar"]


def test_an_empty_country_is_no_filter_as_the_pages_form_sends_it(shipped_data, client):
    """A list page's form sends every field; "Any country" is ``country=``, which must filter
    nothing (it was refused as not a country code, so every submitted form gave a 400)."""
    every = partner_slugs("")
    assert partner_slugs("country=") == every and len(every) > 30
    assert partner_slugs("country=kz&country=") == ["almaty"]
    for url in ("/cities/", "/events/", "/agreements/", "/delegations/", "/countries/", "/ko/cities/"):
        response = client.get(url, {"q": "", "country": "", "region": "", "kind": ""})
        assert response.status_code == HTTPStatus.OK, url
    response = client.get("/cities/", {"q": "almaty", "country": "", "show": "all"})
    assert [city.slug for city in response.context["object_list"]] == ["almaty"]
    assert client.get("/api/v1/partnerships/", {"country": ""}).json()["count"] == len(every)


@pytest.mark.parametrize(
    "query, multiple, selected",
    [
        ("country=kz&country=jp&kind=friendship", True, ["jp", "kz"]),
        ("country=KZ&country=JP", True, ["jp", "kz"]),
        ("country=KZ", False, ["kz"]),
        ("country=kz&country=", False, ["kz"]),
    ],
)
def test_the_country_menu_keeps_every_country_of_the_query(shipped_data, client, query, multiple, selected):
    """The page's form shows what the URL filters by, so applying it again keeps the filter:
    several countries make the menu a list with each selected (a one-choice menu showed and sent
    only the last), and a code in capitals selects its country as one in small letters does."""
    html = client.get(f"/cities/?{query}").content.decode()
    menu = re.search(r"<select name=\"country\"([^>]*)>(.*?)</select>", html, re.S)
    assert (" multiple" in menu.group(1)) is multiple
    assert re.findall(r'<option value="(\w+)"[^>]*selected', menu.group(2)) == selected


@pytest.mark.parametrize("value", ["Kz", "kZ", "kz,MN", "KZ,MN", " KZ", "KZ ", "K", "KAZ", "XX", "398"])
def test_country_refuses_what_the_schema_does_not_document(shipped_data, value):
    """The schema's ``CountryCode`` enum: each code in capitals or in lower case, one per
    parameter; mixed case, comma lists, padding, alpha-3 or numeric codes are refused."""
    filterset, _ = run(PartnershipFilter, f"country={value.replace(' ', '+')}", Partnership.objects.all())
    assert not filterset.is_valid()
    assert filterset.errors["country"][0].startswith(f"“{value}” is not an ISO 3166-1 alpha-2 country code")


def test_unknown_country_is_an_error_naming_the_parameter(shipped_data):
    filterset, qs = run(PartnershipFilter, "country=xx&kind=friendship", Partnership.objects.all())
    assert not filterset.is_valid()
    assert "country" in filterset.errors
    assert "xx" in filterset.errors["country"][0]
    # The valid filter still applies: 12 in force, Fukuoka's 1989–2007 agreement and Hokkaido's letter of
    # intent (a partnership record, never signed).
    assert qs.count() == 14


def test_region_by_slug_or_code(shipped_data):
    assert partner_slugs("region=central-asia") == ["almaty"]
    assert partner_slugs("region=143") == ["almaty"]
    # 23 partners; Fukuoka twice (1989 agreement, 2007 sister city); Hokkaido's letter of intent (a record, no partner)
    assert len(partner_slugs("region=asia")) == 25


@pytest.mark.parametrize("value", ["atlantis", "Asia", "ASIA", " asia", "asia ", "0143", "14", "central asia"])
def test_region_refuses_what_the_schema_does_not_document(shipped_data, value):
    """The schema's ``RegionCode`` enum: a slug or a three-digit code exactly as listed."""
    filterset, _ = run(PartnershipFilter, f"region={value.replace(' ', '+')}", Partnership.objects.all())
    assert not filterset.is_valid()
    assert filterset.errors["region"][0].startswith(f"“{value}” is not a UN M49 region")


def test_kind_status_dates_and_in_force(shipped_data):
    assert len(partner_slugs("kind=sister")) == 26
    assert len(partner_slugs("status=active")) == 38
    assert partner_slugs("established_after=2022-01-01") == ["almaty"]
    assert len(partner_slugs("established_before=1970-01-01")) == 2
    assert len(partner_slugs("in_force_on=2022-09-13")) == 37
    filterset, _ = run(PartnershipFilter, "in_force_on=2022-13-01", Partnership.objects.all())
    assert "in_force_on" in filterset.errors


def test_search_matches_former_names_accents_and_korean(shipped_data):
    assert partner_slugs("q=alma-ata") == ["almaty"]
    assert partner_slugs("q=valparaiso") == ["valparaiso"]
    assert partner_slugs("q=알마티") == ["almaty"]
    assert partner_slugs("q=LENINGRAD") == ["saint-petersburg"]


def test_ordering_is_allow_listed(shipped_data):
    _, qs = run(PartnershipFilter, "ordering=-established_on", Partnership.objects.all())
    assert qs.first().partner.slug == "almaty"
    filterset, _ = run(PartnershipFilter, "ordering=notes", Partnership.objects.all())
    assert "ordering" in filterset.errors


def test_city_partnership_conditions_apply_to_one_partnership(shipped_data):
    _, qs = run(CityFilter, "kind=friendship&country=cn", City.objects.all())
    assert sorted(qs.values_list("slug", flat=True)) == ["beijing", "chongqing", "guangzhou", "shenzhen", "tianjin"]
    _, qs = run(CityFilter, "in_force_on=2022-09-13&region=central-asia", City.objects.all())
    assert not qs.exists()
    _, qs = run(CityFilter, "q=pusan", City.objects.all())
    assert list(qs.values_list("slug", flat=True)) == ["busan"]


def test_agreement_event_and_delegation_filters(shipped_data):
    _, qs = run(AgreementFilter, "country=kz&field=economy", Agreement.objects.all())
    assert qs.get().kind == "friendship_city"
    _, qs = run(EventFilter, "country=KZ&kind=signing_ceremony", Event.objects.all())
    assert qs.get().start_on.isoformat() == "2022-09-14"
    _, qs = run(DelegationFilter, "country=fr", Delegation.objects.all())
    assert qs.get().kind == "citizens"
    _, qs = run(DelegationFilter, "region=central-asia", Delegation.objects.all())
    assert qs.count() == 2


def test_city_filters_count_the_partners_the_home_page_counts(shipped_data):
    _, qs = run(CityFilter, "in_force_on=2022-09-13", City.objects.all())
    assert qs.count() == 37 and not qs.filter(slug="busan").exists()
    _, qs = run(CityFilter, "kind=friendship", City.objects.all())
    assert qs.count() == 12  # the home page's "Friendship cities 12": current relations only
    _, qs = run(CityFilter, "kind=friendship&status=ended", City.objects.all())
    assert list(qs.values_list("slug", flat=True)) == ["fukuoka"]  # a friendship city from 1989 to 2007
    _, qs = run(CityFilter, "kind=friendship&in_force_on=2000-01-01", City.objects.all())
    assert "fukuoka" in qs.values_list("slug", flat=True)


def test_a_very_long_search_is_bounded_and_never_an_error(client, shipped_data):
    long_query = " ".join(["a"] * 2000)
    for url in ("/cities/", "/events/", "/api/v1/cities/", "/api/v1/events/", "/api/v1/organizations/"):
        assert client.get(url, {"q": long_query}).status_code == 200, url
    assert client.get("/api/v1/agreements/", {"partnership": str(2**63)}).status_code == 400


def test_page_csv_neutralises_formulas(client, shipped_data):
    from registry.models import Event

    Event.objects.filter(kind="announcement").update(title_en='=HYPERLINK("http://evil.example","x")')
    body = client.get("/events/", {"format": "csv"}).getvalue().decode("utf-8-sig")
    assert "'=HYPERLINK" in body
    assert ",=HYPERLINK" not in body


# --------------------------------------------------------------------------- page and API: the same rows


@pytest.fixture
def three_partners(home):
    """Three partner cities of the home city that differ in every filtered value, each with a
    partnership, an agreement, an event and a delegation visiting it (every city public)."""
    economy = CooperationField.objects.create(slug="economy", name_en="economy")
    culture = CooperationField.objects.create(slug="culture", name_en="culture")
    osaka = CityFactory(slug="osaka", name_en="Osaka", country="JP")
    almaty = CityFactory(slug="almaty", name_en="Almaty", country="KZ")
    brittany = CityFactory(slug="brittany", name_en="Brittany", country="FR", admin_level=City.AdminLevel.REGION)
    with_osaka = PartnershipFactory(city=home, partner=osaka, kind="sister", established_on=D(1990, 1, 1))
    with_osaka.fields.add(economy)
    with_almaty = PartnershipFactory(city=home, partner=almaty, kind="friendship", established_on=D(2022, 9, 14))
    with_almaty.fields.add(culture)
    PartnershipFactory(
        city=home, partner=brittany, kind="sister", established_on=D(1970, 1, 1), status="ended", ended_on=D(2000, 1, 1)
    )
    AgreementFactory(
        slug="osaka-trade-pact", title_en="Trade pact", kind="sister_city", partnership=with_osaka, place=osaka
    ).fields.add(economy)
    AgreementFactory(
        slug="almaty-friendship",
        title_en="Friendship agreement",
        kind="friendship_city",
        partnership=with_almaty,
        place=almaty,
        signed_on=D(2022, 9, 14),
    ).fields.add(culture)
    AgreementFactory(slug="brittany-memo", title_en="Memorandum", kind="mou", place=brittany, signed_on=D(1995, 6, 1))
    tours = {}
    for slug, kind, start_on, city in (
        ("trade-mission", "trade", D(2019, 5, 1), osaka),
        ("citizens-expedition", "citizens", D(2022, 9, 10), almaty),
        ("official-visit", "official", D(2010, 3, 1), brittany),
    ):
        tours[slug] = DelegationFactory(slug=slug, name_en=slug.replace("-", " ").title(), kind=kind, start_on=start_on)
        ItineraryStop.objects.create(delegation=tours[slug], order=1, city=city)
    EventFactory(slug="osaka-fair", title_en="Osaka fair", kind="promotion", city=osaka, start_on=D(2019, 5, 2))
    EventFactory(
        slug="almaty-signing",
        title_en="Signing in Almaty",
        kind="signing_ceremony",
        city=almaty,
        start_on=D(2022, 9, 14),
        delegation=tours["citizens-expedition"],
    )
    EventFactory(slug="brittany-visit", title_en="Visit to Brittany", kind="official_visit", city=brittany)
    return {"with_osaka": with_osaka}


# Each parameter of each list that has a page and an API list, with a value selecting a strict
# subset of the factory data (``ordering`` reorders instead). ``{partnership}`` is filled in.
PARAMETERS = {
    "cities": {
        "q": "osaka",
        "country": "fr",
        "region": "central-asia",
        "kind": "sister",
        "status": "ended",
        "field": "culture",
        "established_after": "1980-01-01",
        "established_before": "1995-01-01",
        "in_force_on": "1995-01-01",
        "admin_level": "region",
        "dormant": "true",
        "ordering": "-name",
    },
    "agreements": {
        "q": "pact",
        "country": "jp",
        "region": "europe",
        "kind": "mou",
        "field": "economy",
        "partnership": "{partnership}",
        "established_after": "2000-01-01",
        "established_before": "2000-01-01",
        "ordering": "title",
    },
    "events": {
        "q": "fair",
        "country": "KZ",
        "region": "eastern-asia",
        "kind": "official_visit",
        "established_after": "2016-01-01",
        "established_before": "2020-01-01",
        "delegation": "citizens-expedition",
        "ordering": "-title",
    },
    "delegations": {
        "q": "trade",
        "country": "fr",
        "region": "asia",
        "kind": "citizens",
        "established_after": "2015-01-01",
        "established_before": "2015-01-01",
        "ordering": "name",
    },
}
FILTERSETS = {
    "cities": CityFilter,
    "agreements": AgreementFilter,
    "events": EventFilter,
    "delegations": DelegationFilter,
}


def page_slugs(client, path: str, query: dict) -> list[str]:
    if path == "/cities/":  # every city, as the API lists them (the page shows the home city's partners by default)
        query = {**query, "show": "all"}
    response = client.get(path, query)
    assert response.status_code == HTTPStatus.OK, response.context and response.context["filter_form"].errors
    return [row.slug for row in response.context["paginator"].object_list]


def api_slugs(api_client, path: str, query: dict) -> list[str]:
    response = api_client.get(f"/api/v1{path}", {**query, "page_size": 200})
    assert response.status_code == HTTPStatus.OK, response.json()
    return [row["slug"] for row in response.json()["results"]]


def test_every_parameter_of_the_shared_lists_is_tested():
    assert {name: set(values) for name, values in PARAMETERS.items()} == {
        name: set(filterset.base_filters) for name, filterset in FILTERSETS.items()
    }


@pytest.mark.parametrize(
    ("name", "parameter"), [(name, parameter) for name, values in PARAMETERS.items() for parameter in values]
)
def test_page_and_api_select_the_same_rows_for_every_parameter(client, api_client, three_partners, name, parameter):
    value = PARAMETERS[name][parameter].format(partnership=three_partners["with_osaka"].pk)
    path = f"/{name}/"
    everything = page_slugs(client, path, {})
    assert api_slugs(api_client, path, {}) == everything
    selected = page_slugs(client, path, {parameter: value})
    assert api_slugs(api_client, path, {parameter: value}) == selected
    if parameter == "ordering":
        assert selected != everything and sorted(selected) == sorted(everything)
    else:
        assert 0 < len(selected) < len(everything), selected


def test_agreements_of_an_unknown_partnership_are_none_on_the_page_as_in_the_api(client, api_client, three_partners):
    assert page_slugs(client, "/agreements/", {"partnership": "999999"}) == []
    assert api_slugs(api_client, "/agreements/", {"partnership": "999999"}) == []
    response = client.get("/agreements/", {"partnership": str(three_partners["with_osaka"].pk)})
    assert [f["name"] for f in response.context["active_filters"]] == ["partnership"]  # shown, removable


def test_cities_in_force_on_a_date_need_one_partnership_meeting_every_condition(client, api_client, home):
    upgraded = CityFactory(slug="upgraded")
    friendship = {"kind": "friendship", "status": "ended", "ended_on": D(2010, 1, 1)}
    PartnershipFactory(city=home, partner=upgraded, established_on=D(2000, 1, 1), **friendship)
    PartnershipFactory(city=home, partner=upgraded, kind="sister", established_on=D(2010, 1, 1))
    for fetch in (page_slugs, lambda c, path, query: api_slugs(api_client, path, query)):
        assert fetch(client, "/cities/", {"in_force_on": "2005-01-01"}) == ["upgraded"]
        assert fetch(client, "/cities/", {"kind": "sister"}) == ["upgraded"]
        assert fetch(client, "/cities/", {"kind": "sister", "in_force_on": "2005-01-01"}) == []
        assert fetch(client, "/cities/", {"kind": "friendship", "established_after": "2005-01-01"}) == []


def test_city_partnership_filters_count_published_partnerships_only(client, home):
    PartnershipFactory(city=home, partner=CityFactory(slug="prospect"), publication=Publication.DRAFT)
    assert page_slugs(client, "/cities/", {"kind": "sister"}) == []


def test_the_country_menu_lists_countries_of_partner_cities_the_reader_may_see(client, home, viewer):
    PartnershipFactory(city=home, partner=CityFactory(country="IS"), publication=Publication.DRAFT)
    PartnershipFactory(city=home, partner=CityFactory(country="NO"))

    def menu(query=None):
        response = client.get("/cities/", query or {})
        return {code for code, _ in response.context["filter_form"]["country"].field.widget.choices}

    # The home city (KR) is no partner of its own: its country is in the menu of every city only.
    assert menu() == {"", "no"}
    assert menu({"show": "all"}) == {"", "kr", "no"}
    client.force_login(viewer)
    assert menu() == {"", "is", "no"}


# --------------------------------------------------------------------------- unknown parameters

PAGE_LISTS = ["/cities/", "/countries/", "/agreements/", "/events/", "/delegations/"]
API_LISTS = [prefix for prefix, viewset, _ in router.registry if getattr(viewset, "filterset_class", None)]


@pytest.mark.parametrize("path", PAGE_LISTS)
def test_an_unknown_parameter_on_a_page_is_a_400_naming_it(client, home, path):
    response = client.get(path, {"colour": "red", "country": "kr", "page": "1"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "“colour” is not a parameter of this list" in response.text
    assert response.context["object_list"] is not None  # the list, filtered by the valid ones
    assert client.get(path, {"page_size": "5"}).status_code == HTTPStatus.BAD_REQUEST  # the API's only
    assert client.get(path, {"country": "kr", "page": "1"}).status_code == HTTPStatus.OK


MALFORMED_PAGES = ["abc", "0", "-1", "1.5", "+2", "١", "2abc", " 1"]


@pytest.mark.parametrize("path", PAGE_LISTS)
def test_a_malformed_page_number_on_a_page_is_a_400_with_a_message(client, home, path):
    for page in MALFORMED_PAGES:
        response = client.get(path, {"page": page})
        assert response.status_code == HTTPStatus.BAD_REQUEST, page
        assert "Give the page as a whole number, at least 1, or “last”." in response.text, page
        assert response.context["page_obj"].number == 1  # the first page, beside the message
        assert response.context["object_list"] is not None
        export = client.get(path, {"page": page, "format": "csv"})  # an export takes no page, but not a malformed one
        assert export.status_code == HTTPStatus.BAD_REQUEST, page
        assert "page: Give the page as a whole number" in export.content.decode()
    for page in ("1", "01", "last", ""):
        response = client.get(path, {"page": page})
        assert response.status_code == HTTPStatus.OK, page
        assert "Give the page as a whole number" not in response.text
    # A well-formed page beyond the last is a page that does not exist, as Django answers.
    assert client.get(path, {"page": "999"}).status_code == HTTPStatus.NOT_FOUND
    assert client.get(path, {"page": "9" * 30}).status_code == HTTPStatus.NOT_FOUND
    korean = client.get(f"/ko{path}", {"page": "abc"})
    assert korean.status_code == HTTPStatus.BAD_REQUEST
    assert "페이지는 1 이상의 정수 또는 “last”로 입력하세요." in korean.text


@pytest.mark.parametrize("prefix", API_LISTS)
def test_a_malformed_page_number_in_the_api_is_a_400_naming_page(api_client, db, prefix):
    for page in MALFORMED_PAGES:
        for query in ({"page": page}, {"page": page, "format": "csv"}):
            response = api_client.get(f"/api/v1/{prefix}/", query)
            assert response.status_code == HTTPStatus.BAD_REQUEST, query
            assert response["Content-Type"] == "application/problem+json"
            errors = response.json()["errors"]
            assert errors == {
                "page": [{"message": "Give the page as a whole number, at least 1, or “last”.", "code": "invalid"}]
            }
    assert api_client.get(f"/api/v1/{prefix}/", {"page": "last"}).status_code == HTTPStatus.OK
    assert api_client.get(f"/api/v1/{prefix}/", {"page": "999"}).status_code == HTTPStatus.NOT_FOUND
    assert api_client.get(f"/api/v1/{prefix}/", {"page": "9" * 30, "format": "csv"}).status_code == HTTPStatus.NOT_FOUND


SHARED_LINK = {
    "utm_source": "newsletter",
    "utm_medium": "email",
    "fbclid": "IwAR0abc",
    "gclid": "Cj0K",
    "mtm_campaign": "x",
}


@pytest.mark.parametrize("path", PAGE_LISTS)
def test_a_shared_link_with_analytics_parameters_shows_the_page(client, home, path):
    """A reader following a link shared on a platform or in a newsletter (``?fbclid=…``,
    ``?utm_source=…``) gets the page, filtered by the parameters the list takes; it answered 400."""
    response = client.get(path, {**SHARED_LINK, "country": "kz"})
    assert response.status_code == HTTPStatus.OK, response.text[:300]
    assert "is not a parameter of this list" not in response.text
    cache.clear()  # the plain link is the same cached answer (registry.cache.request_digest): render it
    plain = client.get(path, {"country": "kz"})
    assert list(response.context["object_list"]) == list(plain.context["object_list"])
    assert client.get(path, {"fbclidx": "1"}).status_code == HTTPStatus.BAD_REQUEST  # only those names


@pytest.mark.parametrize("prefix", API_LISTS)
def test_the_api_takes_a_shared_links_analytics_parameters(api_client, db, prefix):
    assert api_client.get(f"/api/v1/{prefix}/", SHARED_LINK).status_code == HTTPStatus.OK
    assert api_client.get("/api/v1/network/national/", SHARED_LINK).status_code == HTTPStatus.OK


def test_a_lists_links_do_not_carry_a_shared_links_analytics_parameters(client, api_client, home):
    """The next page, the downloads and the removal of a filter of a list reached by a shared link
    keep its filters but not ``utm_*``/``fbclid``: the API's ``next`` link carried them on, so a
    client walking the pages reported every page as a visit from the newsletter."""
    for _ in range(51):  # more than a page of the list (50)
        PartnershipFactory(city=home, partner=CityFactory(country="JP"))
    response = api_client.get("/api/v1/partnerships/", {**SHARED_LINK, "page_size": 2, "country": "JP"})
    assert response.status_code == HTTPStatus.OK
    following = response.json()["next"]
    assert following, response.json()
    assert "page=2" in following and "country=JP" in following and "page_size=2" in following
    assert not any(name in following for name in SHARED_LINK)
    previous = api_client.get(following).json()["previous"]
    assert "country=JP" in previous and not any(name in previous for name in SHARED_LINK)
    response = client.get("/cities/", {**SHARED_LINK, "country": "jp"})
    assert response.status_code == HTTPStatus.OK
    links = re.findall(r'href="([^"]*country=jp[^"]*)"', response.text)
    assert links and any("page=2" in link for link in links) and any("format=csv" in link for link in links)
    assert not [link for link in links if any(name in link for name in SHARED_LINK)]
    refused = client.get("/cities/", {"country": "jp", "page_size": "10"})  # not a parameter of the page
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    links = re.findall(r'href="([^"]*country=jp[^"]*)"', refused.text)
    assert any("format=csv" in link for link in links)
    # the same page in Korean (the language switch) says the same; the page's own links drop it
    assert [link for link in links if "page_size" in link] == ["/ko/cities/?country=jp&amp;page_size=10"]


def test_a_value_not_in_a_short_list_names_the_values_it_takes(client, api_client, home, editor):
    """``?kind=twin`` said "Select a valid choice. twin is not one of the available choices.", and
    a write of ``"kind": "treaty"`` “"treaty" is not a valid choice.”, where the models' fields
    and the country, region and ordering filters name what they take (new-user probe)."""
    from .conftest import token_client

    errors = api_client.get("/api/v1/partnerships/", {"kind": "twin"}).json()["errors"]
    assert errors == {"kind": [{"message": "“twin” is not one of: sister, friendship.", "code": "invalid_choice"}]}
    page = client.get("/cities/", {"kind": "twin"})
    assert page.status_code == HTTPStatus.BAD_REQUEST and "“twin” is not one of: sister, friendship." in page.text
    korean = api_client.get("/api/v1/partnerships/", {"kind": "twin"}, HTTP_ACCEPT_LANGUAGE="ko").json()
    assert korean["errors"]["kind"][0]["message"] == "“twin”은(는) 다음 값 중 하나가 아닙니다: sister, friendship."
    partnership = PartnershipFactory(city=home)
    writer = token_client(editor)
    url = f"/api/v1/partnerships/{partnership.pk}/"
    response = writer.patch(url, {"confidence": "sure"}, format="json", HTTP_IF_MATCH=writer.get(url)["ETag"])
    assert response.json()["errors"] == {
        "confidence": [{"message": "“sure” is not one of: high, medium, low.", "code": "invalid_choice"}]
    }
    countries = api_client.get("/api/v1/cities/", {"country": "XX"}).json()["errors"]["country"][0]["message"]
    assert "is not one of" not in countries  # a long list keeps its own message


REPEATED = [
    ("/api/v1/partnerships/", "in_force_on=2022-09-21&in_force_on=2023-01-01", "in_force_on"),
    ("/api/v1/cities/", "q=almaty&q=busan", "q"),
    ("/api/v1/cities/", "ordering=name&ordering=-name", "ordering"),
    ("/api/v1/events/", "page=1&page=2", "page"),
    ("/api/v1/agreements/", "page_size=1&page_size=50", "page_size"),
    ("/api/v1/network/", "as_of=2020-01-01&as_of=2021-01-01", "as_of"),
    ("/api/v1/network/national/", "as_of=2020-01-01&as_of=2020-01-01", "as_of"),
]


@pytest.mark.parametrize(("url", "query", "name"), REPEATED)
def test_a_parameter_of_one_value_given_twice_is_a_400_naming_it(api_client, home, url, query, name):
    """It took the last value, silently: ``?as_of=2020-01-01&as_of=2021-01-01`` counted 2021."""
    response = api_client.get(f"{url}?{query}")
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    errors = response.json()["errors"]
    assert errors == {
        name: [
            {"message": f"“{name}” is given 2 times; it takes one value: give it once.", "code": "repeated_parameter"}
        ]
    }


def test_a_repeated_parameter_on_a_page_is_a_400_beside_its_field(client, home):
    response = client.get("/?as_of=2020-01-01&as_of=2021-01-01")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "“as_of” is given 2 times; it takes one value: give it once." in response.text
    korean = client.get("/ko/cities/?q=a&q=b")
    assert korean.status_code == HTTPStatus.BAD_REQUEST
    assert "“q”이(가) 2번 주어졌습니다." in korean.text
    # A parameter that takes several still does.
    assert client.get("/cities/?country=kz&country=jp").status_code == HTTPStatus.OK
    # The page number too, once, beside the first page (Django read the last one: a 404).
    for path in PAGE_LISTS:
        response = client.get(f"{path}?page=1&page=2")
        assert response.status_code == HTTPStatus.BAD_REQUEST, path
        assert response.text.count("“page” is given 2 times; it takes one value: give it once.") == 1, path
        assert response.context["page_obj"].number == 1


def test_a_503_is_titled_in_the_readers_language():
    from django.utils import translation

    from registry.api.exceptions import problem

    with translation.override("ko"):
        assert problem(503, "…", "database_busy")["title"] == "서비스를 사용할 수 없음"


def test_an_unknown_ordering_lists_the_orderings_of_the_list(api_client, client, home):
    response = api_client.get("/api/v1/partnerships/?ordering=-founded")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    (error,) = response.json()["errors"]["ordering"]
    terms = sorted(PartnershipFilter.base_filters["ordering"].param_map)
    assert error["code"] == "invalid_choice"
    assert error["message"].startswith("“-founded” is not an ordering of this list; it takes ")
    listed = error["message"].split("it takes ")[1].split(", each with")[0].split(", ")
    assert sorted(listed) == terms
    korean = client.get("/ko/cities/?ordering=foo")
    assert korean.status_code == HTTPStatus.BAD_REQUEST
    assert "“foo”은(는) 이 목록의 정렬 기준이 아닙니다." in korean.text


@pytest.mark.parametrize("prefix", API_LISTS)
def test_an_unknown_parameter_in_the_api_is_a_400_naming_it(api_client, db, prefix):
    response = api_client.get(f"/api/v1/{prefix}/", {"colour": "red"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    errors = response.json()["errors"]
    assert list(errors) == ["colour"]
    assert errors["colour"][0]["code"] == "unknown_parameter"
    assert "“colour” is not a parameter of this list" in errors["colour"][0]["message"]
    query = {"page": "1", "page_size": "5", "format": "json"}
    assert api_client.get(f"/api/v1/{prefix}/", query).status_code == HTTPStatus.OK


def test_a_record_in_the_api_is_found_by_its_key_whatever_the_query_string(api_client, home):
    assert api_client.get("/api/v1/cities/home/", {"colour": "red"}).status_code == HTTPStatus.OK
    assert api_client.get("/api/v1/cities/home/", {"country": "jp"}).status_code == HTTPStatus.OK


# --------------------------------------------------------------------------- orderings


def orderings(filterset_class) -> list[str]:
    """Every allowed ``ordering`` value of a FilterSet (both directions), and the default ("")."""
    params = list(filterset_class.base_filters["ordering"].param_map)
    return ["", *params, *[f"-{param}" for param in params]]


WALKS = [
    (prefix, ordering)
    for prefix, viewset, _ in router.registry
    if getattr(viewset, "filterset_class", None)
    for ordering in orderings(viewset.filterset_class)
]
TIES = 12  # rows per list that share every value an ordering can use


@pytest.fixture
def ties():
    """``TIES`` rows in every list, equal in every ordered column (names, titles, kinds, dates,
    countries, populations), so only a tie-breaker orders them."""
    home = CityFactory(name_en="Twin", country="JP", population=1000)
    for i in range(TIES):
        partner = CityFactory(name_en="Twin", country="JP", population=1000)
        partnership = PartnershipFactory(city=home, partner=partner, established_on=D(2000, 1, 1))
        AgreementFactory(title_en="Twin", signed_on=D(2000, 1, 1), place=partner, partnership=partnership)
        EventFactory(title_en="Twin", start_on=D(2000, 1, 1), city=partner)
        DelegationFactory(name_en="Twin", start_on=D(2000, 1, 1))
        OrganizationFactory(name_en="Twin")
        PersonFactory(name_en="Twin")
        SourceFactory(title="Twin", published_on=D(2000, 1, 1))
        CooperationField.objects.create(slug=f"twin-{i}", name_en=f"Twin {i}")


def test_every_ordering_ends_with_the_primary_key():
    for _, viewset, _ in router.registry:
        filterset_class = getattr(viewset, "filterset_class", None)
        for ordering in orderings(filterset_class)[1:] if filterset_class else ():
            query = filterset_class(QueryDict(f"ordering={ordering}")).qs.query
            assert query.order_by[-1] == ("-pk" if ordering.startswith("-") else "pk"), (viewset, ordering)


@pytest.mark.parametrize(("prefix", "ordering"), WALKS)
def test_walking_the_pages_of_every_ordering_returns_each_row_once(ties, viewer, prefix, ordering):
    client = token_client(viewer)  # sees every row, so every row of ``ties`` is walked
    query = {"page_size": 5, **({"ordering": ordering} if ordering else {})}
    url, seen = f"/api/v1/{prefix}/", []
    while url:
        body = client.get(url, query).json()
        seen += [row.get("slug", row.get("id")) for row in body["results"]]
        url, query = body["next"], {}
    assert len(seen) == body["count"] >= TIES
    assert len(set(seen)) == len(seen), sorted(seen)


def test_korean_pages_sort_names_in_korean_order(client, home):
    """/ko/ lists names in 가나다 order (the Korean name where known, else the English one),
    by default and with ?ordering=name; English pages keep the English order."""
    for slug, en, ko in [("almaty", "Almaty", "알마티"), ("bangkok", "Bangkok", "방콕"), ("osaka", "Osaka", "오사카")]:
        PartnershipFactory(city=home, partner=CityFactory(slug=slug, name_en=en, name_ko=ko))
    PartnershipFactory(city=home, partner=CityFactory(slug="zz", name_en="Zanzibar", name_ko=""))

    def partners(path, query):  # the home city's partners, as /cities/ shows them by default
        response = client.get(path, query)
        assert response.status_code == HTTPStatus.OK
        return [row.slug for row in response.context["paginator"].object_list]

    korean = ["zz", "bangkok", "almaty", "osaka"]  # 방콕, 알마티, 오사카; "Zanzibar" (no Korean name) before Hangul
    assert partners("/ko/cities/", {}) == korean
    assert partners("/ko/cities/", {"ordering": "name"}) == korean
    assert partners("/ko/cities/", {"ordering": "-name"}) == korean[::-1]
    assert partners("/cities/", {"ordering": "name"}) == ["almaty", "bangkok", "osaka", "zz"]
    assert partners("/cities/", {}) == ["almaty", "bangkok", "osaka", "zz"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2022-9-21", "invalid"),
        ("２０２２-09-21", "invalid"),  # fullwidth digits
        (" 2022-09-21", "invalid"),
        ("2022-02-30", "no_such_day"),  # in the form, not in the calendar: said so
        ("2022-13-01", "no_such_day"),
        ("20220921", "invalid"),
        ("1799-12-31", "date_out_of_range"),
        ("2201-01-01", "date_out_of_range"),
    ],
)
def test_a_date_parameter_takes_exactly_the_documented_dates(api_client, value, code):
    """``QueryDate`` in the schema: YYYY-MM-DD in ASCII digits, a real day, 1800-01-01 to
    2200-12-31; the same on every list and on ``network/``'s ``as_of``."""
    for path, name in [("/api/v1/partnerships/", "in_force_on"), ("/api/v1/network/", "as_of")]:
        response = api_client.get(path, {name: value})
        assert response.status_code == HTTPStatus.BAD_REQUEST, (path, value)
        assert [error["code"] for error in response.json()["errors"][name]] == [code]


def test_the_first_and_last_documented_dates_are_accepted(shipped_data, api_client):
    for value in ("1800-01-01", "2200-12-31"):
        assert api_client.get("/api/v1/partnerships/", {"in_force_on": value}).status_code == HTTPStatus.OK
        assert api_client.get("/api/v1/network/", {"as_of": value}).status_code == HTTPStatus.OK


def test_a_cooperation_field_that_is_not_a_slug_is_refused_and_an_unknown_one_selects_nothing(shipped_data):
    filterset, qs = run(PartnershipFilter, "field=no-such-field", Partnership.objects.all())
    assert filterset.is_valid() and qs.count() == 0
    filterset, _ = run(PartnershipFilter, "field=econ%20omy", Partnership.objects.all())
    assert [e.code for e in filterset.errors.as_data()["field"]] == ["invalid"]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("алматы", True),  # Cyrillic, typed in lower case
        ("АКИМАТ", True),
        ("ÉCOLE", True),  # an accented capital
        ("école", True),
        ("ΑΘΉΝΑ", True),  # Greek
        ("ΚΌΣ", True),  # its Σ is a final sigma in lower case (κός), inside "Κόσμος" a σ
        ("ΚΌΣΜΟΣ", True),
        ("κόσμος", True),  # typed with the final ς
        ("κόσμοι", False),
        ("almaty", False),  # as on PostgreSQL: the words are compared as stored, not transliterated
        ("акимат Алматы", True),
        ("акимат Астаны", False),
    ],
)
def test_q_ignores_the_case_of_every_script_on_both_databases(superuser, query, found):
    """``q`` on the records searched by their columns (RegistryQuerySet.search): SQLite's LIKE
    ignored the case of ASCII letters only (``q=алматы`` found nothing there, one on PostgreSQL)."""
    OrganizationFactory(name_en="Акимат Алматы", name_native="École d'Αθήνα, Κόσμος")
    OrganizationFactory(name_en="Mayor's office")
    response = token_client(superuser).get("/api/v1/organizations/", {"q": query})  # staff: unpublished ones too
    assert response.status_code == HTTPStatus.OK
    assert [row["name_en"] for row in response.json()["results"]] == (["Акимат Алматы"] if found else [])


def test_a_page_past_the_last_in_the_api_says_how_many_pages_the_list_has(api_client, shipped_data):
    """DRF said "Invalid page." (new-user probe)."""
    pages = -(-api_client.get("/api/v1/cities/?page_size=10").json()["count"] // 10)
    assert pages > 1
    response = api_client.get("/api/v1/cities/?page_size=10&page=999")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["detail"] == (
        f"Page 999 does not exist: the list has {pages} pages; page=last gives the last."
    )
    korean = api_client.get("/api/v1/cities/?page_size=10&page=999", HTTP_ACCEPT_LANGUAGE="ko")
    assert korean.json()["detail"].startswith("999 페이지는 없습니다.")
    one = api_client.get("/api/v1/cities/?page_size=200&page=2").json()["detail"]
    assert one == "Page 2 does not exist: the list has 1 page; page=last gives the last."


def test_a_query_that_shows_nothing_is_no_query(api_client, client, db):
    """``q`` of a zero-width space found nothing where ``q`` of spaces listed every row (new-user
    probe): both are no query now, in every list and the site's search."""
    from .factories import CityFactory, PartnershipFactory

    PartnershipFactory(partner=CityFactory(slug="almaty", name_en="Almaty", country="KZ"))
    every = api_client.get("/api/v1/cities/").json()["count"]
    assert every >= 1 and api_client.get("/api/v1/cities/?q=%20%20").json()["count"] == every
    assert api_client.get("/api/v1/cities/?q=%E2%80%8B").json()["count"] == every
    assert api_client.get("/api/v1/cities/?q=%E2%80%8B%20%E2%81%A0").json()["count"] == every
    assert api_client.get("/api/v1/cities/?q=zzzz").json()["count"] == 0
    page = client.get("/search/?q=%E2%80%8B")
    assert page.status_code == 200 and "Almaty" not in page.text  # no results section, as for an empty query


@pytest.mark.parametrize("filter_class", [PartnershipFilter, AgreementFilter, EventFilter])
def test_a_range_no_date_can_be_in_is_an_error_under_its_end(shipped_data, filter_class):
    """helper-92: ``established_after`` later than ``established_before`` answered an empty list."""
    model = filter_class._meta.model
    filterset, _ = run(filter_class, "established_after=2020-01-01&established_before=2019-12-31", model.objects.all())
    assert not filterset.is_valid()
    assert list(filterset.errors) == ["established_before"]
    [error] = filterset.form.errors.as_data()["established_before"]
    assert error.code == "empty_range" and "2019-12-31" in error.message and "2020-01-01" in error.message
    filterset, _ = run(filter_class, "established_after=2020-01-01&established_before=2020-01-01", model.objects.all())
    assert filterset.is_valid()  # one day is a range


def test_an_empty_range_is_a_400_naming_the_parameter_on_the_api_and_the_page(shipped_data, client):
    response = client.get("/api/v1/partnerships/?established_after=2020-01-01&established_before=2019-01-01")
    assert response.status_code == 400
    assert response.json()["errors"]["established_before"][0]["code"] == "empty_range"
    page = client.get("/agreements/?established_after=2020-01-01&established_before=2019-01-01")
    assert page.status_code == 400 and "no date is in both" in page.text


# --------------------------------------------------------------------------- a year or a month as a bound

BOUND_DAYS = [D(2019, 12, 31), D(2020, 1, 1), D(2020, 2, 29), D(2020, 3, 1), D(2020, 12, 31), D(2021, 1, 1)]

# Each list with a range, and how a row with a given date in it is made.
RANGED_LISTS = [
    (PartnershipFilter, lambda day: PartnershipFactory(established_on=day), "established_on"),
    (AgreementFilter, lambda day: AgreementFactory(signed_on=day), "signed_on"),
    (EventFilter, lambda day: EventFactory(start_on=day), "start_on"),
    (DelegationFilter, lambda day: DelegationFactory(start_on=day), "start_on"),
]


@pytest.mark.parametrize(("filter_class", "make", "field"), RANGED_LISTS)
@pytest.mark.parametrize(
    ("query", "first", "last"),
    [
        ("established_after=2020", D(2020, 1, 1), None),  # a year after: from its first day
        ("established_before=2020", None, D(2020, 12, 31)),  # a year before: to its last day
        ("established_after=2020&established_before=2020", D(2020, 1, 1), D(2020, 12, 31)),  # the year
        ("established_before=2020-02", None, D(2020, 2, 29)),  # the last day of a leap February
        ("established_after=2020-03", D(2020, 3, 1), None),
        ("established_after=2020-02&established_before=2020-02", D(2020, 2, 1), D(2020, 2, 29)),
    ],
)
def test_a_bound_of_a_range_takes_a_year_or_a_month_as_a_write_does(filter_class, make, field, query, first, last):
    """``established_after=2020`` was refused as not a date (YYYY-MM-DD only) while a write takes
    ``2020`` and ``2020-05``: a year or a month is now its first day after, its last day before."""
    for day in BOUND_DAYS:
        make(day)
    model = filter_class._meta.model
    filterset, qs = run(filter_class, query, model.objects.all())
    assert filterset.is_valid(), filterset.errors
    expected = [day for day in BOUND_DAYS if (first is None or first <= day) and (last is None or day <= last)]
    assert sorted(qs.values_list(field, flat=True)) == expected


def test_the_cities_list_and_the_api_take_a_year_as_a_bound(api_client, home):
    for day, slug in [(D(2019, 12, 31), "before"), (D(2020, 6, 1), "in"), (D(2021, 1, 1), "after")]:
        PartnershipFactory(city=home, partner=CityFactory(slug=slug), established_on=day)
    query = {"established_after": "2020", "established_before": "2020"}
    assert [row["slug"] for row in api_client.get("/api/v1/cities/", query).json()["results"]] == ["in"]
    answer = api_client.get("/api/v1/partnerships/", query).json()
    assert [row["partner"]["slug"] for row in answer["results"]] == ["in"]
    answer = api_client.get("/api/v1/partnerships/", {"established_before": "2019-12"}).json()
    assert [row["partner"]["slug"] for row in answer["results"]] == ["before"]


@pytest.mark.parametrize("filter_class", [PartnershipFilter, AgreementFilter, EventFilter, DelegationFilter])
def test_a_range_of_partial_bounds_no_date_can_be_in_is_an_error_and_one_year_is_not(filter_class):
    model = filter_class._meta.model
    filterset, _ = run(filter_class, "established_after=2021&established_before=2020", model.objects.all())
    [error] = filterset.form.errors.as_data()["established_before"]
    assert error.code == "empty_range" and "2020-12-31" in error.message and "2021-01-01" in error.message
    filterset, _ = run(filter_class, "established_after=2020-03&established_before=2020-02", model.objects.all())
    assert [error.code for error in filterset.form.errors.as_data()["established_before"]] == ["empty_range"]
    for query in (
        "established_after=2020&established_before=2020",
        "established_after=2020-02&established_before=2020",
    ):
        filterset, _ = run(filter_class, query, model.objects.all())
        assert filterset.is_valid(), (query, filterset.errors)


FORMS_ACCEPTED = "Enter a date as YYYY, YYYY-MM or YYYY-MM-DD (e.g. 1966, 1966-06 or 1966-06-30)."


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2020-13", "no_such_day"),
        ("2020-02-30", "no_such_day"),
        ("0000", "no_such_day"),
        ("20201", "invalid"),
        ("abc", "invalid"),
        ("2020-5", "invalid"),
        ("２０２０", "invalid"),  # fullwidth digits
        ("2020\n", "invalid"),
        ("1799", "date_out_of_range"),
        ("2201-01", "date_out_of_range"),
    ],
)
@pytest.mark.parametrize("name", ["established_after", "established_before"])
def test_a_bound_that_is_no_date_is_a_400_naming_the_parameter_and_the_forms(api_client, db, name, value, code):
    response = api_client.get("/api/v1/agreements/", {name: value})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    [error] = response.json()["errors"][name]
    assert error["code"] == code
    if code != "date_out_of_range":
        assert "YYYY, YYYY-MM or YYYY-MM-DD" in error["message"]
    if code == "invalid":
        assert error["message"] == FORMS_ACCEPTED


def test_the_refusal_of_a_bound_is_in_korean_on_the_api_and_the_pages(api_client, client, db):
    response = api_client.get("/api/v1/events/", {"established_after": "abc"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    [error] = response.json()["errors"]["established_after"]
    assert "YYYY, YYYY-MM 또는 YYYY-MM-DD" in error["message"] and "Enter" not in error["message"]
    page = client.get("/ko/agreements/", {"established_before": "2020-13"})
    assert page.status_code == HTTPStatus.BAD_REQUEST
    assert "“2020-13”" in page.text and "YYYY, YYYY-MM 또는 YYYY-MM-DD" in page.text and "names no day" not in page.text


def test_a_list_page_keeps_a_year_bound_in_a_text_box_and_lists_that_year(client, db):
    """A date picker drops a value that is no day (``2020``): the bound is a text box that keeps it."""
    AgreementFactory(slug="in-2020", signed_on=D(2020, 7, 1))
    AgreementFactory(slug="in-2021", signed_on=D(2021, 7, 1))
    page = client.get("/agreements/", {"established_after": "2020", "established_before": "2020"})
    assert page.status_code == HTTPStatus.OK
    assert [row.slug for row in page.context["object_list"]] == ["in-2020"]
    field = re.search(r'<input[^>]*name="established_after"[^>]*>', page.text)[0]
    assert 'value="2020"' in field and 'type="text"' in field


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("2020", True),
        ("2020-05", True),
        ("2020-05-31", True),
        ("1800", True),
        ("2200-12", True),
        ("1799", False),
        ("2201", False),
        ("20201", False),
        ("2020-13", False),
        ("2020-5", False),
        ("2020-05-32", False),
    ],
)
def test_the_schema_documents_the_forms_a_bound_takes(api_client, db, value, accepted):
    document = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    component = document["components"]["schemas"]["QueryBound"]
    assert bool(re.search(component["pattern"], value)) is accepted
    assert (api_client.get("/api/v1/partnerships/", {"established_after": value}).status_code == 200) is accepted
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/partnerships/"]["get"]["parameters"]}
    for name, day in [("established_after", "first day"), ("established_before", "last day")]:
        assert parameters[name]["schema"]["anyOf"][0] == {"$ref": "#/components/schemas/QueryBound"}
        assert "YYYY, YYYY-MM or YYYY-MM-DD" in parameters[name]["description"]
        assert day in parameters[name]["description"]
