"""A published partnership's life (status, end, dates) moves only by the actions, or as a correction
with a reason; no date of it is after today, on every path (create, update, import, actions)."""

import datetime
from http import HTTPStatus

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from registry import services
from registry.models import Partnership, PartnershipStage
from registry.resources import PartnershipResource

from .conftest import token_client
from .factories import CityFactory, PartnershipFactory, SourceFactory
from .test_staff import form_data

D = datetime.date


def tomorrow() -> datetime.date:
    """A day begun nowhere yet, read when the test runs (a module constant goes stale when a run
    crosses midnight, as CI's did): the server's day after tomorrow, since its tomorrow has begun
    at UTC+14 from 10:00 UTC (registry.dates.latest_today)."""
    return timezone.localdate() + datetime.timedelta(days=2)


@pytest.fixture
def friendship(home):
    return PartnershipFactory(
        city=home, partner=CityFactory(country="MN"), kind=Partnership.Kind.FRIENDSHIP, established_on=D(2016, 5, 1)
    )


def use_action(field: str, action: str) -> dict:
    return {
        "message": f"A published partnership's “{field}” is not edited directly: use the action “{action}”, "
        "or give a reason for the correction.",
        "code": "partnership_use_action",
    }


def test_api_patch_ending_a_published_partnership_is_refused_naming_end(friendship, superuser):
    versions = friendship.history.count()
    response = token_client(superuser).patch(
        f"/api/v1/partnerships/{friendship.pk}/", {"status": "ended", "ended_on": "2020-01-01"}, format="json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {
        "status": [use_action("status", "End")],
        "ended_on": [use_action("ended on", "End")],
    }
    friendship.refresh_from_db()
    assert (friendship.status, friendship.ended_on, friendship.history.count()) == ("active", None, versions)


@pytest.mark.parametrize(
    ("stored", "new", "action"), [("active", "suspended", "Suspend"), ("suspended", "active", "Resume")]
)
def test_api_patch_of_the_status_names_the_action_for_the_new_status(friendship, superuser, stored, new, action):
    Partnership.objects.filter(pk=friendship.pk).update(status=stored)
    response = token_client(superuser).patch(f"/api/v1/partnerships/{friendship.pk}/", {"status": new}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    # Not offered as a correction: a suspension comes and goes with its stage (test below)
    [error] = response.json()["errors"]["status"]
    assert error["code"] == "partnership_use_action" and f"“{action}”" in error["message"]
    assert "correction" not in error["message"]


def test_reactivating_an_ended_partnership_is_only_a_correction(friendship, superuser):
    services.end_partnership(partnership=friendship, on=D(2020, 1, 1), reason="Closed")
    api = token_client(superuser)
    url = f"/api/v1/partnerships/{friendship.pk}/"
    response = api.patch(url, {"status": "active", "ended_on": None}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {
        "status": [
            {
                "message": "A published partnership's “status” is changed only as a correction, with a reason.",
                "code": "partnership_use_action",
            }
        ],
        "ended_on": [
            {
                "message": "A published partnership's “ended on” is changed only as a correction, with a reason.",
                "code": "partnership_use_action",
            }
        ],
    }
    friendship.refresh_from_db()
    assert (friendship.status, friendship.ended_on) == ("ended", D(2020, 1, 1))
    response = api.patch(
        url, {"status": "active", "ended_on": None}, format="json", HTTP_X_CHANGE_REASON="Ended by mistake"
    )
    assert response.status_code == HTTPStatus.OK, response.content
    friendship.refresh_from_db()
    assert (friendship.status, friendship.ended_on) == ("active", None)
    latest = friendship.history.first()
    assert latest.history_change_reason == "Ended by mistake"
    assert (latest.prev_record.status, latest.status) == ("ended", "active")


def test_the_established_date_is_changed_only_as_a_correction(friendship):
    with pytest.raises(ValidationError) as error:
        services.save_record(instance=friendship, data={"established_on": D(2016, 5, 2)})
    assert error.value.message_dict == {
        "established_on": ["A published partnership's “established on” is changed only as a correction, with a reason."]
    }


def test_a_draft_partnership_may_still_change_its_status_and_end_directly(friendship):
    friendship.publication = "draft"
    friendship.save()
    services.save_record(instance=friendship, data={"status": "ended", "ended_on": D(2020, 1, 1)})
    friendship.refresh_from_db()
    assert (friendship.status, friendship.ended_on) == ("ended", D(2020, 1, 1))


def test_the_actions_still_move_a_published_partnership_and_a_direct_edit_after_them_is_checked(friendship):
    services.suspend_partnership(partnership=friendship, on=D(2020, 1, 1), reason="Dispute")
    services.resume_partnership(partnership=friendship, on=D(2021, 1, 1), reason="Settled")
    services.end_partnership(partnership=friendship, on=D(2022, 1, 1), reason="Closed")
    reasons = list(friendship.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons[1:] == ["Suspended: Dispute", "Resumed: Settled", "Ended: Closed"]  # after the creation
    with pytest.raises(ValidationError) as error:  # the action's permission does not stay on the instance
        services.save_record(instance=friendship, data={"ended_on": D(2022, 2, 1)})
    assert list(error.value.message_dict) == ["ended_on"]


def test_an_import_update_of_a_published_partnership_status_is_refused(friendship):
    dataset = tablib.Dataset(headers=["city", "partner", "kind", "established_on", "status", "ended_on"])
    dataset.append([friendship.city.slug, friendship.partner.slug, "friendship", "2016-05-01", "ended", "2020-01-01"])
    result = PartnershipResource().import_data(dataset, dry_run=True)
    (row,) = result.invalid_rows
    assert row.field_specific_errors["status"] == [
        "A published partnership's “status” is not edited directly: use the action “End”, "
        "or give a reason for the correction."
    ]
    friendship.refresh_from_db()
    assert friendship.status == "active"


# --------------------------------------------------------------------------- no date after today


def test_creating_a_partnership_established_tomorrow_is_refused(home, superuser):
    with pytest.raises(ValidationError) as error:
        services.create_partnership(city=home, partner=CityFactory(), kind="sister", established_on=tomorrow())
    assert [e.code for e in error.value.error_dict["established_on"]] == ["date_in_future"]
    assert not Partnership.objects.exists()
    partner = CityFactory(slug="tomorrow-city")
    response = token_client(superuser).post(
        "/api/v1/partnerships/",
        {
            "city": home.slug,
            "partner": partner.slug,
            "kind": "sister",
            "established_on": tomorrow().isoformat(),
            "fields": [],
            "sources": [],
        },
        format="json",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["established_on"] == [
        {"message": "This date is in the future: record it once it has happened.", "code": "date_in_future"}
    ]


def test_an_import_row_established_tomorrow_is_an_error(home):
    dataset = tablib.Dataset(headers=["city", "partner", "kind", "established_on", "publication"])
    dataset.append([home.slug, CityFactory(slug="soon").slug, "sister", tomorrow().isoformat(), "draft"])
    result = PartnershipResource().import_data(dataset, dry_run=True)
    (row,) = result.invalid_rows
    assert row.field_specific_errors["established_on"] == [
        "This date is in the future: record it once it has happened."
    ]


def test_today_is_not_in_the_future(home):
    today = timezone.localdate()
    partnership = services.create_partnership(city=home, partner=CityFactory(), kind="sister", established_on=today)
    assert partnership.established_on == today


def test_an_action_dated_tomorrow_is_refused_with_the_same_code(friendship):
    with pytest.raises(ValidationError) as error:
        services.end_partnership(partnership=friendship, on=tomorrow(), reason="Planned")
    assert [e.code for e in error.value.error_dict["on"]] == ["date_in_future"]


# --------------------------------------------------------------------------- upgrade


def test_an_upgrade_without_a_source_cites_the_predecessors_sources(friendship):
    listed, article = SourceFactory(), SourceFactory()
    friendship.sources.set([listed])
    sister = services.upgrade_partnership(partnership=friendship, on=D(2020, 3, 1), reason="Council approved")
    assert list(sister.sources.all()) == [listed]
    assert list(sister.stages.get().sources.all()) == []  # the stage cites what the action gave
    other = PartnershipFactory(city=friendship.city, partner=CityFactory(), kind="friendship")
    other.sources.set([listed])
    successor = services.upgrade_partnership(
        partnership=other, on=D(2021, 1, 1), reason="Up", sources=[article, listed]
    )
    assert sorted(s.pk for s in successor.sources.all()) == sorted([listed.pk, article.pk])


# The stages inline of a partnership's admin page: only stages without an action of their own are
# written there (found by the adversarial probe: a "suspended" stage added there left the relation
# "active" while the network stopped counting it; stages moved before the start, a second "ended"
# stage and the deletion of the "ended" stage were all accepted).


def _change_page(client, partnership):
    return client.get(reverse("admin:registry_partnership_change", args=[partnership.pk]))


def _suspended(friendship) -> Partnership:
    return services.suspend_partnership(partnership=friendship, on=D(2020, 3, 1), reason="Exchanges frozen")


def test_the_stages_inline_offers_a_new_row_only_the_stages_without_an_action(friendship, staff_client):
    _suspended(friendship)
    formset = _change_page(staff_client, friendship).context["inline_admin_formsets"][0].formset
    assert [value for value, _ in formset.empty_form.fields["kind"].choices] == [
        "",
        "letter_of_intent",
        "council_approval",
    ]
    recorded = formset.forms[0]
    assert recorded.instance.kind == "suspended"
    assert [name for name in ("kind", "on", "precision", "note_en") if recorded.fields[name].disabled] == [
        "kind",
        "on",
        "precision",
    ]


@pytest.mark.parametrize("kind", ["suspended", "ended", "signed", "resumed"])
def test_a_stage_of_an_action_added_in_the_inline_is_refused_naming_the_action(friendship, staff_client, kind):
    page = _change_page(staff_client, friendship)
    data = form_data(page)
    data.update({"stages-TOTAL_FORMS": "1", "stages-0-kind": kind, "stages-0-on": "2020-01-01"})
    data["stages-0-precision"] = "day"
    response = staff_client.post(page.request["PATH_INFO"], data)
    assert response.status_code == HTTPStatus.OK
    errors = response.context["inline_admin_formsets"][0].formset.errors[0]
    assert "kind" in errors
    assert not friendship.stages.exists()
    friendship.refresh_from_db()
    assert friendship.status == "active"


def test_a_stage_an_action_recorded_keeps_its_date_and_is_not_deleted_in_the_inline(friendship, staff_client):
    _suspended(friendship)
    stage = friendship.stages.get()
    page = _change_page(staff_client, friendship)
    moved = {**form_data(page), "stages-0-on": "2010-01-01", "stages-0-note_ko": "교류 동결"}
    response = staff_client.post(page.request["PATH_INFO"], moved)
    assert response.status_code == HTTPStatus.FOUND  # the date is not editable; the note is
    stage.refresh_from_db()
    assert (stage.on, stage.note_ko) == (D(2020, 3, 1), "교류 동결")

    page = _change_page(staff_client, friendship)
    assert page.context["inline_admin_formsets"][0].formset.forms[0].fields["DELETE"].disabled
    response = staff_client.post(page.request["PATH_INFO"], {**form_data(page), "stages-0-DELETE": "on"})
    assert response.status_code == HTTPStatus.FOUND  # the box is disabled: a submitted one is ignored
    assert friendship.stages.filter(pk=stage.pk).exists()


def test_a_letter_of_intent_is_added_and_deleted_in_the_inline(friendship, staff_client):
    page = _change_page(staff_client, friendship)
    data = {**form_data(page), "stages-TOTAL_FORMS": "1", "stages-0-kind": "letter_of_intent"}
    data.update({"stages-0-on": "2015-10-04", "stages-0-precision": "day"})
    assert staff_client.post(page.request["PATH_INFO"], data).status_code == HTTPStatus.FOUND
    assert list(friendship.stages.values_list("kind", flat=True)) == ["letter_of_intent"]
    page = _change_page(staff_client, friendship)
    response = staff_client.post(page.request["PATH_INFO"], {**form_data(page), "stages-0-DELETE": "on"})
    assert response.status_code == HTTPStatus.FOUND
    assert not friendship.stages.exists()


def test_the_model_refuses_an_action_stage_written_directly_and_the_actions_stages_match(friendship):
    """The rule lives on the model (PartnershipStage.refuse_direct_edit), for any writer; the
    actions' change texts (services.STAGE_CHANGES) cover exactly the stages the model reserves."""
    assert set(services.partnerships.STAGE_CHANGES) == set(PartnershipStage.ACTIONS)
    with pytest.raises(ValidationError) as refused:
        services.add_stage(partnership=friendship, kind=PartnershipStage.Kind.ENDED, on=D(2020, 1, 1))
    assert [error.code for error in refused.value.error_dict["kind"]] == ["stage_use_action"]
    stage = _suspended(friendship).stages.get()
    stage.on = D(2019, 1, 1)
    with pytest.raises(ValidationError) as refused:
        stage.full_clean()
    assert list(refused.value.error_dict) == ["on"]
    stage.on, stage.kind = D(2020, 3, 1), PartnershipStage.Kind.COUNCIL_APPROVAL
    with pytest.raises(ValidationError) as refused:
        stage.full_clean()
    assert list(refused.value.error_dict) == ["kind"]


# A suspension comes and goes only with its stage (Partnership.direct_suspension_error): the count
# reads the suspended and resumed stages. Found by the adversarial probe: a partnership created
# "suspended" had no stage and was counted in force.


def test_a_new_partnership_is_not_recorded_suspended_on_any_path(home, superuser):
    partner = CityFactory(country="MN", slug="darkhan")
    with pytest.raises(ValidationError) as refused:
        services.create_partnership(
            city=home, partner=partner, kind="sister", established_on=D(2016, 5, 1), status="suspended"
        )
    assert [error.code for error in refused.value.error_dict["status"]] == ["partnership_use_action"]
    body = {"city": home.slug, "partner": "darkhan", "kind": "sister", "established_on": "2016-05-01"}
    response = token_client(superuser).post("/api/v1/partnerships/", {**body, "status": "suspended"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["status"] == [
        {
            "message": "A partnership is suspended only with the action “Suspend”, which records the date of "
            "the suspension; record it first, then suspend it.",
            "code": "partnership_use_action",
        }
    ]
    assert not Partnership.objects.filter(partner=partner).exists()


@pytest.mark.parametrize("publication", ["draft", "published"])
def test_a_status_becomes_or_stops_being_suspended_only_by_an_action_even_as_a_correction(
    friendship, superuser, publication
):
    Partnership.objects.filter(pk=friendship.pk).update(publication=publication)
    client = token_client(superuser)
    url = f"/api/v1/partnerships/{friendship.pk}/"
    headers = {"HTTP_X_CHANGE_REASON": "Correction"}
    response = client.patch(url, {"status": "suspended"}, format="json", **headers)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert [error["code"] for error in response.json()["errors"]["status"]] == ["partnership_use_action"]
    _suspended(Partnership.objects.get(pk=friendship.pk))
    response = client.patch(url, {"status": "active"}, format="json", **headers)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "“Resume”" in response.json()["errors"]["status"][0]["message"]
    friendship.refresh_from_db()
    assert friendship.status == "suspended"
    services.resume_partnership(partnership=friendship, on=D(2021, 1, 1), reason="Talks resumed")
    friendship.refresh_from_db()
    assert friendship.status == "active"


def test_a_deleted_suspended_partnership_is_restored_with_its_suspension(friendship):
    pk = _suspended(friendship).pk
    services.delete_record(instance=friendship)
    restored = Partnership.objects.get(pk=services.restore_deleted(model=Partnership, pk=pk).pk)
    assert (restored.status, list(restored.stages.values_list("kind", flat=True))) == ("suspended", ["suspended"])


def test_reverting_a_suspended_partnership_to_its_active_version_keeps_its_life_and_says_so(friendship, staff_client):
    """A revert restores what its page lets one edit: the status, read-only there (it changes only
    through the actions, with their stages), stays suspended, and the page says which fields keep
    their current values. It was a 500 (no field ``status`` to put the rule's error on), then a
    refusal with nothing on the page to change (found by a new user)."""
    first = friendship.history.order_by("history_date").first()
    friendship.notes = "Added after the first version"
    friendship.save()
    _suspended(friendship)
    url = reverse("admin:registry_partnership_simple_history", args=[friendship.pk, first.history_id])
    page = staff_client.get(url)
    assert page.context["adminform"].form.kept_fields == ["Status", "Reason for the status"]
    assert "These fields keep their current values" in page.text
    response = staff_client.post(url, {**form_data(page), "change_reason": "Back to the first notes"})
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    friendship.refresh_from_db()
    assert (friendship.status, friendship.notes) == ("suspended", first.notes)
    assert list(friendship.stages.values_list("kind", flat=True)) == ["suspended"]


def test_a_date_that_has_begun_somewhere_is_not_in_the_future(monkeypatch):
    """Found by a new user: at 05:30 in Busan (20:30 UTC the day before) the server's date was still
    yesterday's, and the office's "today" was refused as in the future."""
    from django.core.exceptions import ValidationError

    from registry.dates import validate_not_in_future

    evening = datetime.datetime(2026, 12, 5, 20, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: evening)
    validate_not_in_future(D(2026, 12, 6))  # 05:30 in Busan, 10:30 at UTC+14
    with pytest.raises(ValidationError) as refused:
        validate_not_in_future(D(2026, 12, 7))
    assert refused.value.code == "date_in_future"


def test_a_revert_keeps_the_korean_reason_of_the_status_it_keeps(friendship, staff_client):
    """Found by a new user: the revert kept the English reason for the status (read-only) and put
    back the version's Korean one, which was empty."""
    first = friendship.history.order_by("history_date").first()
    services.suspend_partnership(partnership=friendship, on=D(2020, 3, 1), reason="Frozen", reason_ko="교류 동결")
    url = reverse("admin:registry_partnership_simple_history", args=[friendship.pk, first.history_id])
    page = staff_client.get(url)
    assert page.context["adminform"].form.initial["status_reason_ko"] == "교류 동결"
    response = staff_client.post(url, {**form_data(page), "change_reason": "Back to the first version"})
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    friendship.refresh_from_db()
    assert (friendship.status_reason, friendship.status_reason_ko) == ("Frozen", "교류 동결")
