"""The Country and Region menus of the list pages offer only the countries and UN M49 areas that
have a row of that list the reader may see, each with how many, plus any the query selects;
the API's ``country`` and ``region`` still take every ISO code and area. Each list's
``country_sets()`` (what the menus count) agrees with its ``for_country()`` and ``in_region()``
(what the filters select)."""

import re
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_countries import countries

from registry import regions
from registry.models import Agreement, City, Delegation, Event, ItineraryStop, Partnership, Publication

from .factories import AgreementFactory, CityFactory, DelegationFactory, EventFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

DRAFT = Publication.DRAFT


@pytest.fixture
def places(home):
    """Busan's relations as the lists see them: Almaty (KZ) a published partner, with an agreement
    signed there and an event held there; a delegation stopping in Almaty and Bishkek (KG), which
    is no partner; Reykjavik (IS) a partner only through a draft, with a draft event, so Iceland
    is for staff only."""
    almaty = CityFactory(slug="almaty", name_en="Almaty", country="KZ")
    bishkek = CityFactory(slug="bishkek", name_en="Bishkek", country="KG")
    reykjavik = CityFactory(slug="reykjavik", name_en="Reykjavik", country="IS")
    with_almaty = PartnershipFactory(city=home, partner=almaty)
    PartnershipFactory(city=home, partner=reykjavik, publication=DRAFT)
    AgreementFactory(slug="almaty-agreement", place=almaty, partnership=with_almaty)
    EventFactory(slug="almaty-signing", city=almaty, partnership=with_almaty)
    EventFactory(slug="reykjavik-visit", city=reykjavik, publication=DRAFT)
    tour = DelegationFactory(slug="tour")
    for order, city in enumerate((almaty, bishkek, almaty), start=1):
        ItineraryStop.objects.create(delegation=tour, order=order, city=city)
    return {"almaty": almaty, "reykjavik": reykjavik}


def menu(client, path: str, name: str, query: dict | None = None) -> dict[str, str]:
    """The choices of the menu ``name`` on ``path`` as its HTML lists them: value → label, "Any" left out."""
    response = client.get(path, query or {})
    assert response.status_code == HTTPStatus.OK, path
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', response.text, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    return {value: label for value, label in options if value}


def selected(client, path: str, query: dict) -> list[str]:
    """The values selected in the page's menus."""
    return re.findall(r'<option value="([^"]+)"[^>]*\bselected\b', client.get(path, query).text)


# What an anonymous reader is offered, list by list: the home city (KR) is no partner of its own,
# Bishkek (KG) a stop of the delegation only, Iceland behind drafts.
EVERY_PUBLIC_CITY = {"kg": "Kyrgyzstan (1)", "kz": "Kazakhstan (1)", "kr": "South Korea (1)"}
PUBLIC_COUNTRIES = [
    ("/cities/", {}, {"kz": "Kazakhstan (1)"}),
    ("/cities/", {"show": "all"}, EVERY_PUBLIC_CITY),
    ("/countries/", {}, EVERY_PUBLIC_CITY),
    ("/agreements/", {}, {"kz": "Kazakhstan (1)"}),
    ("/events/", {}, {"kz": "Kazakhstan (1)"}),
    ("/delegations/", {}, {"kz": "Kazakhstan (1)", "kg": "Kyrgyzstan (1)"}),
]


@pytest.mark.parametrize(("path", "query", "expected"), PUBLIC_COUNTRIES)
def test_the_country_menu_offers_the_countries_of_that_lists_public_rows_with_their_counts(
    client, places, path, query, expected
):
    assert menu(client, path, "country", query) == expected


def test_the_region_menu_counts_a_row_once_in_an_area_it_has_several_places_in(client, places):
    # The delegation stops twice in Kazakhstan and once in Kyrgyzstan: one delegation in Central Asia.
    assert menu(client, "/delegations/", "region") == {"asia": "Asia (1)", "central-asia": "Central Asia (1)"}
    assert menu(client, "/cities/", "region", {"show": "all"}) == {
        "asia": "Asia (3)",
        "central-asia": "Central Asia (2)",
        "eastern-asia": "Eastern Asia (1)",
    }
    assert "polynesia" not in menu(client, "/events/", "region")


def test_korean_menus_name_places_in_korean_in_the_order_of_their_names(client, places):
    assert list(menu(client, "/ko/delegations/", "country").values()) == ["카자흐스탄 (1)", "키르기스스탄 (1)"]
    assert list(menu(client, "/ko/cities/", "region", {"show": "all"}).values()) == [
        "동아시아 (1)",
        "아시아 (3)",
        "중앙 아시아 (2)",
    ]


@pytest.mark.parametrize("path", ["/cities/", "/events/"])
def test_a_country_of_drafts_only_is_offered_to_staff_and_never_to_the_public(client, places, viewer, path):
    client.force_login(viewer)
    staff = menu(client, path, "country")
    assert staff["is"] == "Iceland (1)" and staff["kz"] == "Kazakhstan (1)"
    assert "northern-europe" in menu(client, path, "region")
    assert menu(client, f"/ko{path}", "country")["is"] == "아이슬란드 (1)"
    client.logout()  # the staff reader's menu is theirs: the public's never shows it
    assert "is" not in menu(client, path, "country")
    assert "northern-europe" not in menu(client, path, "region")
    assert "is" not in menu(client, f"/ko{path}", "country")


def test_a_selected_place_without_rows_stays_in_its_menu_selected_with_none(client, places):
    query = {"country": "JP", "region": "polynesia"}
    assert menu(client, "/events/", "country", query) == {"jp": "Japan (0)", "kz": "Kazakhstan (1)"}
    assert menu(client, "/events/", "region", query)["polynesia"] == "Polynesia (0)"
    assert selected(client, "/events/", query) == ["jp", "polynesia"]
    assert menu(client, "/ko/events/", "country", query)["jp"] == "일본 (0)"
    assert menu(client, "/ko/events/", "region", query)["polynesia"] == "폴리네시아 (0)"
    # Several countries: each kept and selected, the menu a list of several.
    several = {"country": ["kz", "is"]}
    assert selected(client, "/agreements/", several) == ["is", "kz"]
    assert menu(client, "/agreements/", "country", several)["is"] == "Iceland (0)"  # Iceland's rows are drafts


def test_a_region_given_by_its_code_is_selected_in_the_menu(client, places):
    assert selected(client, "/delegations/", {"region": "143"}) == ["central-asia"]


def test_a_value_the_filter_refuses_adds_nothing_to_the_menu(client, places):
    response = client.get("/events/", {"country": "zz", "region": "atlantis"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    form = response.context["filter_form"]
    assert [value for value, _ in form["country"].field.widget.choices] == ["", "kz"]
    assert [value for value, _ in form["region"].field.widget.choices] == ["", "asia", "central-asia"]


def test_the_api_still_takes_every_country_and_region(api_client, places):
    for query in ({"country": "JP"}, {"country": "is"}, {"region": "polynesia"}, {"region": "061"}):
        answer = api_client.get("/api/v1/events/", query)
        assert answer.status_code == HTTPStatus.OK, query
        assert answer.json()["results"] == []
    assert api_client.get("/api/v1/events/", {"country": "zz"}).status_code == HTTPStatus.BAD_REQUEST


def test_the_menus_follow_the_data_through_the_page_cache(client, places):
    assert "is" not in menu(client, "/events/", "country")
    assert "is" not in menu(client, "/events/", "country", {"kind": "other"})  # another page of the list
    draft = Event.objects.get(slug="reykjavik-visit")
    draft.publication = Publication.PUBLISHED
    draft.save()
    assert menu(client, "/events/", "country")["is"] == "Iceland (1)"
    assert menu(client, "/events/", "country", {"kind": "other"})["is"] == "Iceland (1)"


def test_the_public_menus_are_counted_once_per_public_data_generation(client, places):
    """The anonymous menus' counts are computed once per public data generation: another page
    of the list reuses them, a draft's change keeps them (it recounted), a public change
    recounts them."""
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        client.get("/events/")
    with CaptureQueriesContext(connection) as second:
        client.get("/events/", {"page": "1"})  # not the same page in the page cache, the same list
    draft = Event.objects.get(slug="reykjavik-visit")
    draft.title_en = "Reykjavik visit, draft retitled"
    draft.save()  # a draft changed: nothing the public menus count
    with CaptureQueriesContext(connection) as after_draft:
        client.get("/events/", {"kind": "other"})
    public = Event.objects.filter(publication=Publication.PUBLISHED).first()
    public.title_en = "Retitled in public"
    public.save()
    with CaptureQueriesContext(connection) as after_public:
        client.get("/events/", {"kind": "signing_ceremony"})
    runs = (first, second, after_draft, after_public)
    menu_queries = [sum('AS "city__country"' in query["sql"] for query in run) for run in runs]
    assert menu_queries == [1, 0, 0, 1]


# --------------------------------------------------------------------------- what the menus count


@pytest.fixture
def tangled(home, places):
    """Rows whose places a count could get wrong: a relation stored with the home city as its
    partner (its other side is the stored city, in Japan), an agreement signed in Kazakhstan under
    a partnership with a city in Japan, one with no place under it, one with neither, an event
    with no city, a delegation with no stop."""
    osaka = CityFactory(slug="osaka", country="JP")
    fukuoka = CityFactory(slug="fukuoka", country="JP")
    suva = CityFactory(slug="suva", country="FJ")
    reversed_side = PartnershipFactory(city=osaka, partner=home)
    PartnershipFactory(city=home, partner=fukuoka)
    AgreementFactory(slug="signed-away", place=places["almaty"], partnership=reversed_side)
    AgreementFactory(slug="no-place", place=None, partnership=reversed_side)
    AgreementFactory(slug="nowhere", place=None, partnership=None)
    AgreementFactory(slug="in-fiji", place=suva, partnership=None, publication=DRAFT)
    EventFactory(slug="no-city", city=None)
    DelegationFactory(slug="no-stops")


@pytest.mark.parametrize("model", [City, Partnership, Agreement, Event, Delegation])
def test_country_sets_count_what_for_country_and_in_region_select(tangled, model):
    """For every country and every UN M49 area, a list's menus count exactly the rows the
    ``country`` and ``region`` filters then list, on every row and on the public ones."""
    for rows in (model.objects.all(), model.objects.public()):
        sets = rows.country_sets()
        assert all(codes and codes == {code.upper() for code in codes} for codes in sets)
        present = {code for codes in sets for code in codes}
        for code in sorted(present | {"JP", "KZ", "FJ", "IS", "US"}):
            expected = rows.for_country(code).count()
            assert sum(count for codes, count in sets.items() if code in codes) == expected, (model, code)
        for area in regions.all_regions():
            inside = regions.countries_in(area)
            expected = rows.in_region(area).count()
            assert sum(count for codes, count in sets.items() if codes & inside) == expected, (model, area)


def test_the_areas_of_a_country_are_those_that_hold_it():
    for code, _name in countries:
        holding = {area for area in regions.all_regions() if code in regions.countries_in(area)}
        assert set(regions.areas_of(code)) == holding, code
