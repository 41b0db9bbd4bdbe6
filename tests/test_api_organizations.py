"""/api/v1/organizations/: exact JSON for an Almaty record and the list filters."""

from http import HTTPStatus

import pytest

from .api_expected import ALMATY

pytestmark = pytest.mark.django_db


def test_organization_detail_is_exact(shipped_data, api_client):
    response = api_client.get("/api/v1/organizations/akimat-of-almaty/")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "slug": "akimat-of-almaty",
        "name_en": "Akimat of Almaty",
        "name_ko": "알마티시 아키마트",
        "name_native": "Алматы қаласының әкімдігі",
        "kind": "government",
        "city": ALMATY,
        "country": "KZ",
        "website": "",
        "remarks_en": "",
        "remarks_ko": "",
        "sources": [
            {
                "slug": "busan-almaty-2022-09-21",
                "title": "Busan signs a friendly cooperation city agreement with Almaty, Kazakhstan",
                "publisher": "Busan Metropolitan City (press release, English text)",
                "url": "",
                "published_on": "2022-09-21",
            }
        ],
        "created_at": "2022-09-21T00:00:00Z",
        "updated_at": "2022-09-21T00:00:00Z",
    }


def test_list_filter(shipped_data, api_client):
    assert api_client.get("/api/v1/organizations/?country=kz").json()["count"] == 2


def test_unknown_slug_is_a_json_404(shipped_data, api_client):
    response = api_client.get("/api/v1/organizations/no-such-record/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No organization matches the given query.",
        "instance": "/api/v1/organizations/no-such-record/",
        "code": "not_found",
    }
