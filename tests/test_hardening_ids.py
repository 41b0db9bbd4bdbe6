"""Ids in the admin's query strings and forms (issue 13): text, NUL or a number beyond bigint in
``?partner=``, ``_selected_action`` or ``restore`` is a form error, a message or a 404, never a
500 — on SQLite and on PostgreSQL (which refuses integers beyond 64 bits). The one check is
``registry.admin_ids.parse_id``."""

from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages

from registry.models import Partnership

from .conftest import token_client
from .factories import CityFactory, EventFactory, PartnershipFactory, SourceFactory

pytestmark = pytest.mark.django_db

BAD_IDS = ["X", "99999999999999999999", "-99999999999999999999", "1.5", "1\x00"]


@pytest.mark.parametrize("value", BAD_IDS)
def test_an_autocomplete_field_given_no_id_in_the_query_string_shows_the_form(staff_client, home, value):
    for url in ("/admin/registry/partnership/record-new/", "/admin/registry/partnership/add/"):
        response = staff_client.get(url, {"partner": value, "city": value})
        # NUL in a parameter is refused by the middleware before any view (test_hardening).
        expected = HTTPStatus.BAD_REQUEST if "\x00" in value else HTTPStatus.OK
        assert response.status_code == expected, (url, response.status_code)


@pytest.mark.parametrize("value", BAD_IDS)
def test_guided_entry_posted_with_no_id_for_the_partner_is_a_form_error(staff_client, home, value):
    response = staff_client.post("/admin/registry/partnership/record-new/", {"partner": value})
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["partner"]


@pytest.mark.parametrize("value", BAD_IDS)
def test_a_change_form_posted_with_no_id_in_a_foreign_key_or_many_to_many_is_a_form_error(staff_client, value):
    partnership = PartnershipFactory()
    data = {"city": value, "partner": value, "fields": [value], "sources": [value], "kind": "sister"}
    response = staff_client.post(f"/admin/registry/partnership/{partnership.pk}/change/", data)
    assert response.status_code == HTTPStatus.OK
    errors = response.context["adminform"].form.errors
    assert {"city", "partner", "fields", "sources"} <= set(errors), errors


@pytest.mark.parametrize("value", BAD_IDS)
def test_a_changelist_action_on_no_id_changes_nothing_and_says_so(staff_client, value):
    partnership = PartnershipFactory()
    data = {"action": "suspend_partnerships", "_selected_action": [str(partnership.pk), value], "index": 0}
    data |= {"apply": "1", "on": "2020-01-01", "precision": "day", "reason": "Dispute"}
    response = staff_client.post("/admin/registry/partnership/", data)
    assert response.status_code == HTTPStatus.FOUND
    assert any("Not an id of a row" in str(message) for message in get_messages(response.wsgi_request))
    assert Partnership.objects.get(pk=partnership.pk).status == "active"


@pytest.mark.parametrize("value", BAD_IDS)
def test_restoring_no_id_is_a_message(staff_client, value):
    response = staff_client.post("/admin/registry/partnership/deleted/", {"restore": value})
    assert response.status_code == HTTPStatus.OK
    assert any("Not restored" in str(message) for message in get_messages(response.wsgi_request))


# The API's references (registry.api.fields.StrictSlugRelatedField): an id is a whole number, a
# slug a string and a list a list; DRF read true, 1.9, " 1 " and "١" as the id 1, 5 as the
# slug "5" and {} as an empty list (which cleared the sources). Found by the adversarial probe.


@pytest.fixture
def event_with_a_partnership(db):
    partnership = PartnershipFactory()
    event = EventFactory(partnership=partnership, city=partnership.partner)
    event.sources.add(SourceFactory(slug="report"))
    return event


def _patched(superuser, event, body):
    return token_client(superuser).patch(f"/api/v1/events/{event.slug}/", body, format="json")


@pytest.mark.parametrize("value", [True, 1.9, " 1 ", "١", "1.0", "0", -1, "x", [1], {"id": 1}])
def test_a_partnership_id_that_is_no_whole_number_is_refused(superuser, event_with_a_partnership, value):
    stored = event_with_a_partnership.partnership_id
    response = _patched(superuser, event_with_a_partnership, {"partnership": value})
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.json()
    assert [error["code"] for error in response.json()["errors"]["partnership"]] == ["invalid"]
    event_with_a_partnership.refresh_from_db()
    assert event_with_a_partnership.partnership_id == stored


@pytest.mark.parametrize("value", [2**63, "99999999999999999999", "9" * 4301])  # Python reads 4,300 digits
def test_a_partnership_id_beyond_the_largest_does_not_exist(superuser, event_with_a_partnership, value):
    response = _patched(superuser, event_with_a_partnership, {"partnership": value})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert [error["code"] for error in response.json()["errors"]["partnership"]] == ["does_not_exist"]


def test_a_partnership_id_as_digits_or_a_number_is_read(superuser, event_with_a_partnership):
    partnership, client = event_with_a_partnership.partnership, token_client(superuser)
    for value in (partnership.pk, str(partnership.pk)):
        response = client.patch(
            f"/api/v1/events/{event_with_a_partnership.slug}/", {"partnership": value}, format="json"
        )
        assert response.status_code == HTTPStatus.OK, response.json()
        assert response.json()["partnership"]["id"] == partnership.pk


@pytest.mark.parametrize("value", [5, True, ["busan"]])
def test_a_slug_that_is_no_string_is_refused(superuser, event_with_a_partnership, value):
    CityFactory(slug="5")
    response = _patched(superuser, event_with_a_partnership, {"city": value})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert [error["code"] for error in response.json()["errors"]["city"]] == ["invalid"]


@pytest.mark.parametrize("value", [{}, {"report": 1}, "report"])
def test_a_list_of_references_that_is_no_list_is_refused_and_clears_nothing(superuser, event_with_a_partnership, value):
    response = _patched(superuser, event_with_a_partnership, {"sources": value})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert [error["code"] for error in response.json()["errors"]["sources"]] == ["not_a_list"]
    assert list(event_with_a_partnership.sources.values_list("slug", flat=True)) == ["report"]


def test_a_refused_reference_is_explained_in_the_readers_language(superuser, event_with_a_partnership):
    response = token_client(superuser).patch(
        f"/api/v1/events/{event_with_a_partnership.slug}/", {"city": 5}, format="json", HTTP_ACCEPT_LANGUAGE="ko"
    )
    assert response.json()["errors"]["city"] == [
        {"message": "올바른 참조가 아닙니다. 기록의 슬러그를 문자열로 입력하세요.", "code": "invalid"}
    ]


def test_an_unknown_slug_names_the_kind_of_record_not_found(superuser, home):
    """DRF answered "Object with slug=no-such-city does not exist.": the reference names the
    model it looked for (its verbose name), in the reader's language."""
    client = token_client(superuser)
    body = {"city": "home", "partner": "no-such-city", "kind": "sister", "established_on": "2020"}
    response = client.post("/api/v1/partnerships/", body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["partner"] == [
        {"message": "No city has the slug “no-such-city”.", "code": "does_not_exist"}
    ]
    response = client.post("/api/v1/partnerships/", body, format="json", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.json()["errors"]["partner"] == [
        {"message": "슬러그 값 “no-such-city”에 해당하는 도시 기록이 없습니다.", "code": "does_not_exist"}
    ]
    assert not Partnership.objects.exists()


def test_an_unknown_reference_in_a_list_or_by_id_names_the_kind_of_record(superuser, event_with_a_partnership):
    client, path = token_client(superuser), f"/api/v1/events/{event_with_a_partnership.slug}/"
    response = client.patch(path, {"sources": ["report", "no-such-report"]}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["sources"] == [
        {"message": "No source has the slug “no-such-report”.", "code": "does_not_exist"}
    ]
    response = client.patch(path, {"delegation": "no-such-visit"}, format="json")
    assert response.json()["errors"]["delegation"] == [
        {"message": "No delegation has the slug “no-such-visit”.", "code": "does_not_exist"}
    ]
    missing = Partnership.objects.order_by("pk").last().pk + 1
    response = client.patch(path, {"partnership": missing}, format="json")
    assert response.json()["errors"]["partnership"] == [
        {"message": f"No partnership has the ID “{missing}”.", "code": "does_not_exist"}
    ]
    response = client.patch(path, {"partnership": missing}, format="json", HTTP_ACCEPT_LANGUAGE="ko")
    message = response.json()["errors"]["partnership"][0]["message"]
    assert message == f"ID 값 “{missing}”에 해당하는 교류 관계 기록이 없습니다."


def test_a_deleted_record_whose_rows_were_deleted_since_is_listed_and_refused_by_name(staff_client):
    """The deleted partnerships' page read each one's name through its cities: one whose partner
    city was deleted since made the page a 500. Restoring one whose cited source was deleted
    since was a foreign key error at the commit (a 500); it is refused naming the field and row,
    in the page's language. Found by the adversarial probe."""
    from registry import services
    from registry.models import City, Source

    cited = SourceFactory(slug="gone-source", title="Gone press release")
    kept = PartnershipFactory()
    kept.sources.add(cited)
    orphan = PartnershipFactory()
    kept_pk, orphan_pk, partner, source_pk = kept.pk, orphan.pk, orphan.partner, cited.pk
    services.delete_record(instance=kept)
    services.delete_record(instance=orphan)
    services.delete_record(instance=partner)
    services.delete_record(instance=Source.objects.get(pk=source_pk))
    page = staff_client.get("/admin/registry/partnership/deleted/")
    assert page.status_code == HTTPStatus.OK
    assert f"Partnership {orphan_pk}" in page.content.decode()
    response = staff_client.post("/admin/registry/partnership/deleted/", {"restore": kept_pk})
    assert response.status_code == HTTPStatus.OK
    (message,) = [str(message) for message in get_messages(response.wsgi_request)]
    assert message == "Not restored: Sources: Source “Gone press release” deleted since: restore it first."
    assert not Partnership.objects.filter(pk=kept_pk).exists()
    response = staff_client.post(
        "/admin/registry/partnership/deleted/", {"restore": kept_pk}, HTTP_ACCEPT_LANGUAGE="ko"
    )
    (message,) = [str(message) for message in get_messages(response.wsgi_request)]
    assert "먼저 복원하세요" in message, message
    assert not City.objects.filter(pk=partner.pk).exists()
