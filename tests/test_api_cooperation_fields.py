"""/api/v1/cooperation-fields/: the fields of the Busan–Almaty agreement."""

import pytest

pytestmark = pytest.mark.django_db


def test_search_finds_film_exactly(shipped_data, api_client):
    assert api_client.get("/api/v1/cooperation-fields/?q=film").json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "slug": "film",
                "name_en": "film",
                "name_ko": "영화",
                "created_at": "2022-09-21T00:00:00Z",
                "updated_at": "2022-09-21T00:00:00Z",
            }
        ],
    }


def test_fields_are_ordered_by_english_name(shipped_data, api_client):
    names = [row["name_en"] for row in api_client.get("/api/v1/cooperation-fields/?page_size=200").json()["results"]]
    assert names == sorted(names)
