"""Who may do what through the API: anonymous, viewer, editor, manager × read, create, update, delete;
validation like the admin's; the change history records the API user."""

from http import HTTPStatus
from unittest import mock

import pytest
from django.apps import apps

from registry.models import City, Partnership

from .conftest import token_client
from .factories import CityFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

LISTS = [
    ("cities", "city"),
    ("partnerships", "partnership"),
    ("agreements", "agreement"),
    ("events", "event"),
    ("delegations", "delegation"),
    ("organizations", "organization"),
    ("people", "person"),
    ("sources", "source"),
    ("cooperation-fields", "cooperationfield"),
]

#                  read             create               update               delete
MATRIX = {
    "anonymous": (HTTPStatus.OK, HTTPStatus.UNAUTHORIZED, HTTPStatus.UNAUTHORIZED, HTTPStatus.UNAUTHORIZED),
    "viewer": (HTTPStatus.OK, HTTPStatus.FORBIDDEN, HTTPStatus.FORBIDDEN, HTTPStatus.FORBIDDEN),
    "editor": (HTTPStatus.OK, HTTPStatus.CREATED, HTTPStatus.OK, HTTPStatus.FORBIDDEN),
    "manager": (HTTPStatus.OK, HTTPStatus.CREATED, HTTPStatus.OK, HTTPStatus.NO_CONTENT),
}


@pytest.fixture
def client_for(request, api_client):
    def make(role):
        if role == "anonymous":
            return api_client
        return token_client(request.getfixturevalue(role))

    return make


@pytest.mark.parametrize("role", list(MATRIX))
def test_permission_matrix_on_cities(role, client_for, settings):
    settings.REGISTRY_HOME_CITY = "existing"  # the home city is public without any partnership
    city = CityFactory(slug="existing", name_en="Existing")
    client = client_for(role)
    read, create, update, delete = MATRIX[role]
    assert client.get("/api/v1/cities/existing/").status_code == read
    response = client.post("/api/v1/cities/", {"name_en": "Shymkent", "country": "KZ"}, format="json")
    assert response.status_code == create
    assert City.objects.filter(slug="shymkent").exists() == (create == HTTPStatus.CREATED)
    response = client.patch("/api/v1/cities/existing/", {"name_ko": "기존"}, format="json")
    assert response.status_code == update
    city.refresh_from_db()
    assert (city.name_ko == "기존") == (update == HTTPStatus.OK)
    assert client.delete("/api/v1/cities/existing/").status_code == delete
    assert City.objects.filter(slug="existing").exists() == (delete != HTTPStatus.NO_CONTENT)


@pytest.mark.parametrize(("path", "model_name"), LISTS)
def test_anonymous_post_to_any_list_is_refused_and_stores_nothing(shipped_data, api_client, path, model_name):
    model = apps.get_model("registry", model_name)
    before = model.objects.count()
    response = api_client.post(f"/api/v1/{path}/", {"slug": "x", "name_en": "X", "title": "X"}, format="json")
    assert response.status_code in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN)
    assert response.json()["code"] == "not_authenticated"
    assert model.objects.count() == before


def test_session_writes_need_csrf(db, client, editor):
    from rest_framework.test import APIClient

    csrf_client = APIClient(enforce_csrf_checks=True)
    csrf_client.force_login(editor)
    response = csrf_client.post("/api/v1/cities/", {"name_en": "Shymkent", "country": "KZ"}, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "CSRF" in response.json()["detail"]
    assert not City.objects.filter(slug="shymkent").exists()


def test_staff_token_creates_a_city_and_a_constraint_breach_names_the_field(shipped_data, superuser):
    client = token_client(superuser)
    payload = {"name_en": "Shymkent", "country": "KZ", "latitude": 42.3, "longitude": 69.6, "wikidata_id": "Q182986"}
    response = client.post("/api/v1/cities/", payload, format="json")
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["slug"] == "shymkent"
    assert response.json()["subregion"] == "central-asia"
    response = client.post("/api/v1/cities/", {**payload, "slug": "shymkent-2"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()["errors"]) == ["wikidata_id"]
    response = client.post("/api/v1/cities/", {"name_en": "Nowhere", "country": "KZ", "latitude": 1}, format="json")
    assert response.json()["errors"] == {
        "longitude": [{"message": "Give both latitude and longitude, or neither.", "code": "city_coordinates_together"}]
    }


def test_partnership_rules_are_the_models(shipped_data, superuser):
    client = token_client(superuser)
    response = client.post(
        "/api/v1/partnerships/",
        {"city": "busan", "partner": "busan", "kind": "sister", "established_on": "1966"},
        format="json",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["partner"][0]["code"] == "partnership_not_with_itself"
    response = client.post(
        "/api/v1/partnerships/",
        {"city": "busan", "partner": "bishkek", "kind": "sister", "established_on": "1966-06", "fields": ["film"]},
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert (body["established_on"], body["established_precision"], body["publication"]) == ("1966-06", "month", "draft")
    assert [field["slug"] for field in body["fields"]] == ["film"]


CITY = {"name_en": "Spare", "country": "KZ", "notes": "checked"}
PARTNERSHIP = {"city": "spare", "partner": "other", "kind": "sister", "established_on": "1966-06"}


@pytest.mark.parametrize(
    ("model", "method", "url", "body", "status"),
    [
        (City, "post", "/api/v1/cities/", {**CITY, "name_en": "Shymkent"}, HTTPStatus.CREATED),
        (City, "put", "/api/v1/cities/spare/", CITY, HTTPStatus.OK),
        (City, "patch", "/api/v1/cities/spare/", {"notes": "checked"}, HTTPStatus.OK),
        (Partnership, "post", "/api/v1/partnerships/", PARTNERSHIP, HTTPStatus.CREATED),
        (Partnership, "put", "/api/v1/partnerships/{id}/", {**PARTNERSHIP, "partner": "third"}, HTTPStatus.OK),
        (Partnership, "patch", "/api/v1/partnerships/{id}/", {"established_on": "1966"}, HTTPStatus.OK),
    ],
)
def test_every_api_write_runs_full_clean_once(db, superuser, model, method, url, body, status):
    spare = CityFactory(slug="spare", name_en="Spare", country="KZ")
    CityFactory(slug="other")
    # A draft: a published partnership's kind and date change only by an action or a correction.
    partnership = PartnershipFactory(city=spare, partner=CityFactory(slug="third"), publication="draft")
    real_full_clean = model.full_clean
    with mock.patch.object(model, "full_clean", autospec=True, side_effect=real_full_clean) as full_clean:
        response = getattr(token_client(superuser), method)(url.format(id=partnership.pk), body, format="json")
    assert response.status_code == status, response.content
    assert full_clean.call_count == 1


def test_a_rule_broken_on_update_is_a_400_on_the_api_field(db, superuser):
    partnership = PartnershipFactory(status="ended", ended_on="2010-01-01", established_on="2000-01-01")
    # A published one's end date changes only as a correction (with a reason); the rule still applies to it.
    response = token_client(superuser).patch(
        f"/api/v1/partnerships/{partnership.pk}/",
        {"ended_on": "1999-05"},
        format="json",
        HTTP_X_CHANGE_REASON="The end date was misread",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {
        "ended_on": [
            {"message": "A partnership cannot end before it was established.", "code": "partnership_ends_after_start"}
        ]
    }
    partnership.refresh_from_db()
    assert str(partnership.ended_on) == "2010-01-01"


def test_unknown_and_read_only_fields_are_refused(shipped_data, superuser):
    client = token_client(superuser)
    response = client.patch(
        "/api/v1/cities/almaty/", {"colour": "blue", "created_at": "2000-01-01T00:00:00Z", "region": "europe"}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    codes = {name: errors[0]["code"] for name, errors in response.json()["errors"].items()}
    assert codes == {"colour": "unknown_field", "created_at": "read_only", "region": "read_only"}


def test_an_unknown_field_comes_with_the_other_fields_errors(shipped_data, superuser):
    """helper-92: an unknown field in a write hid every other field's error until it was removed."""
    client = token_client(superuser)
    response = client.post(
        "/api/v1/cities/", {"colour": "blue", "name_en": "Probe", "latitude": "95", "country": "ZZ"}, format="json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    codes = {name: errors[0]["code"] for name, errors in response.json()["errors"].items()}
    assert codes["colour"] == "unknown_field"
    assert {"latitude", "country"} <= set(codes), codes
    response = client.patch("/api/v1/cities/almaty/", {"colour": "blue", "latitude": "95"}, format="json")
    codes = {name: errors[0]["code"] for name, errors in response.json()["errors"].items()}
    assert set(codes) == {"colour", "latitude"}, codes  # a partial update: no field is required


def test_deleting_a_city_others_refer_to_is_a_409(shipped_data, superuser):
    response = token_client(superuser).delete("/api/v1/cities/almaty/")
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["code"] == "in_use"
    assert City.objects.filter(slug="almaty").exists()


def test_history_records_the_token_user(shipped_data, editor):
    response = token_client(editor).patch("/api/v1/cities/almaty/", {"population": 2100000}, format="json")
    assert response.status_code == HTTPStatus.OK
    latest = City.history.filter(slug="almaty").latest("history_date")
    assert latest.history_user == editor
    assert latest.population == 2100000


def test_if_match_refuses_a_stale_update(shipped_data, editor):
    client = token_client(editor)
    etag = client.get("/api/v1/cities/almaty/")["ETag"]
    assert client.patch("/api/v1/cities/almaty/", {"notes": "a"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    response = client.patch("/api/v1/cities/almaty/", {"notes": "b"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == HTTPStatus.PRECONDITION_FAILED
    assert City.objects.get(slug="almaty").notes == "a"


def test_integrity_error_is_a_409_naming_the_field_without_database_text(shipped_data, superuser, monkeypatch):
    """A race past full_clean(): the database's unique constraint refuses the row. The answer
    names the field and the rule, and shows no constraint name, key value or SQL."""
    from django.db import transaction

    from registry import services

    def racing_save(**kwargs):
        with transaction.atomic():  # what a concurrent request saved first
            City.objects.create(slug="almaty", name_en="Almaty again", country="KZ")

    monkeypatch.setattr(services, "save_record", racing_save)
    response = token_client(superuser).post("/api/v1/cities/", {"name_en": "Race", "country": "KZ"}, format="json")
    assert response.status_code == HTTPStatus.CONFLICT
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "unique"
    assert body["errors"] == {"slug": [{"message": "Another city already has this slug.", "code": "unique"}]}
    text = response.content.decode()
    assert "registry_city" not in text and "Key (" not in text and "UNIQUE" not in text
    assert not Partnership.objects.filter(partner__slug="race").exists()
