"""An action's reason in English, in Korean or both (helper-97): a Korean manager had to type the
English one, and the history's change reason stored only it ("Suspended: Budget freeze", read
"중단: Budget freeze" on the Korean history page). Either is enough now, on every path (services,
the admin's action form, the API), and the history carries what was typed, each reader shown the
reason in their language where it was given (change_reasons.action_written, shown)."""

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from registry import change_reasons, services
from registry.models import Partnership

from .conftest import token_client
from .factories import CityFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

D = datetime.date
BOTH_REQUIRED = "Give the reason for this change, in English or in Korean (at least one of the two)."


def shown(reason: str, language: str) -> str:
    with translation.override(language):
        return change_reasons.shown(reason)


@pytest.fixture
def partnership(db):
    return PartnershipFactory(partner=CityFactory(country="MN"), kind="friendship", established_on=D(2016, 5, 1))


def test_a_korean_reason_alone_is_enough_and_reads_so_in_both_histories(partnership):
    services.suspend_partnership(partnership=partnership, on=D(2020, 3, 1), reason="", reason_ko="예산 동결")
    partnership.refresh_from_db()
    assert (partnership.status, partnership.status_reason, partnership.status_reason_ko) == (
        "suspended",
        "",
        "예산 동결",
    )
    assert [(s.note_en, s.note_ko) for s in partnership.stages.all()] == [("", "예산 동결")]
    stored = partnership.history.first().history_change_reason
    assert stored == "Suspended: 예산 동결"
    assert (shown(stored, "ko"), shown(stored, "en")) == ("중단: 예산 동결", "Suspended: 예산 동결")


def test_both_reasons_are_kept_and_each_reader_is_shown_their_own(partnership):
    services.suspend_partnership(
        partnership=partnership, on=D(2020, 3, 1), reason="Budget freeze", reason_ko="예산 동결"
    )
    stored = Partnership.objects.get(pk=partnership.pk).history.first().history_change_reason
    assert stored == "Suspended: Budget freeze (in Korean: 예산 동결)"
    assert (shown(stored, "ko"), shown(stored, "en")) == ("중단: 예산 동결", "Suspended: Budget freeze")


def test_an_english_reason_alone_reads_as_before(partnership):
    services.suspend_partnership(partnership=partnership, on=D(2020, 3, 1), reason="Budget freeze")
    stored = Partnership.objects.get(pk=partnership.pk).history.first().history_change_reason
    assert (stored, shown(stored, "ko")) == ("Suspended: Budget freeze", "중단: Budget freeze")


def test_an_upgrade_with_a_korean_reason_gives_both_relations_its_history(partnership):
    successor = services.upgrade_partnership(partnership=partnership, on=D(2021, 1, 4), reason_ko="자매결연", reason="")
    for record in (successor, Partnership.objects.get(pk=partnership.pk)):
        assert shown(record.history.first().history_change_reason, "ko") == "격상: 자매결연"
    assert [(s.kind, s.note_ko) for s in successor.stages.all()] == [("signed", "자매결연")]


@pytest.mark.parametrize("action", sorted(services.PARTNERSHIP_ACTIONS))
def test_every_action_refuses_no_reason_in_either_language_naming_both(partnership, action):
    with pytest.raises(ValidationError) as refused:
        services.PARTNERSHIP_ACTIONS[action](partnership=partnership, on=D(2022, 1, 1), reason=" ", reason_ko="\u200b")
    assert refused.value.message_dict == {"reason": [BOTH_REQUIRED], "reason_ko": [BOTH_REQUIRED]}
    assert {e.code for errors in refused.value.error_dict.values() for e in errors} == {"required"}


def _run(client, partnership, **reasons):
    return client.post(
        reverse("admin:registry_partnership_changelist"),
        {
            "action": "suspend_partnerships",
            "_selected_action": [partnership.pk],
            "apply": "1",
            "on": "2022-03-01",
            "precision": "day",
            **reasons,
        },
    )


def test_the_admin_action_takes_the_korean_reason_alone(client, editor, partnership):
    client.force_login(editor)
    assert _run(client, partnership, reason="", reason_ko="교류 중단").status_code == HTTPStatus.FOUND
    partnership.refresh_from_db()
    assert (partnership.status, partnership.status_reason_ko) == ("suspended", "교류 중단")


def test_the_admin_action_without_a_reason_names_both_fields(client, editor, partnership):
    client.force_login(editor)
    response = _run(client, partnership, reason=" ", reason_ko="")
    assert response.status_code == HTTPStatus.OK
    form = response.context["form"]
    message = "Give the reason in English, in Korean or both: “Reason (English)” or “Reason (Korean)”."
    assert (form.errors["reason"], form.errors["reason_ko"]) == ([message], [message])
    assert Partnership.objects.get(pk=partnership.pk).status == "active"


def test_the_api_action_takes_the_korean_reason_alone_and_names_both_without_one(superuser, partnership):
    api = token_client(superuser)
    url = f"/api/v1/partnerships/{partnership.pk}/suspend/"
    missing = api.post(url, {"on": "2022-03-01", "reason_ko": " "}, format="json")
    assert missing.status_code == HTTPStatus.BAD_REQUEST
    errors = missing.json()["errors"]
    assert sorted(errors) == ["reason", "reason_ko"] and errors["reason"][0]["code"] == "required"
    assert "reason_ko" in errors["reason"][0]["message"]
    done = api.post(url, {"on": "2022-03-01", "reason_ko": "교류 중단"}, format="json")
    assert done.status_code == HTTPStatus.OK, done.content
    assert (done.json()["status"], done.json()["status_reason_ko"]) == ("suspended", "교류 중단")
    assert Partnership.objects.get(pk=partnership.pk).history.first().history_change_reason == "Suspended: 교류 중단"


def test_an_api_actions_body_gets_every_error_in_one_answer(superuser, partnership):
    """helper-99: three tries to learn the body of ``suspend``: ``{}`` named only ``on``, a
    ``date`` only that it is unknown, then the reason came alone."""
    api = token_client(superuser)
    answer = api.post(f"/api/v1/partnerships/{partnership.pk}/suspend/", {"date": "2026-01"}, format="json")
    assert answer.status_code == HTTPStatus.BAD_REQUEST
    errors = answer.json()["errors"]
    assert sorted(errors) == ["date", "on", "reason", "reason_ko"]
    assert [errors[name][0]["code"] for name in ("date", "on", "reason")] == ["unknown_field", "required", "required"]
    assert Partnership.objects.get(pk=partnership.pk).status == "active"


def test_the_schema_documents_the_korean_reason(api_client):
    schema = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    body = schema["components"]["schemas"]["PartnershipActionRequest"]
    assert body["properties"]["reason_ko"]["type"] == "string" and body["required"] == ["on"]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_korean_reason_alone_is_shown_marked_korean_on_the_pages_of_both_languages(client, partnership, language):
    """The public pages show a reason given in Korean alone, as its status's reason and as its
    stage's note, marked ``lang="ko"`` (text.localized's ``either``): the partnership's page and its
    city's showed no reason at all in either language (helper-97), as they read the English column."""
    services.suspend_partnership(partnership=partnership, on=D(2020, 3, 1), reason="", reason_ko="예산 동결")
    partnership.refresh_from_db()
    marked = '<span lang="ko">예산 동결</span>'
    with translation.override(language):
        pages = [partnership.get_absolute_url(), partnership.city.get_absolute_url()]
    for url in pages:
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, url
        assert marked in response.content.decode(), url
    with translation.override(language):
        assert (partnership.status_reason_localized, partnership.status_reason_language) == ("예산 동결", "ko")
    partnership.status_reason = "Budget freeze"
    with translation.override(language):
        assert (partnership.status_reason_localized, partnership.status_reason_language) == (
            ("Budget freeze", "en") if language == "en" else ("예산 동결", "ko")
        )


def test_an_actions_reasons_refuse_a_character_no_history_shows_as_typed(client, editor, superuser, partnership):
    """An action's reasons, in the admin and the API, are refused under their field when they
    hold a control character or one that hides or reorders the text around it (helper-110: a
    reason holding U+0007 or U+202E was stored). The partnership is left as it was."""
    api = token_client(superuser)
    url = f"/api/v1/partnerships/{partnership.pk}/suspend/"
    answer = api.post(url, {"on": "2022-03-01", "reason": "Budget", "reason_ko": "예산\u0007"}, format="json")
    assert answer.status_code == HTTPStatus.BAD_REQUEST
    assert [error["code"] for error in answer.json()["errors"]["reason_ko"]] == ["control_character"]
    answer = api.post(url, {"on": "2022-03-01", "reason": "Budget \u202efreeze"}, format="json")
    assert answer.status_code == HTTPStatus.BAD_REQUEST
    assert [error["code"] for error in answer.json()["errors"]["reason"]] == ["hiding_character"]
    client.force_login(editor)
    response = _run(client, partnership, reason="Budget \u202efreeze", reason_ko="")
    assert response.status_code == HTTPStatus.OK
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in response.context["form"].errors["reason"][0]
    assert Partnership.objects.get(pk=partnership.pk).status == "active"
