"""Ids in the admin's query strings and forms (issue 13): text, NUL or a number beyond bigint in
``?partner=``, ``_selected_action`` or ``restore`` is a form error, a message or a 404, never a
500 — on SQLite and on PostgreSQL (which refuses integers beyond 64 bits). The one check is
``registry.admin_ids.parse_id``."""

from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages

from registry.models import Partnership

from .factories import PartnershipFactory

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
