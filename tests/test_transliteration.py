"""Names in any script: queries and names compared through their anyascii transliteration
(registry/text.py, CityQuerySet.search), the same on SQLite and PostgreSQL (issue 15)."""

from http import HTTPStatus

import pytest

from registry import text
from registry.models import City, CityName

from .factories import CityFactory, PartnershipFactory


def test_transliterate_folds_after_anyascii():
    assert text.transliterate("Алма-Ата") == "alma ata"
    assert text.transliterate("Ташкент") == "tashkent"
    assert text.transliterate("Αθήνα") == "athina"
    assert text.transliterate("") == ""


def test_search_forms_are_the_folded_name_and_its_transliteration():
    assert text.search_forms("Тошкент") == ["тошкент", "toshkent"]
    assert text.search_forms("Valparaíso") == ["valparaiso"]  # already ASCII once folded: one form
    assert text.search_forms("") == []


def test_search_terms_give_each_word_both_forms():
    assert text.search_terms("Алма-Ата") == [["алма", "alma"], ["ата", "ata"]]


@pytest.fixture
def cities(db):
    almaty = CityFactory(slug="almaty", name_en="Almaty", name_native="Алматы", country="KZ")
    CityName.objects.create(city=almaty, name="Alma-Ata", kind=CityName.Kind.FORMER, used_until=1993)
    tashkent = CityFactory(slug="uz-capital", name_en="", name_native="Ташкент", country="UZ")
    toshkent = CityFactory(slug="uz-latin", name_en="", name_native="Тошкент", country="UZ")
    athens = CityFactory(slug="athens", name_en="Athens", country="GR")
    CityName.objects.create(city=athens, name="Αθήνα", kind=CityName.Kind.ALIAS)
    CityFactory(slug="astana", name_en="Astana", country="KZ")
    return {"almaty": almaty, "tashkent": tashkent, "toshkent": toshkent, "athens": athens}


def slugs(query):
    return sorted(City.objects.search(query).values_list("slug", flat=True))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Алма-Ата", ["almaty"]),  # Cyrillic query, Latin former name
        ("алма ата", ["almaty"]),
        ("Alma-Ata", ["almaty"]),
        ("almaty", ["almaty"]),  # Latin query, stored in English and as Алматы
        ("Алматы", ["almaty"]),
        ("tashkent", ["uz-capital"]),  # Latin query, name stored only in Cyrillic
        ("TASHKENT", ["uz-capital"]),
        ("toshkent", ["uz-latin"]),
        ("Тошкент", ["uz-latin"]),
        ("athina", ["athens"]),  # alias in Greek script
        ("Αθήνα", ["athens"]),
        ("Афины", []),  # a different name is not a transliteration
    ],
)
def test_a_query_in_one_script_finds_a_name_stored_in_another(cities, query, expected):
    assert slugs(query) == expected


def test_every_word_must_match(cities):
    assert slugs("Алма-Ата astana") == []


def test_former_names_and_aliases_in_more_than_one_script(cities):
    almaty = cities["almaty"]
    CityName.objects.create(city=almaty, name="Верный", kind=CityName.Kind.FORMER, used_until=1921)
    CityName.objects.create(city=almaty, name="Verny", kind=CityName.Kind.FORMER, used_until=1921)
    assert slugs("vernyi") == ["almaty"]  # the Cyrillic spelling's transliteration
    assert slugs("Верный") == ["almaty"]
    almaty.names.get(name="Верный").delete()
    assert slugs("vernyi") == []  # the search text follows the names


def test_cities_page_and_api_search_in_any_script(cities, client, api_client, home):
    PartnershipFactory(city=home, partner=cities["almaty"])
    PartnershipFactory(city=home, partner=cities["tashkent"])
    page = client.get("/cities/", {"q": "Алма-Ата"})
    assert page.status_code == HTTPStatus.OK
    assert 'href="/cities/almaty/"' in page.content.decode()
    assert 'href="/cities/uz-capital/"' not in page.content.decode()
    body = api_client.get("/api/v1/cities/", {"q": "tashkent"}).json()
    assert [city["slug"] for city in body["results"]] == ["uz-capital"]
