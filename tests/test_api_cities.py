"""/api/v1/cities/: exact JSON for Almaty, search, filters, GeoJSON and CSV."""

import json
from http import HTTPStatus

import pytest

from .api_expected import ALMATY_SOURCES

pytestmark = pytest.mark.django_db

ALMATY = {
    "slug": "almaty",
    "name_en": "Almaty",
    "name_ko": "알마티",
    "name_native": "Алматы",
    "country": "KZ",
    "region": "asia",
    "subregion": "central-asia",
    "admin_level": "city",
    "subdivision": "",
    "latitude": 43.2333,
    "longitude": 76.95,
    "coordinates_source": "Wikipedia article coordinates via github.com/Hekman/twincities app/public/twin_cities.csv "
    "@84ebdec",
    "population": 2030285,
    "population_year": 2021,
    "wikidata_id": "Q35493",
    "confidence": "high",
    "names": [
        {"name": "Verny", "kind": "former", "used_from": 1855, "used_until": 1921},
        {"name": "Alma-Ata", "kind": "former", "used_from": 1921, "used_until": 1993},
    ],
    "remarks_en": "",
    "remarks_ko": "",
    "sources": ALMATY_SOURCES,
    "created_at": "2022-09-21T00:00:00Z",
    "updated_at": "2022-09-21T00:00:00Z",
}


def test_almaty_detail_is_exact(shipped_data, api_client):
    response = api_client.get("/api/v1/cities/almaty/")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == ALMATY


def test_busan_is_its_own_first_level_subdivision(shipped_data, api_client):
    assert api_client.get("/api/v1/cities/busan/").json()["subdivision"] == "KR-26"


def test_search_matches_former_names_any_case_and_accents(shipped_data, api_client):
    for query in ("alma-ata", "ALMA ATA", "알마티", "Алматы"):
        body = api_client.get("/api/v1/cities/", {"q": query}).json()
        assert [city["slug"] for city in body["results"]] == ["almaty"], query


def test_country_filter_takes_several_codes_in_any_case(shipped_data, api_client):
    body = api_client.get("/api/v1/cities/?country=kz&country=KG").json()
    assert sorted(city["slug"] for city in body["results"]) == ["almaty", "bishkek"]


def test_region_filter_and_partnership_conditions(shipped_data, api_client):
    body = api_client.get("/api/v1/cities/", {"region": "central-asia", "kind": "friendship"}).json()
    assert [city["slug"] for city in body["results"]] == ["almaty"]
    body = api_client.get("/api/v1/cities/", {"region": "central-asia", "in_force_on": "2022-09-13"}).json()
    assert body["count"] == 0


def test_geojson_is_a_feature_collection_with_lon_lat_points(shipped_data, api_client):
    response = api_client.get("/api/v1/cities/?format=geojson&country=kz")
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.getvalue())
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [76.95, 43.2333]}
    assert feature["id"] == "almaty"
    assert feature["properties"]["subregion"] == "central-asia"


def test_coordinates_are_json_numbers(shipped_data, api_client):
    body = api_client.get("/api/v1/cities/busan/").json()
    assert body["latitude"] == 35.1797
    assert isinstance(body["longitude"], float)


def test_a_country_code_is_written_in_any_case_and_read_in_capitals(db, editor):
    from registry.models import City

    from .conftest import token_client

    client = token_client(editor)
    response = client.post("/api/v1/cities/", {"name_en": "Shymkent", "country": "kz"}, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.json()
    assert response.json()["country"] == "KZ" and City.objects.get(slug="shymkent").country.code == "KZ"
    refused = client.post("/api/v1/cities/", {"name_en": "Nowhere", "country": "zz"}, format="json")
    assert refused.status_code == HTTPStatus.BAD_REQUEST and "country" in refused.json()["errors"]


def test_a_slug_made_from_a_name_keeps_its_letters_and_a_taken_one_says_where_it_came_from(db, editor):
    """The slug of a new city is made from ``name_en`` after transliteration: a Cyrillic А at
    the start of "Аlmaty" was dropped (slug ``lmaty``), "Şanlıurfa" loses no letter. A made slug
    that another city holds is refused naming its origin (it said "City with this Slug already
    exists." about a field the client never sent; adversarial probe)."""
    from .conftest import token_client

    client = token_client(editor)
    made = client.post("/api/v1/cities/", {"name_en": "Şanlıurfa", "country": "TR"}, format="json")
    assert made.status_code == HTTPStatus.CREATED, made.json()
    assert made.json()["slug"] == "sanliurfa"
    first = client.post("/api/v1/cities/", {"name_en": "Almaty", "country": "KZ"}, format="json")
    assert first.json()["slug"] == "almaty"
    again = client.post("/api/v1/cities/", {"name_en": "\u0410lmaty", "country": "KZ"}, format="json")
    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert again.json()["errors"]["slug"] == [
        {
            "code": "unique",
            "message": "“almaty”, the slug made from name_en, is already another city's: give a slug of your own.",
        }
    ]
    own = client.post("/api/v1/cities/", {"name_en": "\u0410lmaty", "country": "KZ", "slug": "almaty-2"}, format="json")
    assert own.status_code == HTTPStatus.CREATED, own.json()
    empty = client.post("/api/v1/cities/", {"name_en": "Shymkent", "country": "KZ", "slug": ""}, format="json")
    assert empty.status_code == HTTPStatus.CREATED, empty.json()  # as left out: made from the name
    assert empty.json()["slug"] == "shymkent"
    changed = client.patch("/api/v1/cities/shymkent/", {"slug": ""}, format="json", HTTP_IF_MATCH=empty["ETag"])
    assert changed.status_code == HTTPStatus.BAD_REQUEST and "slug" in changed.json()["errors"]


@pytest.mark.parametrize(
    ("sent", "code", "message"),
    [
        (
            "KAZ",
            "alpha2_only",
            "“KAZ” is the ISO 3166-1 code of Kazakhstan in another form; the API takes its alpha-2 code: KZ.",
        ),
        (
            "398",
            "alpha2_only",
            "“398” is the ISO 3166-1 code of Kazakhstan in another form; the API takes its alpha-2 code: KZ.",
        ),
        ("XX", "invalid_choice", "“XX” is not an ISO 3166-1 alpha-2 country code: write two letters such as KZ."),
        ("", "blank", "This field may not be blank."),
    ],
)
def test_a_country_that_is_no_alpha2_code_says_what_the_api_takes(db, editor, sent, code, message):
    """DRF's “"KAZ" is not a valid choice.” left the client guessing, and the admin's import takes
    KAZ (new-user probe): the API takes the alpha-2 code its schema enumerates, and says which."""
    from .conftest import token_client

    client = token_client(editor)
    response = client.post("/api/v1/cities/", {"name_en": "Shymkent", "country": sent}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["country"] == [{"code": code, "message": message}]
    korean = client.post(
        "/api/v1/cities/", {"name_en": "Shymkent", "country": "KAZ"}, format="json", HTTP_ACCEPT_LANGUAGE="ko"
    )
    assert korean.json()["errors"]["country"][0]["message"].startswith("“KAZ”은(는) ")
    assert client.post("/api/v1/cities/", {"name_en": "Shymkent", "country": "kz"}, format="json").status_code == 201


def test_a_name_with_nothing_to_make_a_slug_of_says_so_on_slug(db, editor):
    """``%_`` gives no slug: it said "This field cannot be blank." about a slug never sent (adversarial probe)."""
    from .conftest import token_client

    response = token_client(editor).post("/api/v1/cities/", {"name_en": "%_", "country": "KZ"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["slug"] == [
        {
            "code": "no_slug_in_name",
            "message": "“%_” (name_en) has no letter or digit to make a slug of: give a slug of your own.",
        }
    ]


def test_the_network_of_a_city_given_as_spaces_is_a_400(api_client, home):
    """``city=%20`` was read as no city: the home city's network (adversarial probe)."""
    response = api_client.get("/api/v1/network/?city=%20")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()["errors"]) == ["city"]
    assert api_client.get("/api/v1/network/?city=").status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    ("field", "sent", "code", "message"),
    [
        ("latitude", 1799, "max_value", "Ensure this value is less than or equal to 90."),
        ("latitude", 1e308, "max_value", "Ensure this value is less than or equal to 90."),
        ("longitude", -1e308, "min_value", "Ensure this value is greater than or equal to -180."),
        ("longitude", 181, "max_value", "Ensure this value is less than or equal to 180."),
    ],
)
def test_a_coordinate_out_of_its_range_is_refused_naming_the_range(db, editor, field, sent, code, message):
    """1799 said "no more than 3 digits before the decimal point", 1e308 "no more than 8 digits in
    total" (adversarial probe)."""
    from .conftest import token_client

    body = {"name_en": "Shymkent", "country": "KZ", field: sent}
    response = token_client(editor).post("/api/v1/cities/", body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][field] == [{"code": code, "message": message}]


@pytest.mark.parametrize("name", ["", "\u3164", "\u00a0\u200b"])
def test_a_name_that_shows_nothing_is_refused_once_on_the_name(db, editor, staff_client, name):
    """A name that shows nothing is refused as blank on the name; it also got the slug's error
    quoting the invisible name (“ㅤ” (name_en) has no letter or digit…; adversarial probe)."""
    from .conftest import token_client

    response = token_client(editor).post("/api/v1/cities/", {"name_en": name, "country": "KZ"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()["errors"]) == ["name_en"]
    page = staff_client.post("/admin/registry/city/add/", {"name_en": name, "country": "KZ", "admin_level": "city"})
    assert page.status_code == HTTPStatus.OK
    form = page.context["adminform"].form
    assert "name_en" in form.errors and "slug" not in form.errors and not form.non_field_errors()


def test_a_slug_with_capitals_is_a_400_on_the_slug(db, editor):
    """The slug's rule in the API: 400 on ``slug``, code ``slug_lower_case`` (adversarial probe)."""
    from registry.models import City

    from .conftest import token_client

    response = token_client(editor).post(
        "/api/v1/cities/", {"slug": "Shymkent", "name_en": "Shymkent", "country": "KZ"}, format="json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert [error["code"] for error in response.json()["errors"]["slug"]] == ["slug_lower_case"]
    assert not City.objects.filter(name_en="Shymkent").exists()
