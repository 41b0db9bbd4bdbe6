"""The life of a relation: stages, the actions that move it, and the counting rule."""

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError

from registry import network, services
from registry.models import Partnership, PartnershipStage

from .conftest import token_client
from .factories import CityFactory, PartnershipFactory, SourceFactory

D = datetime.date


@pytest.fixture
def friendship(home):
    return PartnershipFactory(
        city=home, partner=CityFactory(country="MN"), kind=Partnership.Kind.FRIENDSHIP, established_on=D(2016, 5, 1)
    )


def count(home, day):
    summary = network.network_summary(home, day)
    return summary.partner_cities, {kind: tally.partner_cities for kind, tally in summary.by_kind.items()}


def test_upgrade_yields_two_linked_partnerships_counted_once_on_every_date(home, friendship):
    source = SourceFactory()
    sister = services.upgrade_partnership(
        partnership=friendship, on=D(2020, 3, 1), reason="Council approved the upgrade", sources=[source]
    )
    friendship.refresh_from_db()
    assert sister.predecessor == friendship and friendship.successor == sister
    assert (friendship.kind, friendship.status, friendship.ended_on) == ("friendship", "ended", D(2020, 3, 1))
    assert (sister.kind, sister.status, sister.established_on) == ("sister", "active", D(2020, 3, 1))
    assert list(friendship.stages.values_list("kind", "on")) == [("upgraded", D(2020, 3, 1))]
    assert list(sister.stages.values_list("kind", "on")) == [("signed", D(2020, 3, 1))]
    assert list(sister.sources.all()) == [source]
    assert count(home, D(2016, 4, 30)) == (0, {"sister": 0, "friendship": 0})
    assert count(home, D(2020, 2, 29)) == (1, {"sister": 0, "friendship": 1})
    assert count(home, D(2020, 3, 1)) == (1, {"sister": 1, "friendship": 0})
    assert count(home, D(2022, 1, 1)) == (1, {"sister": 1, "friendship": 0})
    assert Partnership.objects.in_force_on(D(2020, 3, 1)).get() == sister


def test_upgrade_refuses_an_ended_partnership_and_the_same_kind(friendship):
    with pytest.raises(ValidationError) as error:
        services.upgrade_partnership(partnership=friendship, on=D(2020, 3, 1), reason="x", kind="friendship")
    assert error.value.message_dict == {"kind": ["The upgrade must change the kind."]}
    services.upgrade_partnership(partnership=friendship, on=D(2020, 3, 1), reason="upgrade")
    with pytest.raises(ValidationError):
        services.upgrade_partnership(partnership=friendship, on=D(2021, 3, 1), reason="again")
    assert Partnership.objects.count() == 2


def test_a_suspension_counts_from_its_date_until_the_resume_date(home, friendship):
    services.suspend_partnership(partnership=friendship, on=D(2022, 3, 1), reason="War")
    assert friendship.status == "suspended"
    assert count(home, D(2022, 2, 28))[0] == 1
    assert count(home, D(2022, 3, 1))[0] == 0
    assert count(home, D(2030, 1, 1))[0] == 0
    services.resume_partnership(partnership=friendship, on=D(2023, 6, 1), reason="Exchanges restarted")
    assert friendship.status == "active"
    assert count(home, D(2023, 5, 31))[0] == 0
    assert count(home, D(2023, 6, 1))[0] == 1
    assert count(home, D(2022, 2, 28))[0] == 1
    stages = list(friendship.stages.values_list("kind", "on", "note_en"))
    assert stages == [("suspended", D(2022, 3, 1), "War"), ("resumed", D(2023, 6, 1), "Exchanges restarted")]


def test_suspension_changes_pages_api_and_exports_alike(client, api_client, home, friendship):
    services.suspend_partnership(partnership=friendship, on=D(2022, 3, 1), reason="War")
    before, during = "2022-02-28", "2022-03-01"
    assert api_client.get(f"/api/v1/network/?as_of={before}").json()["partner_cities"] == 1
    assert api_client.get(f"/api/v1/network/?as_of={during}").json()["partner_cities"] == 0

    def ids(day):
        return [row["id"] for row in api_client.get(f"/api/v1/partnerships/?in_force_on={day}").json()["results"]]

    assert ids(before) == [friendship.pk] and ids(during) == []
    csv_before = api_client.get(f"/api/v1/partnerships/?in_force_on={before}&format=csv").content.decode()
    csv_during = api_client.get(f"/api/v1/partnerships/?in_force_on={during}&format=csv").content.decode()
    assert friendship.partner.slug in csv_before and friendship.partner.slug not in csv_during
    assert client.get(f"/?as_of={during}").context["summary"].partner_cities == 0


def test_resume_needs_a_suspension_and_a_later_date(friendship):
    with pytest.raises(ValidationError) as error:
        services.resume_partnership(partnership=friendship, on=D(2022, 1, 1), reason="x")
    assert error.value.message_dict == {"status": ["Only a suspended partnership can be resumed."]}
    services.suspend_partnership(partnership=friendship, on=D(2022, 3, 1), reason="War")
    with pytest.raises(ValidationError) as error:
        services.resume_partnership(partnership=friendship, on=D(2022, 2, 1), reason="x")
    assert "on" in error.value.message_dict


@pytest.mark.parametrize("action", ["suspend", "resume", "renew", "upgrade", "end"])
def test_every_action_requires_a_reason(friendship, action):
    function = getattr(services, f"{action}_partnership")
    kwargs = {"ended_on": D(2022, 1, 1)} if action == "end" else {"on": D(2022, 1, 1)}
    with pytest.raises(ValidationError) as error:
        function(partnership=friendship, reason="  ", **kwargs)
    assert error.value.message_dict == {"reason": ["Give the reason for this change."]}


def test_renew_and_end_record_their_stages(home, friendship):
    services.renew_partnership(partnership=friendship, on=D(2019, 6, 30), reason="Renewed for five years")
    assert friendship.established_on == D(2016, 5, 1)
    services.end_partnership(partnership=friendship, ended_on=D(2021, 1, 1), reason="Not renewed")
    kinds = list(friendship.stages.values_list("kind", flat=True))
    assert kinds == ["renewed", "ended"]
    assert count(home, D(2020, 12, 31))[0] == 1 and count(home, D(2021, 1, 1))[0] == 0


def test_a_letter_of_intent_alone_never_counts(home, friendship):
    services.add_stage(partnership=friendship, kind=PartnershipStage.Kind.LETTER_OF_INTENT, on=D(2015, 10, 4))
    assert count(home, D(2015, 12, 31))[0] == 0
    assert count(home, D(2016, 5, 1))[0] == 1


def test_editing_kind_or_date_of_a_published_partnership_is_refused_without_a_reason(friendship):
    with pytest.raises(ValidationError) as error:
        services.save_record(instance=friendship, data={"kind": Partnership.Kind.SISTER})
    assert error.value.message_dict["kind"] == [
        "A published partnership's kind is not edited directly: use the action “Upgrade”, "
        "or give a reason for the correction."
    ]
    friendship.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.save_record(instance=friendship, data={"established_on": D(2016, 5, 2)})
    assert list(error.value.message_dict) == ["established_on"]
    friendship.refresh_from_db()
    services.save_record(instance=friendship, data={"established_on": D(2016, 5, 2)}, reason="Typo in the day")
    friendship.refresh_from_db()
    assert friendship.established_on == D(2016, 5, 2)
    assert friendship.history.first().history_change_reason == "Typo in the day"


def test_a_draft_partnership_may_still_be_edited_freely(friendship):
    friendship.publication = "draft"
    friendship.save()
    services.save_record(instance=friendship, data={"kind": Partnership.Kind.SISTER})
    friendship.refresh_from_db()
    assert friendship.kind == "sister"


def test_api_patch_of_kind_is_refused_and_accepted_with_a_reason(friendship, superuser):
    api = token_client(superuser)
    url = f"/api/v1/partnerships/{friendship.pk}/"
    response = api.patch(url, {"kind": "sister"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["kind"][0]["code"] == "partnership_use_action"
    assert "“Upgrade”" in response.json()["errors"]["kind"][0]["message"]
    response = api.patch(url, {"kind": "sister"}, format="json", HTTP_X_CHANGE_REASON="Busan's list was misread")
    assert response.status_code == HTTPStatus.OK, response.content
    friendship.refresh_from_db()
    assert friendship.kind == "sister"
    assert friendship.history.first().history_change_reason == "Busan's list was misread"


# --------------------------------------------------------------------------- admin


def test_admin_suspend_action_asks_for_date_and_reason_then_suspends(staff_client, friendship):
    url = "/admin/registry/partnership/"
    chosen = {"action": "suspend_partnerships", "_selected_action": [friendship.pk]}
    page = staff_client.post(url, chosen)
    assert page.status_code == HTTPStatus.OK
    assert page.templates[0].name == "admin/registry/partnership_action.html"
    assert 'class="vDateField' in page.content.decode()
    refused = staff_client.post(url, {**chosen, "apply": "1", "on": "2022-03-01", "precision": "day", "reason": ""})
    assert refused.context["form"].errors == {"reason": ["This field is required."]}
    friendship.refresh_from_db()
    assert friendship.status == "active"
    done = staff_client.post(url, {**chosen, "apply": "1", "on": "2022-03-01", "precision": "day", "reason": "War"})
    assert done.status_code == HTTPStatus.FOUND
    friendship.refresh_from_db()
    assert friendship.status == "suspended"
    assert friendship.history.first().history_change_reason == "Suspended: War"


def test_admin_upgrade_action_makes_the_linked_successor(staff_client, friendship):
    staff_client.post(
        "/admin/registry/partnership/",
        {
            "action": "upgrade_partnerships",
            "_selected_action": [friendship.pk],
            "apply": "1",
            "on": "2020-03-01",
            "precision": "day",
            "reason": "Council approved",
        },
    )
    assert Partnership.objects.get(predecessor=friendship).kind == "sister"


def test_admin_change_form_refuses_a_kind_change_without_a_reason(staff_client, friendship):
    url = f"/admin/registry/partnership/{friendship.pk}/change/"
    form = staff_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update(
        {
            "city": friendship.city_id,
            "partner": friendship.partner_id,
            "kind": "sister",
            "established_on": "2016-05-01",
            "fields": [],
            "sources": [],
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == HTTPStatus.OK
    assert "“Upgrade”" in response.context["adminform"].form.errors["kind"][0]
    response = staff_client.post(url, {**data, "change_reason": "Misread list"})
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    friendship.refresh_from_db()
    assert friendship.kind == "sister"
    assert friendship.history.first().history_change_reason == "Misread list"


# --------------------------------------------------------------------------- API


def test_api_suspend_and_resume_change_the_network_count(api_client, home, friendship, superuser):
    api = token_client(superuser)
    source = SourceFactory(slug="news")
    url = f"/api/v1/partnerships/{friendship.pk}/"
    response = api.post(f"{url}suspend/", {"on": "2022-03", "reason": "War", "sources": ["news"]}, format="json")
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["status"] == "suspended"
    stage = friendship.stages.get()
    assert (stage.kind, stage.on, stage.precision, list(stage.sources.all())) == (
        "suspended",
        D(2022, 3, 1),
        "month",
        [source],
    )
    assert api_client.get("/api/v1/network/?as_of=2022-03-01").json()["partner_cities"] == 0
    response = api.post(f"{url}resume/", {"on": "2022-02-01", "reason": "Early"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["on"][0]["code"] == "resume_early"
    response = api.post(f"{url}resume/", {"on": "2023-01-01", "reason": "Peace"}, format="json")
    assert response.status_code == HTTPStatus.OK
    assert api_client.get("/api/v1/network/?as_of=2023-01-01").json()["partner_cities"] == 1


def test_api_upgrade_answers_the_new_partnership(friendship, superuser):
    api = token_client(superuser)
    response = api.post(
        f"/api/v1/partnerships/{friendship.pk}/upgrade/", {"on": "2020-03-01", "reason": "Council"}, format="json"
    )
    assert response.status_code == HTTPStatus.CREATED, response.content
    body = response.json()
    assert (body["kind"], body["established_on"]) == ("sister", "2020-03-01")
    assert Partnership.objects.get(pk=body["id"]).predecessor == friendship


def test_api_actions_need_a_reason_and_the_change_permission(api_client, friendship, viewer):
    url = f"/api/v1/partnerships/{friendship.pk}/suspend/"
    assert api_client.post(url, {"on": "2022-03-01", "reason": "x"}, format="json").status_code in (
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.FORBIDDEN,
    )
    assert token_client(viewer).post(url, {"on": "2022-03-01", "reason": "x"}, format="json").status_code == (
        HTTPStatus.FORBIDDEN
    )
    friendship.refresh_from_db()
    assert friendship.status == "active"
