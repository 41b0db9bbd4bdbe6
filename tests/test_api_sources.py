"""/api/v1/sources/: exact JSON for an Almaty record and the list filters."""

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


def test_source_detail_is_exact(shipped_data, api_client):
    response = api_client.get("/api/v1/sources/bfic-2022-11-01-almaty/")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "slug": "bfic-2022-11-01-almaty",
        "title": "Busan–Almaty friendly cooperation city agreement (BFIC news)",
        "publisher": "Busan Foundation for International Cooperation",
        "url": "http://bfic.kr/new/contents/d2.asp?num=17980&pageno=20&pmode=view",
        "published_on": "2022-11-01",
        "language": "ko",
        "remarks_en": "",
        "remarks_ko": "",
        "created_at": "2022-09-21T00:00:00Z",
        "updated_at": "2022-09-21T00:00:00Z",
    }


def test_list_filter(shipped_data, api_client):
    assert api_client.get("/api/v1/sources/?language=KO").json()["count"] == 1


def test_unknown_slug_is_a_json_404(shipped_data, api_client):
    response = api_client.get("/api/v1/sources/no-such-record/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No source matches the given query.",
        "instance": "/api/v1/sources/no-such-record/",
        "code": "not_found",
    }


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("example.org/report", "https://example.org/report"), ("http://example.org/a", "http://example.org/a")],
)
def test_a_source_url_without_a_scheme_is_read_as_https_as_in_the_admin(db, editor, typed, stored):
    from registry.models import Source

    from .conftest import token_client

    client = token_client(editor)
    response = client.post("/api/v1/sources/", {"title": "Report", "url": typed}, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.json()
    assert response.json()["url"] == stored and Source.objects.get().url == stored
    refused = client.post("/api/v1/sources/", {"title": "Bad", "url": "not a url"}, format="json")
    assert refused.status_code == HTTPStatus.BAD_REQUEST and "url" in refused.json()["errors"]


def test_a_cited_source_holds_every_column_its_summary_shows():
    """The pages and the API prefetch a record's sources with only the columns a citation shows
    (``SourceQuerySet.cited``): the API's summary of a source reads none other, or each source
    would cost a query."""
    from registry.api.summaries import SourceSummarySerializer
    from registry.models.sources import SourceQuerySet

    assert set(SourceSummarySerializer.Meta.fields) <= set(SourceQuerySet.CITED_FIELDS)
