"""/api/v1/partnerships/: exact JSON for Busan–Almaty, filters, drafts, precise dates, exports."""

import csv
import datetime
import io
import json
from http import HTTPStatus

import pytest

from registry import services
from registry.models import Partnership, Publication

from .api_expected import ALMATY, ALMATY_SOURCES, BUSAN
from .conftest import token_client
from .factories import CityFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def almaty_partnership():
    return Partnership.objects.get(partner__slug="almaty")


def expected_almaty():
    PARTNERSHIP_ID = almaty_partnership().pk
    return {
        "id": PARTNERSHIP_ID,
        "url": f"http://testserver/partnerships/{PARTNERSHIP_ID}/",
        "city": BUSAN,
        "partner": ALMATY,
        "kind": "friendship",
        "established_on": "2022-09-14",
        "established_precision": "day",
        "status": "active",
        "ended_on": None,
        "ended_precision": None,  # no end: no precision (new-user probe)
        "status_reason": "",
        "status_reason_ko": "",
        "fields": [
            {"slug": "culture", "name_en": "culture", "name_ko": "문화"},
            {"slug": "digital-industry", "name_en": "digital industry", "name_ko": "디지털 산업"},
            {"slug": "economy", "name_en": "economy", "name_ko": "경제"},
            {"slug": "film", "name_en": "film", "name_ko": "영화"},
            {"slug": "medical-care", "name_en": "medical care", "name_ko": "의료"},
            {"slug": "tourism", "name_en": "tourism", "name_ko": "관광"},
        ],
        "confidence": "high",
        "publication": "published",
        "remarks_en": "",
        "remarks_ko": "",
        "sources": ALMATY_SOURCES,
        # The signing ceremony of 2022-09-21; dormant after REGISTRY_DORMANT_YEARS (3) without activity.
        "last_activity": "2022-09-21",
        "dormant": True,
        "predecessor": None,
        "successor": None,
        "stages": [],
        # The sources of the established date and of the kind (citations of those facts).
        "claims": [
            {
                "fact": "established_on",
                "value": "2022-09-14",
                "preferred": True,
                "note_en": "Signed on 14 September 2022; the date is the same in every source (research notes §4 "
                "item 11).",
                "note_ko": "2022년 9월 14일 체결. 날짜는 모든 출처에서 같음(조사 노트 §4 11항).",
                "sources": [ALMATY_SOURCES[i] for i in (0, 1, 2, 3, 7)],  # notes, article, BFIC, busan.com, Newsis
            },
            {
                "fact": "kind",
                "value": "friendship",
                "preferred": True,
                "note_en": "A friendly cooperation city (우호협력도시), Busan's twelfth; such agreements need no "
                "council approval.",
                "note_ko": "부산의 열두 번째 우호협력도시. 우호협력도시 협정은 시의회 동의가 필요 없음.",
                "sources": [ALMATY_SOURCES[i] for i in (0, 1, 3)],  # notes, article, busan.com 2022-09-15
            },
        ],
        "created_at": "2022-09-21T00:00:00Z",
        "updated_at": "2022-09-21T00:00:00Z",
    }


def test_country_kz_returns_the_almaty_friendship_exactly(shipped_data, api_client):
    response = api_client.get("/api/v1/partnerships/?country=KZ")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"count": 1, "next": None, "previous": None, "results": [expected_almaty()]}
    assert response.json()["results"][0]["kind"] == "friendship"


def test_detail_by_id_is_the_same_record(shipped_data, api_client):
    response = api_client.get(f"/api/v1/partnerships/{almaty_partnership().pk}/")
    assert response.json() == expected_almaty()


def test_search_by_former_name_finds_almaty(shipped_data, api_client):
    body = api_client.get("/api/v1/partnerships/?q=alma-ata").json()
    assert [row["partner"]["slug"] for row in body["results"]] == ["almaty"]


def test_in_force_on_and_kind_filters(shipped_data, api_client):
    assert api_client.get("/api/v1/partnerships/?in_force_on=2022-09-13").json()["count"] == 37
    assert api_client.get("/api/v1/partnerships/?in_force_on=2022-09-21").json()["count"] == 38
    assert api_client.get("/api/v1/partnerships/?kind=sister").json()["count"] == 26


def test_year_only_date_is_never_given_a_day(db, api_client):
    partnership = PartnershipFactory(established_on="1966-01-01", established_precision="year")
    body = api_client.get(f"/api/v1/partnerships/{partnership.pk}/").json()
    assert body["established_on"] == "1966"
    assert body["established_precision"] == "year"


def test_invalid_filters_answer_400_naming_each_parameter(shipped_data, api_client):
    response = api_client.get("/api/v1/partnerships/?country=xx&in_force_on=2022-13-01&ordering=notes")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    errors = response.json()["errors"]
    assert set(errors) == {"country", "in_force_on", "ordering"}
    assert errors["country"][0]["code"] == "invalid_choice"
    assert "“xx”" in errors["country"][0]["message"]


def test_ordering_is_allow_listed(shipped_data, api_client):
    body = api_client.get("/api/v1/partnerships/?ordering=-established_on").json()
    assert body["results"][0]["partner"]["slug"] == "almaty"


def test_drafts_are_hidden_from_the_public_and_shown_to_staff_with_view_permission(db, api_client, viewer):
    draft = PartnershipFactory(publication=Publication.DRAFT)
    assert api_client.get("/api/v1/partnerships/").json()["count"] == 0
    assert api_client.get(f"/api/v1/partnerships/{draft.pk}/").status_code == HTTPStatus.NOT_FOUND
    staff = token_client(viewer)
    assert staff.get("/api/v1/partnerships/").json()["count"] == 1
    assert staff.get(f"/api/v1/partnerships/{draft.pk}/").status_code == HTTPStatus.OK


def test_csv_has_the_same_filters_and_flat_columns(shipped_data, api_client):
    response = api_client.get("/api/v1/partnerships/?country=kz", HTTP_ACCEPT="text/csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert len(rows) == 1
    assert (rows[0]["city"], rows[0]["partner"], rows[0]["partner_country"]) == ("busan", "almaty", "KZ")
    # each side with its names and country, so a row reads without the cities' file (new-user probe)
    assert (rows[0]["city_name_en"], rows[0]["city_name_ko"], rows[0]["city_country"]) == ("Busan", "부산", "KR")
    assert (rows[0]["partner_name_en"], rows[0]["partner_name_ko"]) == ("Almaty", "알마티")
    assert rows[0]["kind"] == "friendship"
    assert (rows[0]["established_on"], rows[0]["established_precision"]) == ("2022-09-14", "day")


def test_geojson_places_each_partnership_at_its_partner(shipped_data, api_client):
    collection = json.loads(api_client.get("/api/v1/partnerships/?format=geojson&country=kz").getvalue())
    [feature] = collection["features"]
    assert feature["geometry"]["coordinates"] == [76.95, 43.2333]
    assert feature["properties"]["partner"] == "almaty"
    assert feature["id"] == feature["properties"]["id"]


def test_page_size_is_capped(shipped_data, api_client):
    body = api_client.get("/api/v1/partnerships/?page_size=2").json()
    assert len(body["results"]) == 2
    assert body["next"].endswith("page=2&page_size=2")
    body = api_client.get("/api/v1/partnerships/?page_size=100000").json()
    assert len(body["results"]) == body["count"] == Partnership.objects.count()


def test_the_home_side_is_stored_as_the_client_names_it(home, superuser):
    CityFactory(slug="tashkent", country="UZ")
    response = token_client(superuser).post(
        "/api/v1/partnerships/",
        {"city": "tashkent", "partner": "home", "kind": "sister", "established_on": "2023"},
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED, response.content
    assert (response.json()["city"]["slug"], response.json()["partner"]["slug"]) == ("tashkent", "home")
    stored = Partnership.objects.get(pk=response.json()["id"])
    assert (stored.city.slug, stored.partner.slug, stored.established_precision) == ("tashkent", "home", "year")


def test_an_upgraded_partnership_names_its_successor_only_to_readers_who_may_see_it(api_client, superuser):
    old = PartnershipFactory(kind=Partnership.Kind.FRIENDSHIP, established_on=datetime.date(2016, 5, 1))
    sister = services.upgrade_partnership(partnership=old, on=datetime.date(2020, 3, 1), reason="Council approved")
    new = api_client.get(f"/api/v1/partnerships/{sister.pk}/").json()
    assert (new["predecessor"], new["successor"]) == (old.pk, None)
    successor = {
        "id": sister.pk,
        "city": new["city"],
        "partner": new["partner"],
        "kind": "sister",
        "status": "active",
        "established_on": "2020-03-01",
        "established_precision": "day",
    }
    assert api_client.get(f"/api/v1/partnerships/{old.pk}/").json()["successor"] == successor
    listed = {row["id"]: row["successor"] for row in api_client.get("/api/v1/partnerships/").json()["results"]}
    assert listed == {old.pk: successor, sister.pk: None}
    sister.publication = Publication.DRAFT
    sister.save()
    assert api_client.get(f"/api/v1/partnerships/{old.pk}/").json()["successor"] is None
    assert [row["successor"] for row in api_client.get("/api/v1/partnerships/").json()["results"]] == [None]
    assert token_client(superuser).get(f"/api/v1/partnerships/{old.pk}/").json()["successor"] == successor


def test_a_partnership_already_recorded_is_one_error_naming_the_rule(superuser):
    """Found by a new user: a duplicate POST had, besides the pair's open-partnership rule, Django's
    "Partnership with this City, Partner city, Kind and Established on already exists."."""
    existing = PartnershipFactory(kind="friendship", established_on=datetime.date(2022, 9, 14))
    body = {
        "city": existing.city.slug,
        "partner": existing.partner.slug,
        "kind": "friendship",
        "established_on": "2022-09-14",
    }
    response = token_client(superuser).post("/api/v1/partnerships/", body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {
        "partner": [
            {
                "message": "This partnership is already recorded: the same two cities, kind and established date.",
                "code": "partnership_natural_key",
            }
        ]
    }


def test_an_ended_partnership_of_a_pair_with_an_undated_letter_of_intent_is_stored(superuser, shipped_data):
    """Busan and Hokkaido have a letter of intent without a date: an ended friendship of the pair
    is checked against it (the answer was a 500, ``TypeError`` in the overlap rule; adversarial
    probe)."""
    body = {
        "city": "busan",
        "partner": "hokkaido",
        "kind": "friendship",
        "established_on": "2000",
        "status": "ended",
        "ended_on": "2001",
    }
    response = token_client(superuser).post("/api/v1/partnerships/", body, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.json()
    assert Partnership.objects.filter(partner__slug="hokkaido", status="ended").count() == 1


@pytest.mark.parametrize(("size", "code"), [("abc", "invalid"), ("1.5", "invalid"), ("0", "min_value")])
def test_a_page_size_that_is_no_whole_number_is_invalid_and_zero_too_small(api_client, db, size, code):
    """Found by a new user: ``page_size=abc`` answered code ``min_value``."""
    response = api_client.get("/api/v1/partnerships/", {"page_size": size})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {
        "page_size": [{"message": "Give a whole number of rows per page, at least 1.", "code": code}]
    }


def test_the_answer_to_a_change_gives_what_the_change_left_computed(shipped_data, superuser):
    """A PATCH answers the values computed with the record (``last_activity``, ``dormant``) as
    the change left them, as the next GET does: they were read with the record before the change
    (a partnership established later than its last event answered the event's date)."""
    staff = token_client(superuser)
    url = f"/api/v1/partnerships/{almaty_partnership().pk}/"
    assert staff.get(url).json()["last_activity"] == "2022-09-21"
    changed = staff.patch(
        url, {"established_on": "2024-03-01"}, format="json", HTTP_X_CHANGE_REASON="The treaty's date, corrected."
    )
    assert changed.status_code == HTTPStatus.OK, changed.content
    assert changed.json()["last_activity"] == "2024-03-01"
    after = staff.get(url).json()
    assert {name: changed.json()[name] for name in ("last_activity", "dormant")} == {
        name: after[name] for name in ("last_activity", "dormant")
    }
