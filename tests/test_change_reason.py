"""The change reason of an API write: the body's write-only ``change_reason`` or the
``X-Change-Reason`` header, kept in the history; both given must agree. The reasons the registry
writes itself (registry.change_reasons): stored in the language of record whoever acts, shown in
the reader's; an import names its file."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import translation

from registry import services
from registry.models import City, Partnership, Source
from registry.resources import CityResource

from .conftest import token_client
from .factories import PartnershipFactory, SourceFactory
from .test_import_export import _manager, _previewed, city_rows

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


def reasons(page: str) -> list[str]:
    """The "Reason" cells of an admin history page, newest first."""
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    cells = [re.findall(r"<td>(.*?)</td>", row, re.S) for row in rows]
    return [" ".join(found[-2].split()) for found in cells if len(found) >= 2]


def test_an_action_by_a_korean_manager_is_stored_in_the_language_of_record_and_read_in_each(client):
    """helper-92: a Korean manager's upgrade was stored as "격상: …" and read so on the English
    history page. It is stored in English and shown in the reader's language, its reason as typed."""
    partnership = PartnershipFactory(kind=Partnership.Kind.FRIENDSHIP, established_on=datetime.date(2000, 1, 1))
    with translation.override("ko"):
        services.suspend_partnership(partnership=partnership, on=datetime.date(2020, 1, 1), reason="교류 중단")
    stored = partnership.history.order_by("-history_date", "-history_id").first().history_change_reason
    assert stored == "Suspended: 교류 중단"
    client.force_login(_manager())
    url = reverse("admin:registry_partnership_history", args=[partnership.pk])
    assert "Suspended: 교류 중단" in reasons(client.get(url, headers={"accept-language": "en"}).text)
    with translation.override("ko"):
        korean = translation.gettext("Suspended: %(reason)s") % {"reason": "교류 중단"}
    assert korean != stored and korean in reasons(client.get(url, headers={"accept-language": "ko"}).text)


def test_a_reason_stored_in_korean_before_is_read_in_english_and_a_typed_one_as_typed(client):
    partnership = PartnershipFactory()
    with translation.override("ko"):
        korean = translation.gettext("Upgraded: %(reason)s") % {"reason": "MOU 체결"}
    assert korean != "Upgraded: MOU 체결"
    for reason in (korean, "Typo: Upgraded: fixed"):
        partnership._change_reason = reason
        partnership.notes = reason
        partnership.save()
    client.force_login(_manager())
    url = reverse("admin:registry_partnership_history", args=[partnership.pk])
    shown = reasons(client.get(url, headers={"accept-language": "en"}).text)
    assert shown[:2] == ["Typo: Upgraded: fixed", "Upgraded: MOU 체결"]


def test_each_record_an_import_writes_names_its_file_in_its_history(client):
    """helper-92: an import's history records carried no reason, so nothing told an import's
    change from a hand edit. The admin's confirmation and a direct import name the file."""
    client.force_login(_manager())
    confirmed = _previewed(client, city_rows(3))
    client.post(reverse("admin:registry_city_process_import"), confirmed, follow=True)
    added = City.objects.get(slug="import-0").history.get()
    assert added.history_change_reason == "Imported from the file “cities.csv”"
    changed = city_rows(3)
    changed[0] = (changed[0][0], "Renamed 0", *changed[0][2:])
    CityResource().import_data(changed, dry_run=False, raise_errors=True, file_name="도시.xlsx")
    latest = City.objects.get(slug="import-0").history.order_by("-history_date", "-history_id").first()
    assert (latest.history_type, latest.history_change_reason) == ("~", "Imported from the file “도시.xlsx”")
    with translation.override("ko"):
        page = client.get(
            reverse("admin:registry_city_history", args=[latest.id]), headers={"accept-language": "ko"}
        ).text
    assert "도시.xlsx" in " ".join(reasons(page)) and "Imported from" not in page


def test_a_typed_reason_that_only_begins_as_a_template_is_shown_as_typed():
    """helper-95: "Reverted to version 2 of yesterday. Also fixed typos." read in Korean as
    "yesterday. Also fixed typos의 버전 2(으)로 되돌림." A template's version is a number and its
    date a time as the registry writes it; anything else is a reason someone typed."""
    from django.utils import timezone

    from registry import change_reasons
    from registry.dates import time_label

    typed = "Reverted to version 2 of yesterday. Also fixed typos."
    revert = change_reasons.written(change_reasons.REVERTED, version=2, date=lambda: time_label(timezone.now()))
    with translation.override("ko"):
        assert change_reasons.shown(typed) == typed
        assert change_reasons.shown(revert) != revert and "2" in change_reasons.shown(revert)
        typed = "Imported from the file “a.csv” and fixed “b”"
        imported = change_reasons.written(change_reasons.IMPORTED, file="a.csv")
        assert change_reasons.shown(typed) == typed
        assert change_reasons.shown(imported) != imported and "a.csv" in change_reasons.shown(imported)


def test_the_reasons_of_a_wikidata_proposal_taken_are_read_in_the_readers_language():
    """helper-95: "Accepted from Wikidata (…, retrieved …)." was written outside the registry's
    reasons and stayed English on the Korean history page."""
    import datetime

    from registry import change_reasons

    url, day = "https://www.wikidata.org/wiki/Q1", datetime.date(2026, 11, 30)
    accepted = change_reasons.written(change_reasons.ACCEPTED_FROM_WIKIDATA, url=url, retrieved=day)
    taken = change_reasons.written(change_reasons.TAKEN_FROM_WIKIDATA, reason="Minutes", url=url, retrieved=day)
    assert accepted == f"Accepted from Wikidata ({url}, retrieved 2026-11-30)."
    with translation.override("ko"):
        assert change_reasons.shown(accepted) == f"Wikidata에서 받아들임({url}, 2026-11-30 수집)."
        assert change_reasons.shown(taken) == f"Minutes (Wikidata: {url}, 2026-11-30 수집)"


@pytest.mark.parametrize(
    ("reason", "code"),
    [("Typo\u0007fixed", "control_character"), ("Typo \u202eexif", "hiding_character")],
)
@pytest.mark.parametrize("where", ["body", "header"])
def test_a_reason_no_history_shows_as_typed_is_refused_naming_the_field_and_the_character(api, reason, code, where):
    """A change reason is refused as a name would be when it holds a character no page shows as
    typed: a control character (U+0007), one that hides or reorders the text around it (a
    right-to-left override, U+202E: the history showed “fixe” reversed), in the body and in the
    ``X-Change-Reason`` header alike (the body's were stored, helper-110). Nothing is written."""
    source = SourceFactory(slug="minutes", title="Minutes")
    before = source.history.count()
    body, headers = {"title": "B"}, {}
    if where == "body":
        body["change_reason"] = reason
    else:
        headers["HTTP_X_CHANGE_REASON"] = reason.encode().decode("latin-1")
    response = api.patch(f"/api/v1/sources/{source.slug}/", body, format="json", **headers)
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    error = response.json()["errors"]["change_reason"][0]
    assert error["code"] == code, error
    if code == "hiding_character" or where == "body":
        assert re.search(r"U\+(0007|202E)", error["message"]), error
    assert (Source.objects.get(slug="minutes").title, source.history.count()) == ("Minutes", before)


def test_a_reason_may_hold_line_breaks(api):
    source = SourceFactory(slug="minutes", title="Minutes")
    reason = "Council minutes, page 2:\nthe title was misspelt."
    response = api.patch(f"/api/v1/sources/{source.slug}/", {"title": "B", "change_reason": reason}, format="json")
    assert response.status_code == HTTPStatus.OK, response.content
    assert source.history.first().history_change_reason == reason


def test_the_admins_reason_for_the_change_refuses_a_character_that_hides_text(staff_client):
    """The admin's “Reason for the change” follows the same rule, under the field; the record is
    not saved."""
    from .test_staff import form_data

    source = SourceFactory(slug="minutes", title="Minutes")
    url = reverse("admin:registry_source_change", args=[source.pk])
    data = {**form_data(staff_client.get(url)), "title": "B", "change_reason": "Typo \u202eexif"}
    response = staff_client.post(url, data, headers={"accept-language": "en"})
    assert response.status_code == HTTPStatus.OK
    errors = response.context["adminform"].form.errors
    assert errors["change_reason"] == [
        "The text holds the invisible character U+202E RIGHT-TO-LEFT OVERRIDE, which hides or reorders the text "
        "around it: remove it."
    ]
    assert Source.objects.get(slug="minutes").title == "Minutes"
