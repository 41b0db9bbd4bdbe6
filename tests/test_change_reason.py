"""The change reason of an API write: the body's write-only ``change_reason`` or the
``X-Change-Reason`` header, kept in the history; both given must agree."""

from http import HTTPStatus

import pytest

from registry.models import Partnership, Source

from .conftest import token_client
from .factories import PartnershipFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(superuser):
    return token_client(superuser)


def test_patch_keeps_the_body_reason_in_the_history_and_never_answers_it(api):
    source = SourceFactory(slug="minutes")
    response = api.patch(
        f"/api/v1/sources/{source.slug}/", {"title": "Council minutes", "change_reason": " Typo "}, format="json"
    )
    assert response.status_code == HTTPStatus.OK, response.content
    assert "change_reason" not in response.json()
    assert source.history.first().history_change_reason == "Typo"
    assert Source.objects.get(slug="minutes").title == "Council minutes"


def test_post_keeps_the_body_reason_in_the_history(api, home):
    response = api.post(
        "/api/v1/partnerships/",
        {
            "city": home.slug,
            "partner": PartnershipFactory().partner.slug,
            "kind": "sister",
            "established_on": "2001-05",
            "fields": [],
            "sources": [],
            "change_reason": "From the 2001 council report",
        },
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED, response.content
    created = Partnership.objects.get(pk=response.json()["id"])
    assert created.history.get().history_change_reason == "From the 2001 council report"


def test_the_body_reason_allows_a_correction_as_the_header_does(api):
    partnership = PartnershipFactory(kind="friendship")
    url = f"/api/v1/partnerships/{partnership.pk}/"
    assert api.patch(url, {"kind": "sister"}, format="json").status_code == HTTPStatus.BAD_REQUEST
    response = api.patch(url, {"kind": "sister", "change_reason": "Busan's list was misread"}, format="json")
    assert response.status_code == HTTPStatus.OK, response.content
    assert partnership.history.first().history_change_reason == "Busan's list was misread"


def test_header_and_body_may_both_be_given_only_if_equal(api):
    source = SourceFactory(slug="minutes", title="Minutes")
    url = f"/api/v1/sources/{source.slug}/"
    same = api.patch(url, {"title": "A", "change_reason": "Same"}, format="json", HTTP_X_CHANGE_REASON="Same")
    assert same.status_code == HTTPStatus.OK
    before = source.history.count()
    differ = api.patch(url, {"title": "B", "change_reason": "One"}, format="json", HTTP_X_CHANGE_REASON="Other")
    assert differ.status_code == HTTPStatus.BAD_REQUEST
    assert differ.json()["errors"]["change_reason"][0]["code"] == "change_reason_differs"
    assert (Source.objects.get(slug="minutes").title, source.history.count()) == ("A", before)


@pytest.mark.parametrize("where", ["body", "header"])
def test_a_reason_longer_than_the_limit_is_refused_naming_the_field(api, where):
    source = SourceFactory(slug="minutes", title="Minutes")
    reason = "x" * 2001
    body, headers = {"title": "B"}, {}
    if where == "body":
        body["change_reason"] = reason
    else:
        headers["HTTP_X_CHANGE_REASON"] = reason
    response = api.patch(f"/api/v1/sources/{source.slug}/", body, format="json", **headers)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["change_reason"][0]["code"] == "max_length"
    assert Source.objects.get(slug="minutes").title == "Minutes"


def test_openapi_documents_the_write_only_reason(api_client):
    schemas = api_client.get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    field = schemas["PatchedPartnershipRequest"]["properties"]["change_reason"]
    assert (field["type"], field["maxLength"], field["writeOnly"]) == ("string", 2000, True)
    assert "change_reason" not in schemas["Partnership"]["properties"]
