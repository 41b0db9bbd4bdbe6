"""Whole answers cached for anonymous readers (pages and API lists), keyed by URL, language,
representation and the data generation: a change shows on the very next request."""

from http import HTTPStatus

import pytest
from django.test import Client

from registry import services
from registry.models import City, Publication

from .factories import PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def almaty(db):
    return PartnershipFactory(partner__slug="almaty", partner__name_en="Almaty", partner__country="KZ").partner


def test_a_cached_page_costs_no_query_and_changes_on_the_next_request_after_an_edit(
    client, almaty, django_assert_num_queries
):
    assert "Almaty" in client.get("/cities/almaty/").text
    with django_assert_num_queries(0):
        assert "Almaty" in client.get("/cities/almaty/").text  # from the cache
    services.save_record(instance=City.objects.get(slug="almaty"), data={"name_en": "Almaty City"})
    assert "Almaty City" in client.get("/cities/almaty/").text
    assert "Almaty City" in client.get("/cities/").text


def test_a_cached_api_list_changes_on_the_next_request_after_an_edit(api_client, almaty, django_assert_num_queries):
    first = api_client.get("/api/v1/cities/?country=kz")
    with django_assert_num_queries(0):
        again = api_client.get("/api/v1/cities/?country=kz")
    assert again.content == first.content and again["ETag"] == first["ETag"]
    services.save_record(instance=City.objects.get(slug="almaty"), data={"name_en": "Almaty City"})
    changed = api_client.get("/api/v1/cities/?country=kz")
    assert [city["name_en"] for city in changed.json()["results"]] == ["Almaty City"]
    assert changed["ETag"] != first["ETag"]


def test_cached_answers_are_kept_apart_by_language_and_representation(client, api_client, almaty):
    english, korean = client.get("/cities/"), client.get("/ko/cities/")
    assert english.text != korean.text and client.get("/ko/cities/").text == korean.text
    json_answer = api_client.get("/api/v1/cities/", HTTP_ACCEPT="application/json")
    indented = api_client.get("/api/v1/cities/", HTTP_ACCEPT="application/json; indent=2")
    assert json_answer.content != indented.content
    assert api_client.get("/api/v1/cities/", HTTP_ACCEPT="application/json").content == json_answer.content


def test_staff_are_never_served_an_anonymous_answer(staff_client, almaty):
    anonymous = Client()
    PartnershipFactory(partner__slug="draftville", partner__name_en="Draftville", publication=Publication.DRAFT)
    assert "Draftville" not in anonymous.get("/cities/").text
    assert "Draftville" in staff_client.get("/cities/").text  # the same URL, not the cached answer
    assert "Draftville" not in anonymous.get("/cities/").text
    assert anonymous.get("/cities/draftville/").status_code == HTTPStatus.NOT_FOUND
