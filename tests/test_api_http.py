"""HTTP behaviour of the API: conditional GETs, throttling, CORS, CSV safety, JSON errors."""

import csv
import io
from http import HTTPStatus

import pytest

from registry.exports import cell
from registry.models import City, CityName, Partnership

from .conftest import token_client
from .factories import CityFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def test_lists_and_details_answer_conditional_requests_with_304(shipped_data, api_client, clock):
    clock.tick()
    for url in ("/api/v1/cities/?country=kz", "/api/v1/cities/almaty/", "/api/v1/network/?as_of=2022-09-21"):
        first = api_client.get(url)
        assert first["ETag"] and first["Last-Modified"]
        again = api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == HTTPStatus.NOT_MODIFIED
        assert again["ETag"] == first["ETag"]
        since = api_client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == HTTPStatus.NOT_MODIFIED


def test_a_change_to_a_nested_record_changes_the_etag(shipped_data, api_client):
    first = api_client.get("/api/v1/partnerships/?country=kz")
    city = City.objects.get(slug="almaty")
    city.name_ko = "알마티시"
    city.save()
    again = api_client.get("/api/v1/partnerships/?country=kz", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == HTTPStatus.OK
    assert again.json()["results"][0]["partner"]["name_ko"] == "알마티시"


def test_a_change_to_a_nested_record_changes_the_etag_of_a_record(db, api_client):
    partnership = PartnershipFactory()
    url = f"/api/v1/partnerships/{partnership.pk}/"
    first = api_client.get(url)
    partnership.partner.name_ko = "알마티시"
    partnership.partner.save()
    again = api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == HTTPStatus.OK
    assert again.json()["partner"]["name_ko"] == "알마티시"
    assert again["ETag"] != first["ETag"]


# How a client may read one city: query string and Accept header.
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
REPRESENTATIONS = {
    "json": ("", "application/json"),
    "json indented": ("", "application/json; indent=2"),
    "browsable ?format=json": ("?format=json", BROWSER),
    "browsable html": ("", BROWSER),
    "csv": ("?format=csv", "*/*"),
    "geojson": ("?format=geojson", "*/*"),
}


def test_a_record_etag_names_its_version_and_differs_between_representations(db, api_client, settings):
    settings.REGISTRY_HOME_CITY = "spare"  # the home city is public without any partnership
    city = CityFactory(slug="spare")
    etags, bodies = {}, {}
    for name, (query, accept) in REPRESENTATIONS.items():
        response = api_client.get(f"/api/v1/cities/spare/{query}", HTTP_ACCEPT=accept)
        assert response.status_code == HTTPStatus.OK, name
        etags[name], bodies[name] = response["ETag"], response.content
        assert response["ETag"].removeprefix("W/").startswith(f'"v{city.version}.'), response["ETag"]
        again = api_client.get(f"/api/v1/cities/spare/{query}", HTTP_ACCEPT=accept, HTTP_IF_NONE_MATCH=etags[name])
        assert again.status_code == HTTPStatus.NOT_MODIFIED, name
    # A strong tag is shared exactly by byte-identical bodies; the browsable HTML's tag is weak.
    strong = [name for name, etag in etags.items() if not etag.startswith("W/")]
    assert strong == [name for name in REPRESENTATIONS if name != "browsable html"]
    for a in strong:
        for b in strong:
            assert (etags[a] == etags[b]) == (bodies[a] == bodies[b]), (a, b)
    assert len(set(etags.values())) == len(REPRESENTATIONS) - 1  # ?format=json is the plain JSON


# The browsable HTML's tag is weak, and If-Match compares strongly (RFC 9110): it never matches.
STRONG_REPRESENTATIONS = [name for name in REPRESENTATIONS if name != "browsable html"]


@pytest.mark.parametrize("read_as", STRONG_REPRESENTATIONS)
def test_if_match_with_an_etag_read_in_any_representation_succeeds_on_an_unchanged_record(db, manager, read_as):
    CityFactory(slug="spare", name_en="Spare", country="KZ")
    client = token_client(manager)
    query, accept = REPRESENTATIONS[read_as]
    url = "/api/v1/cities/spare/"
    body = {"name_en": "Spare", "country": "KZ", "notes": "checked"}
    for method, status in (("put", HTTPStatus.OK), ("patch", HTTPStatus.OK), ("delete", HTTPStatus.NO_CONTENT)):
        etag = client.get(f"{url}{query}", HTTP_ACCEPT=accept)["ETag"]
        response = getattr(client, method)(url, body, format="json", HTTP_IF_MATCH=etag)
        assert response.status_code == status, (method, response.content)
    assert not City.objects.filter(slug="spare").exists()


@pytest.mark.parametrize("read_as", STRONG_REPRESENTATIONS)
def test_if_match_with_an_etag_read_in_any_representation_fails_after_a_change(db, editor, manager, read_as):
    CityFactory(slug="spare", name_en="Spare", country="KZ")
    client = token_client(manager)
    query, accept = REPRESENTATIONS[read_as]
    url = "/api/v1/cities/spare/"
    etag = client.get(f"{url}{query}", HTTP_ACCEPT=accept)["ETag"]
    changed = token_client(editor).patch(url, {"notes": "Editor's note"}, format="json")
    assert changed.status_code == HTTPStatus.OK
    body = {"name_en": "Spare", "country": "KZ", "notes": "mine"}
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(url, body, format="json", HTTP_IF_MATCH=etag)
        assert response.status_code == HTTPStatus.PRECONDITION_FAILED, method
        assert response.json()["code"] == "precondition_failed"
        detail = response.json()["detail"]  # who changed what, as the admin says it, and what to do
        assert "changed by editor" in detail and "(empty) → “Editor's note”" in detail, detail
        assert "Read the record again (GET)" in detail and "Reload the page" not in detail, detail
    assert City.objects.get(slug="spare").notes == "Editor's note"


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        ("*", HTTPStatus.OK),
        ('"v1.g1.json", "v99.g1.json"', HTTPStatus.OK),  # one current version among several
        ('"0123456789abcdef"', HTTPStatus.PRECONDITION_FAILED),  # a content hash, not a record tag
        ('"v1.g1.json', HTTPStatus.PRECONDITION_FAILED),  # malformed
        ("v1", HTTPStatus.PRECONDITION_FAILED),
        ('"v2.g1.json"', HTTPStatus.PRECONDITION_FAILED),  # another version
        ('"v2.g1.json", *', HTTPStatus.PRECONDITION_FAILED),  # "*" only alone (helper-85)
        ("*, *", HTTPStatus.PRECONDITION_FAILED),
        ("*,", HTTPStatus.OK),  # RFC 9110, 5.6.1: empty list elements do not count
        ('"v1.g1.d20261203.r0123abcd.json"', HTTPStatus.OK),  # a tag of any release
    ],
)
def test_if_match_star_matches_and_a_foreign_or_malformed_tag_is_412(db, editor, if_match, status):
    city = CityFactory(slug="spare")
    assert city.version == 1
    response = token_client(editor).patch(
        "/api/v1/cities/spare/", {"notes": "x"}, format="json", HTTP_IF_MATCH=if_match
    )
    assert response.status_code == status, response.content
    assert City.objects.get(slug="spare").notes == ("x" if status == HTTPStatus.OK else "")


def test_if_match_is_checked_before_the_input(db, editor):
    CityFactory(slug="spare")
    response = token_client(editor).patch(
        "/api/v1/cities/spare/", {"latitude": 200}, format="json", HTTP_IF_MATCH='"v2.g1.json"'
    )
    assert response.status_code == HTTPStatus.PRECONDITION_FAILED


def test_anonymous_reads_are_throttled_with_retry_after(db, api_client, settings):
    settings.REGISTRY_API_ANON_RATE = "3/minute"
    statuses = [api_client.get("/api/v1/cooperation-fields/").status_code for _ in range(4)]
    assert statuses == [HTTPStatus.OK] * 3 + [HTTPStatus.TOO_MANY_REQUESTS]
    response = api_client.get("/api/v1/cooperation-fields/")
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"


def test_cors_allows_reads_from_any_origin_but_not_writes(db, api_client):
    response = api_client.get("/api/v1/cities/", HTTP_ORIGIN="https://portal.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = api_client.options(
        "/api/v1/cities/", HTTP_ORIGIN="https://portal.example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert "GET" in preflight["Access-Control-Allow-Methods"]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(db, api_client, settings):
    settings.REGISTRY_HOME_CITY = "formula"  # public without a partnership
    city = CityFactory(slug="formula", name_en="=HYPERLINK(1)", name_ko="+1", name_native="@SUM(A1)", longitude=-70)
    CityName.objects.create(city=city, name="-2")
    response = api_client.get("/api/v1/cities/?format=csv")
    [row] = csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig")))
    assert (row["name_en"], row["name_ko"], row["name_native"], row["former_names"]) == (
        "'=HYPERLINK(1)",
        "'+1",
        "'@SUM(A1)",
        "'-2",
    )
    assert row["longitude"] == "-70.0"  # numbers stay numbers
    assert cell("plain") == "plain"


def test_export_errors_are_json(db, api_client):
    response = api_client.get("/api/v1/cities/?format=csv&country=xx")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == ["country"]


def signed_in(user, how: str):
    """An API client of ``user`` that checks CSRF as a browser's or a program's request is
    checked (Django's test clients skip the check by default): by session or by token."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    if how == "session":
        client.force_login(user)
    else:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize("how", ["session", "token"])
@pytest.mark.parametrize(
    ("method", "path", "slashed"),
    [
        ("post", "/api/v1/partnerships", "/api/v1/partnerships/"),
        ("put", "/api/v1/cities/lima", "/api/v1/cities/lima/"),
        ("patch", "/api/v1/cities/lima?format=json", "/api/v1/cities/lima/?format=json"),
        ("delete", "/api/v1/cities/lima", "/api/v1/cities/lima/"),
        ("get", "/api/v1/cities?country=pe", "/api/v1/cities/?country=pe"),
        ("post", "/api/v1", "/api/v1/"),
        ("delete", "/api/v1/schema", "/api/v1/schema/"),
    ],
)
def test_an_api_url_without_its_trailing_slash_is_a_problem_naming_the_url(db, manager, how, method, path, slashed):
    city = CityFactory(slug="lima", name_en="Lima", country="PE")
    client = signed_in(manager, how)
    body = {} if method == "get" else {"data": {"name_en": "Changed"}, "format": "json"}
    response = getattr(client, method)(path, **body)
    assert response.status_code == HTTPStatus.NOT_FOUND  # never a redirect, nor the HTML CSRF page
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["instance"]) == ("no_trailing_slash", path.split("?")[0])
    assert body["detail"] == f"API URLs end with a slash: {slashed}"
    city.refresh_from_db()
    assert city.name_en == "Lima" and not Partnership.objects.exists()  # nothing written
    korean = getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE="ko")
    assert korean.json()["detail"] == f"API URL은 슬래시로 끝납니다: {slashed}"


@pytest.mark.parametrize("how", ["session", "token"])
def test_a_write_to_an_unknown_api_url_is_a_problem_not_the_csrf_page(db, manager, how):
    client = signed_in(manager, how)
    response = client.post("/api/v1/nowhere/", {}, format="json")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
    # The endpoint itself still checks CSRF for a session (a browser's), never for a token.
    response = client.post("/api/v1/cities/", {"name_en": "Quito", "country": "EC"}, format="json")
    if how == "session":
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert "CSRF" in response.json()["detail"]
    else:
        assert response.status_code == HTTPStatus.CREATED, response.json()


def test_root_lists_every_endpoint(db, api_client):
    body = api_client.get("/api/v1/").json()
    assert list(body) == [
        "cities",
        "partnerships",
        "agreements",
        "events",
        "delegations",
        "organizations",
        "people",
        "sources",
        "cooperation-fields",
        "network",
        "schema",
        "docs",
    ]
    assert body["schema"] == "http://testserver/api/v1/schema/" and body["docs"] == "http://testserver/api/v1/docs/"
    assert api_client.get(body["schema"]).status_code == api_client.get(body["docs"]).status_code == 200
    linked = api_client.get("/api/v1/?format=json").json()  # a root read with ?format=json
    assert api_client.get(linked["docs"]).status_code == 200, linked["docs"]


def test_docs_are_served_without_a_cdn(db, client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn." not in html and "unpkg" not in html


def test_a_write_answers_with_the_etag_of_the_record_it_saved(db, editor):
    client = token_client(editor)
    created = client.post("/api/v1/cities/", {"name_en": "Shymkent", "country": "KZ"}, format="json")
    assert created.status_code == HTTPStatus.CREATED
    assert created["Location"] == "http://testserver/api/v1/cities/shymkent/"
    read = client.get(created["Location"])
    assert read["ETag"] == created["ETag"]
    changed = client.patch(created["Location"], {"name_ko": "쉼켄트"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert changed.status_code == HTTPStatus.OK and changed["ETag"] != created["ETag"]
    again = client.patch(created["Location"], {"notes": "x"}, format="json", HTTP_IF_MATCH=changed["ETag"])
    assert again.status_code == HTTPStatus.OK  # the write's ETag names the current version
    assert client.get(created["Location"])["ETag"] == again["ETag"]


def test_a_record_s_etag_and_last_modified_move_at_midnight(db, editor, monkeypatch, clock):
    """What is in force and the default date change at midnight without a change to the data."""
    import datetime

    from django.utils import timezone

    CityFactory(slug="spare", name_en="Spare", country="KZ")
    client = token_client(editor)
    clock.tick()
    today = client.get("/api/v1/cities/spare/")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    later = client.get("/api/v1/cities/spare/", HTTP_IF_NONE_MATCH=today["ETag"])
    assert later.status_code == HTTPStatus.OK and later["ETag"] != today["ETag"]
    assert client.get("/api/v1/cities/spare/", HTTP_IF_MODIFIED_SINCE=today["Last-Modified"]).status_code == 200
    written = client.patch("/api/v1/cities/spare/", {"notes": "x"}, format="json", HTTP_IF_MATCH=today["ETag"])
    assert written.status_code == HTTPStatus.OK  # yesterday's tag still names the version


@pytest.mark.parametrize("body", [{}, {"notes": "kept"}, {"name_en": "Spare", "notes": "kept"}])
def test_a_write_that_changes_nothing_is_no_new_version(db, editor, manager, body):
    """Found by a new user: ``PATCH {}`` moved the ETag (v2 → v3) and added an empty "Changed" to the
    history, so a client holding the previous ETag got a 412 listing no change."""
    CityFactory(slug="spare", name_en="Spare", country="KZ", notes="kept")
    url = "/api/v1/cities/spare/"
    managing, editing = token_client(manager), token_client(editor)
    before = managing.get(url)["ETag"]
    response = editing.patch(url, body, format="json", HTTP_IF_MATCH=before)
    assert response.status_code == HTTPStatus.OK and response["ETag"] == before
    city = City.objects.get(slug="spare")
    assert (city.version, city.history.count()) == (1, 1)
    after = managing.patch(url, {"notes": "changed"}, format="json", HTTP_IF_MATCH=before)
    assert after.status_code == HTTPStatus.OK and after["ETag"] != before
    assert City.objects.get(slug="spare").history.count() == 2


def test_a_records_etag_changes_with_the_release_and_if_match_still_takes_the_old_one(db, editor, settings):
    """A deploy may change a record's body though no data changed: its ETag follows the release
    (helper-85: a conditional GET got a 304 for the old release's body), while ``If-Match`` reads
    only the version, so a tag read before the deploy still names it."""
    CityFactory(slug="spare")
    client = token_client(editor)
    settings.REGISTRY_RELEASE = "release-a"
    before = client.get("/api/v1/cities/spare/")["ETag"]
    assert client.get("/api/v1/cities/spare/", HTTP_IF_NONE_MATCH=before).status_code == HTTPStatus.NOT_MODIFIED
    settings.REGISTRY_RELEASE = "release-b"
    after = client.get("/api/v1/cities/spare/", HTTP_IF_NONE_MATCH=before)
    assert after.status_code == HTTPStatus.OK and after["ETag"] != before
    response = client.patch("/api/v1/cities/spare/", {"notes": "x"}, format="json", HTTP_IF_MATCH=before)
    assert response.status_code == HTTPStatus.OK, response.content


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/api/", "/api/v1/"),
        ("/api/schema/?format=json", "/api/v1/schema/?format=json"),
        ("/api/docs/", "/api/v1/docs/"),
    ],
)
def test_the_unversioned_api_addresses_lead_to_the_current_version(client, path, target):
    """helper-99: ``/api/`` and ``/api/schema/``, where a client looks first, were a 404."""
    response = client.get(path)
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == target
    assert client.get(target).status_code == HTTPStatus.OK
