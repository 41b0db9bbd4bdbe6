"""HTTP behaviour of the API: conditional GETs, throttling, CORS, CSV safety, JSON errors."""

import csv
import io
from http import HTTPStatus

import pytest

from registry.exports import cell
from registry.models import City, CityName

from .factories import CityFactory

pytestmark = pytest.mark.django_db


def test_lists_and_details_answer_conditional_requests_with_304(shipped_data, api_client):
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
    [row] = csv.DictReader(io.StringIO(response.content.decode()))
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
    assert response["Content-Type"] == "application/json"
    assert list(response.json()["errors"]) == ["country"]


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
    ]


def test_docs_are_served_without_a_cdn(db, client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn." not in html and "unpkg" not in html
