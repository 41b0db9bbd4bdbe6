"""/api/v1/people/: exact JSON for an Almaty record and the list filters."""

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


def test_person_detail_is_exact(shipped_data, api_client):
    response = api_client.get("/api/v1/people/lee-seong-kwon/")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "slug": "lee-seong-kwon",
        "name_en": "Lee Seong-kwon",
        "name_ko": "이성권",
        "name_native": "",
        "remarks_en": "",
        "remarks_ko": "",
        "sources": [
            {
                "slug": "busan-almaty-2022-09-21",
                "title": "Busan signs a friendly cooperation city agreement with Almaty, Kazakhstan",
                "publisher": "Busan Metropolitan City (press release, English text)",
                "url": "",
                "published_on": "2022-09-21",
            },
            {
                "slug": "bfic-2022-11-01-almaty",
                "title": "Busan–Almaty friendly cooperation city agreement (BFIC news)",
                "publisher": "Busan Foundation for International Cooperation",
                "url": "http://bfic.kr/new/contents/d2.asp?num=17980&pageno=20&pmode=view",
                "published_on": "2022-11-01",
            },
        ],
        "created_at": "2022-09-21T00:00:00Z",
        "updated_at": "2022-09-21T00:00:00Z",
    }


def test_list_filter(shipped_data, api_client):
    assert api_client.get("/api/v1/people/?q=seong").json()["count"] == 2


def test_unknown_slug_is_a_json_404(shipped_data, api_client):
    response = api_client.get("/api/v1/people/no-such-record/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No person matches the given query.",
        "instance": "/api/v1/people/no-such-record/",
        "code": "not_found",
    }
