"""The life of a relation: stages, the actions that move it, and the counting rule."""

import datetime
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registry import network, services
from registry.models import Partnership, PartnershipStage, Publication

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


def test_a_suspended_friendship_upgraded_is_in_force_again_from_the_upgrade_only(home, friendship):
    services.suspend_partnership(partnership=friendship, on=D(2019, 1, 1), reason="Dispute")
    sister = services.upgrade_partnership(partnership=friendship, on=D(2020, 3, 1), reason="New agreement")
    friendship.refresh_from_db()
    assert (friendship.status, sister.status) == ("ended", "active")
    assert list(friendship.stages.values_list("kind", flat=True)) == ["suspended", "upgraded"]
    assert count(home, D(2018, 12, 31)) == (1, {"sister": 0, "friendship": 1})
    assert count(home, D(2019, 6, 1)) == (0, {"sister": 0, "friendship": 0})  # suspended until the upgrade
    assert count(home, D(2020, 3, 1)) == (1, {"sister": 1, "friendship": 0})


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
    csv_before = api_client.get(f"/api/v1/partnerships/?in_force_on={before}&format=csv").getvalue().decode("utf-8-sig")
    csv_during = api_client.get(f"/api/v1/partnerships/?in_force_on={during}&format=csv").getvalue().decode("utf-8-sig")
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


@pytest.mark.parametrize("action", sorted(services.PARTNERSHIP_ACTIONS))
def test_every_action_requires_a_reason(friendship, action):
    function = services.PARTNERSHIP_ACTIONS[action]
    with pytest.raises(ValidationError) as error:
        function(partnership=friendship, reason="  ", on=D(2022, 1, 1))
    both = ["Give the reason for this change, in English or in Korean (at least one of the two)."]
    assert error.value.message_dict == {"reason": both, "reason_ko": both}


def test_renew_and_end_record_their_stages(home, friendship):
    services.renew_partnership(partnership=friendship, on=D(2019, 6, 30), reason="Renewed for five years")
    assert friendship.established_on == D(2016, 5, 1)
    services.end_partnership(partnership=friendship, on=D(2021, 1, 1), reason="Not renewed")
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
        "A published partnership's “kind” is not edited directly: use the action “Upgrade”, "
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
    either = ["Give the reason in English, in Korean or both: “Reason (English)” or “Reason (Korean)”."]
    assert refused.context["form"].errors == {"reason": either, "reason_ko": either}
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
    from .test_staff import form_data

    url = f"/admin/registry/partnership/{friendship.pk}/change/"
    data = {**form_data(staff_client.get(url)), "kind": "sister"}
    response = staff_client.post(url, data)
    assert response.status_code == HTTPStatus.OK
    assert "“Upgrade”" in response.context["adminform"].form.errors["kind"][0]
    response = staff_client.post(url, {**data, "change_reason": "Misread list"})
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    friendship.refresh_from_db()
    assert friendship.kind == "sister"
    assert friendship.history.first().history_change_reason == "Misread list"


def earlier_relation(friendship):
    """An ended relation of ``friendship``'s two cities, recorded from the other side."""
    return PartnershipFactory(
        city=friendship.partner,
        partner=friendship.city,
        established_on=D(2001, 1, 1),
        ended_on=D(2005, 1, 1),
        status="ended",
    )


def predecessor_refused(client, url: str, data: dict, predecessor) -> list[str]:
    """The change form ``url`` posted with ``data`` and ``predecessor`` as "follows": refused
    (the form shown again, 200), its errors on the field."""
    refused = client.post(url, {**data, "predecessor": str(predecessor.pk)})
    assert refused.status_code == HTTPStatus.OK
    return refused.context["adminform"].form.errors["predecessor"]


def test_a_partnership_follows_only_a_relation_of_its_own_two_cities_never_itself(staff_client, home, friendship):
    """The admin's "follows" (``predecessor``) offered every partnership: a relation could be
    saved as following itself, or a relation of other cities. The form names the field and the
    rule; the table refuses the first too (``partnership_not_its_own_predecessor``), for a write
    that skips validation."""
    from django.db import IntegrityError, transaction

    from .test_staff import form_data

    other = PartnershipFactory(city=home, partner=CityFactory(country="FR"), established_on=D(2010, 1, 1))
    url = f"/admin/registry/partnership/{friendship.pk}/change/"
    data = form_data(staff_client.get(url))
    assert predecessor_refused(staff_client, url, data, friendship) == [
        "A partnership cannot follow itself: choose the relation it continues."
    ]
    assert predecessor_refused(staff_client, url, data, other) == [
        "The relation this one follows must be one of the same two cities (an upgrade continues their relation)."
    ]
    friendship.refresh_from_db()
    assert friendship.predecessor_id is None
    earlier = earlier_relation(friendship)
    saved = staff_client.post(url, {**data, "predecessor": str(earlier.pk)})
    assert saved.status_code == HTTPStatus.FOUND, saved.context["adminform"].form.errors
    assert Partnership.objects.get(pk=friendship.pk).predecessor == earlier  # the same two cities, either side
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.filter(pk=other.pk).update(predecessor=other.pk)


def test_a_partnership_does_not_follow_the_relation_that_follows_it(staff_client, home, friendship):
    """The admin saved an upgraded friendship city as following its own sister city (each then
    followed the other), and the sister city's page read "Upgraded to the friendship city
    relation" (new-user probe). The form names the field and the rule, in English and Korean."""
    from django.utils import translation

    from .test_staff import form_data

    earlier = earlier_relation(friendship)
    Partnership.objects.filter(pk=friendship.pk).update(predecessor=earlier)
    url = f"/admin/registry/partnership/{earlier.pk}/change/"
    data = form_data(staff_client.get(url))
    assert predecessor_refused(staff_client, url, data, friendship) == [
        "The relation chosen already follows this one: a partnership cannot follow its own successor."
    ]
    assert Partnership.objects.get(pk=earlier.pk).predecessor_id is None
    earlier.predecessor = friendship
    with translation.override("ko"):
        with pytest.raises(ValidationError) as refusal:
            earlier.full_clean()
        assert refusal.value.message_dict["predecessor"] == [
            "선택한 관계가 이미 이 관계를 잇고 있습니다. 교류 관계는 자신을 잇는 관계를 이을 수 없습니다."
        ]


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


def test_an_action_answers_with_the_etag_for_the_next_if_match_and_an_upgrade_with_its_location(friendship, superuser):
    """As every write answers: the ``ETag`` a ``GET`` of the record gives, so that suspend then
    resume chain with ``If-Match`` and no read between; an upgrade's 201 names the new record
    (adversarial probe: neither was sent)."""
    api = token_client(superuser)
    url = f"/api/v1/partnerships/{friendship.pk}/"
    suspended = api.post(f"{url}suspend/", {"on": "2022-03-01", "reason": "War"}, format="json")
    assert suspended.status_code == HTTPStatus.OK
    assert suspended["ETag"] == api.get(url)["ETag"]
    resumed = api.post(
        f"{url}resume/", {"on": "2023-03-01", "reason": "Peace"}, format="json", HTTP_IF_MATCH=suspended["ETag"]
    )
    assert resumed.status_code == HTTPStatus.OK, resumed.content
    upgraded = api.post(
        f"{url}upgrade/", {"on": "2024-03-01", "reason": "Council"}, format="json", HTTP_IF_MATCH=resumed["ETag"]
    )
    assert upgraded.status_code == HTTPStatus.CREATED, upgraded.content
    new = upgraded.json()["id"]
    assert upgraded["Location"].endswith(f"/api/v1/partnerships/{new}/")
    assert upgraded["ETag"] == api.get(f"/api/v1/partnerships/{new}/")["ETag"]


def test_options_offers_an_action_only_to_whoever_may_change_the_partnership(friendship, office):
    """An office's account is not offered the form of an action on another city's partnership,
    which it would be refused (403), and is offered it on its own city's (adversarial probe)."""
    api = token_client(office)
    own = PartnershipFactory(city=office.home, partner=CityFactory(country="JP"))
    assert api.post(
        f"/api/v1/partnerships/{friendship.pk}/renew/", {"on": "2024", "reason": "r"}, format="json"
    ).status_code == (HTTPStatus.FORBIDDEN)
    assert "actions" not in api.options(f"/api/v1/partnerships/{friendship.pk}/renew/").json()
    assert set(api.options(f"/api/v1/partnerships/{own.pk}/renew/").json()["actions"]["POST"]) == {
        "on",
        "reason",
        "reason_ko",
        "sources",
    }


# --------------------------------------------------------------------------- history


def test_a_patch_of_only_sources_and_fields_is_in_the_history_with_its_difference(friendship, superuser):
    from .factories import SourceFactory

    first, second = SourceFactory(slug="first"), SourceFactory(slug="second")
    services.save_record(instance=friendship, data={"sources": [first]})
    before = friendship.history.count()
    response = token_client(superuser).patch(
        f"/api/v1/partnerships/{friendship.pk}/",
        {"sources": ["second"]},
        format="json",
        HTTP_X_CHANGE_REASON="Better source",
    )
    assert response.status_code == HTTPStatus.OK, response.content
    assert friendship.history.count() == before + 1
    new, old = friendship.history.all()[:2]
    delta = new.diff_against(old)
    assert [change.field for change in delta.changes] == ["sources"]
    (change,) = delta.changes
    assert [row["source"] for row in change.old] == [first.pk]
    assert [row["source"] for row in change.new] == [second.pk]
    assert new.history_change_reason == "Better source"


def test_restoring_a_deleted_partnership_brings_back_its_sources_fields_and_stages(friendship):
    from registry.models import CooperationField

    source = SourceFactory()
    field = CooperationField.objects.create(slug="film", name_en="Film")
    services.save_record(instance=friendship, data={"sources": [source], "fields": [field]})
    services.renew_partnership(partnership=friendship, on=D(2019, 6, 30), reason="Five more years", sources=[source])
    pk = friendship.pk
    services.delete_record(instance=friendship)
    restored = services.restore_deleted(model=Partnership, pk=pk)
    restored = Partnership.objects.get(pk=restored.pk)
    assert list(restored.sources.all()) == [source]
    assert list(restored.fields.all()) == [field]
    stage = restored.stages.get()
    assert (stage.kind, list(stage.sources.all())) == ("renewed", [source])
    assert restored.history.first().history_change_reason == "Restored after deletion"


@pytest.mark.parametrize("kind", ["partnership", "agreement", "city"])
def test_reverting_to_a_version_brings_back_its_sources_and_relations(client, superuser, friendship, kind):
    """Revert from the admin's history to the first version: the many-to-many rows of that version
    come back (a partnership's sources and fields, an agreement's parties, a city's sources)."""
    from django.urls import reverse

    from registry.models import CooperationField

    from .factories import AgreementFactory, OrganizationFactory
    from .test_staff import form_data

    old_source, new_source = SourceFactory(), SourceFactory()
    if kind == "partnership":
        record, relation, old, new = friendship, "fields", None, None
        old = [CooperationField.objects.create(slug="film", name_en="Film")]
        new = [CooperationField.objects.create(slug="trade", name_en="Trade")]
    elif kind == "agreement":
        record, relation = AgreementFactory(), "parties"
        old, new = [OrganizationFactory()], [OrganizationFactory()]
    else:
        record, relation = friendship.partner, None
        old, new = None, None
    first = {"sources": [old_source], **({relation: old} if relation else {})}
    services.save_record(instance=record, data=first)
    version = record.history.first()
    later = {"sources": [new_source], **({relation: new} if relation else {})}
    services.save_record(instance=record, data=later)
    assert list(record.sources.all()) == [new_source]

    client.force_login(superuser)
    url = reverse(f"admin:registry_{kind}_simple_history", args=[record.pk, version.history_id])
    page = client.get(url)
    data = {name: value for name, value in form_data(page).items() if name != "document"}
    assert data["sources"] == [str(old_source.pk)]
    response = client.post(url, {**data, "change_reason": "Back to the first version"})
    assert response.status_code == HTTPStatus.FOUND, page.context["adminform"].form.errors
    record.refresh_from_db()
    assert list(record.sources.all()) == [old_source]
    if relation:
        assert list(getattr(record, relation).all()) == old
    assert record.history.filter(history_change_reason="Back to the first version").exists()


# --------------------------------------------------------------------------- shipped data and pages


def test_shipped_data_has_the_lives_the_research_notes_give(shipped_data):
    fukuoka = Partnership.objects.get(partner__slug="fukuoka", kind="sister")
    before = fukuoka.predecessor
    assert (before.kind, before.established_on, before.ended_on) == ("friendship", D(1989, 10, 24), D(2007, 2, 2))
    assert list(before.stages.values_list("kind", "on")) == [("signed", D(1989, 10, 24)), ("upgraded", D(2007, 2, 2))]
    vladivostok = Partnership.objects.get(partner__slug="vladivostok")
    assert list(vladivostok.stages.values_list("kind", "on")) == [
        ("signed", D(1992, 6, 30)),
        ("renewed", D(2012, 6, 30)),
    ]
    chongqing = Partnership.objects.get(partner__slug="chongqing")
    assert list(chongqing.stages.values_list("kind", "on")) == [
        ("letter_of_intent", D(2010, 10, 4)),
        ("signed", D(2010, 12, 2)),
    ]
    for stage in PartnershipStage.objects.exclude(partnership__partner__slug="hokkaido"):
        assert stage.sources.count() >= 2, stage  # its own source and the research notes
    # Hokkaido: a letter of intent that never reached signature; the research notes are its source.
    hokkaido = Partnership.objects.get(partner__slug="hokkaido")
    assert (hokkaido.status, hokkaido.established_on) == ("proposed", None)
    stage = hokkaido.stages.get()
    assert (stage.kind, stage.on) == ("letter_of_intent", D(2005, 12, 14))
    assert list(stage.sources.values_list("slug", flat=True)) == ["busan-partners-research-2022"]
    home = vladivostok.city
    # Fukuoka counts once on every date: as the 1989 agreement, then as the sister city.
    for day in (D(1995, 1, 1), D(2007, 2, 1), D(2007, 2, 2), D(2022, 9, 21)):
        assert Partnership.objects.involving(home).in_force_on(day).filter(partner__slug="fukuoka").count() == 1
    assert network.network_summary(home, D(2022, 9, 21)).partner_cities == 38
    assert network.network_summary(home, D(2022, 9, 13)).countries == 27
    assert count(home, D(2010, 10, 11))[0] == count(home, D(2010, 12, 1))[0]  # the letter of intent never counts


def test_city_page_shows_the_life_of_each_relation_with_sources(client, shipped_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        response = client.get("/cities/vladivostok/")
    text = response.content.decode()
    assert "The life of each relation" in text
    assert "renewed" in text and "30 June 2012" in text
    assert "primorye24.ru" in text
    fukuoka = client.get("/cities/fukuoka/").content.decode()
    assert "Follows the friendship city relation (established 24 October 1989)." in fukuoka
    assert "Administrative exchange agreement." in fukuoka


@pytest.fixture
def upgraded(friendship):
    """``friendship`` upgraded to a sister city on 1 March 2020: (the old relation, its successor)."""
    sister = services.upgrade_partnership(partnership=friendship, on=D(2020, 3, 1), reason="Council approved")
    friendship.refresh_from_db()
    return friendship, sister


def test_an_upgraded_relations_pages_link_forward_to_its_successor(upgraded):
    """A reader landing on the old friendship city (its page or its partner city's) finds the sister
    city relation that replaced it, as the new one names the relation it follows."""
    old, sister = upgraded
    client = Client()
    forward = (
        f'Upgraded to the <a href="/partnerships/{sister.pk}/">sister city relation</a> (established 1 March 2020).'
    )
    for url in (old.get_absolute_url(), old.partner.get_absolute_url()):
        assert forward in client.get(url).text, url
    new_page = client.get(sister.get_absolute_url()).text
    assert "Follows the friendship city relation (established 1 May 2016)." in new_page
    assert "Upgraded to the" not in new_page  # the sister city relation has no successor
    korean = client.get(f"/ko/partnerships/{old.pk}/").text
    assert (
        f'2020년 3월 1일에 맺은 <a href="/ko/partnerships/{sister.pk}/">자매도시 관계</a>로 격상되었습니다.' in korean
    )


def test_a_draft_successor_is_linked_for_staff_but_not_for_the_public(upgraded, superuser):
    old, sister = upgraded
    sister.publication = Publication.DRAFT
    sister.save()
    anonymous, staff = Client(), Client()
    staff.force_login(superuser)
    link = f'<a href="/partnerships/{sister.pk}/">sister city relation</a>'
    for url in (old.get_absolute_url(), old.partner.get_absolute_url()):
        page = anonymous.get(url)
        assert page.status_code == HTTPStatus.OK
        assert "Upgraded to the" not in page.text and f"/partnerships/{sister.pk}/" not in page.text, url
        assert link in staff.get(url).text, url


def test_a_draft_successor_carries_the_draft_mark_for_staff_only(upgraded, superuser):
    """Staff see a draft successor linked with the site's draft mark (includes/draft_mark.html);
    a published one has no mark, and the public sees neither the draft nor its mark."""
    old, sister = upgraded
    anonymous, staff = Client(), Client()
    staff.force_login(superuser)
    mark = '<span class="draft-mark">Draft: shown to staff only</span>'
    for url in (old.get_absolute_url(), old.partner.get_absolute_url()):
        assert "Upgraded to the" in staff.get(url).text and mark not in staff.get(url).text, url
    sister.publication = Publication.DRAFT
    sister.save()
    cache.clear()
    for url in (old.get_absolute_url(), old.partner.get_absolute_url()):
        page = staff.get(url).text
        successor = page[page.index('<p class="successor">') :]
        successor = successor[: successor.index("</p>")]
        assert f'<a href="/partnerships/{sister.pk}/">sister city relation</a>' in successor, url
        assert mark in successor, url
        public = anonymous.get(url)
        assert public.status_code == HTTPStatus.OK
        assert "draft-mark" not in public.text and f"/partnerships/{sister.pk}/" not in public.text, url
    korean = staff.get(f"/ko/partnerships/{old.pk}/").text
    assert '<span class="draft-mark">초안: 직원에게만 보입니다</span>' in korean


def test_the_successor_costs_no_query_on_the_relation_and_city_pages(upgraded, django_assert_num_queries):
    old, sister = upgraded
    client = Client()

    def queries(url: str) -> int:
        cache.clear()  # the network summary and the response are cached otherwise
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == HTTPStatus.OK
        return len(captured)

    # The relation's page, as before the successor was shown: the partnership with both cities, its
    # predecessor and its successor (whether the reader may see it is a subquery of the same row);
    # fields, sources, both cities' names, stages, their sources, claims; agreements, events,
    # delegations; the data last changed (the footer's).
    cache.clear()
    with django_assert_num_queries(12):
        client.get(old.get_absolute_url())
    city = old.partner.get_absolute_url()
    one = queries(city)
    # A second upgraded relation of the same city adds rows, not queries.
    second = PartnershipFactory(
        city=CityFactory(country="KR"),
        partner=old.partner,
        kind=Partnership.Kind.FRIENDSHIP,
        established_on=D(2010, 1, 1),
    )
    services.upgrade_partnership(partnership=second, on=D(2015, 6, 1), reason="Council approved")
    assert queries(city) == one
    assert client.get(city).text.count("Upgraded to the") == 2


# --------------------------------------------------------------------------- the date range


def test_a_date_outside_the_range_is_refused_by_the_api_admin_and_import(api_client, friendship, superuser):
    from registry.models import Event

    api = token_client(superuser)
    response = api.patch(f"/api/v1/partnerships/{friendship.pk}/", {"ended_on": "1700"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["ended_on"][0] == {
        "message": "Enter a date between 1800-01-01 and 2200-12-31.",
        "code": "date_out_of_range",
    }
    response = api.post(
        f"/api/v1/partnerships/{friendship.pk}/suspend/", {"on": "2300-01-01", "reason": "x"}, format="json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["on"][0]["code"] == "date_out_of_range"
    assert api_client.get("/api/v1/partnerships/?in_force_on=1799-12-31").status_code == HTTPStatus.BAD_REQUEST
    event = Event(title_en="Far", slug="far", kind="other", start_on=D(2201, 1, 1), city=friendship.partner)
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "start_on" in error.value.message_dict


@pytest.mark.parametrize("action", sorted(services.PARTNERSHIP_ACTIONS))
def test_every_api_action_names_its_own_date_field_on_a_refusal(friendship, superuser, action):
    """Each action's request field is ``on``; a refusal of its date names ``on`` (End's errors were
    keyed ``ended_on``, a field its request does not have)."""
    api = token_client(superuser)
    response = api.post(
        f"/api/v1/partnerships/{friendship.pk}/{action}/", {"on": "2300-01-01", "reason": "Far"}, format="json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    errors = response.json()["errors"]
    assert set(errors) <= {"on", "status"}, errors
    if action not in {"sign", "resume"}:  # these refuse the status first (not proposed, not suspended)
        assert errors["on"][0]["code"] == "date_out_of_range"


def test_an_action_recorded_twice_on_one_date_is_refused_on_its_date(friendship, superuser):
    """The second Renew on the same date breaks the stage's natural key (one stage of a kind per
    date): the refusal names the request's field ``on`` and the rule (it was a non-field error
    coded ``invalid``), and nothing is recorded twice."""
    api = token_client(superuser)
    url = f"/api/v1/partnerships/{friendship.pk}/renew/"
    assert api.post(url, {"on": "2020-11", "reason": "Renewed"}, format="json").status_code == HTTPStatus.OK
    response = api.post(url, {"on": "2020-11", "reason": "Again"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    errors = response.json()["errors"]
    assert list(errors) == ["on"], errors
    assert errors["on"][0]["code"] == "partnershipstage_natural_key"
    assert friendship.stages.filter(kind="renewed").count() == 1


def test_the_admin_refuses_a_date_outside_the_range(staff_client, friendship):
    page = staff_client.post(
        "/admin/registry/partnership/",
        {
            "action": "suspend_partnerships",
            "_selected_action": [friendship.pk],
            "apply": "1",
            "on": "1799-12-31",
            "precision": "day",
            "reason": "Too early",
        },
    )
    assert page.context["form"].errors == {"on": ["Enter a date between 1800-01-01 and 2200-12-31."]}
    friendship.refresh_from_db()
    assert friendship.status == "active"


def test_an_admin_date_is_checked_at_its_precision_as_it_is_stored(staff_client, friendship):
    """The admin's form gives a full date and a precision: the action checks the date it stores
    (a year is its 1 January). 2022-12-31 at year precision passed the order check and was stored
    as 2022-01-01, before the relation's resumption: suspended, yet counted in force."""
    services.suspend_partnership(partnership=friendship, on=D(2022, 3, 1), reason="War")
    services.resume_partnership(partnership=friendship, on=D(2022, 6, 1), reason="Peace")
    page = staff_client.post(
        "/admin/registry/partnership/",
        {
            "action": "suspend_partnerships",
            "_selected_action": [friendship.pk],
            "apply": "1",
            "on": "2022-12-31",
            "precision": "year",
            "reason": "Again",
        },
        follow=True,
    )
    assert "before the relation" in page.content.decode()
    friendship.refresh_from_db()
    assert friendship.status == "active"
    assert friendship.stages.filter(kind="suspended").count() == 1
    with pytest.raises(ValidationError) as error:
        services.end_partnership(partnership=friendship, on=D(2022, 12, 31), precision="year", reason="Over")
    assert error.value.error_dict["on"][0].code == "stage_out_of_order"


ACTIONS_URL = "/admin/registry/partnership/"


@pytest.mark.parametrize(
    ("typed", "precision", "stored"),
    [
        ("2023", "year", (D(2023, 1, 1), "year")),
        ("2023-06", "month", (D(2023, 6, 1), "month")),
        ("2023-06", "year", (D(2023, 1, 1), "year")),
        ("2023-06-15", "year", (D(2023, 1, 1), "year")),  # a full date at a coarser precision, truncated
        ("2023-06-15", "day", (D(2023, 6, 15), "day")),
    ],
)
def test_the_admin_action_takes_a_date_written_to_its_precision(staff_client, friendship, typed, precision, stored):
    """The action form's date reads as the API's ``on`` (``dates.parse_partial_date``): ``2023``
    with precision year was “Enter a valid date.”."""
    chosen = {"action": "suspend_partnerships", "_selected_action": [friendship.pk]}
    done = staff_client.post(
        ACTIONS_URL, {**chosen, "apply": "1", "on": typed, "precision": precision, "reason": "War"}
    )
    assert done.status_code == HTTPStatus.FOUND, done.context["form"].errors
    stage = friendship.stages.get()
    assert (stage.kind, stage.on, stage.precision) == ("suspended", *stored)


@pytest.mark.parametrize(
    ("typed", "precision", "error"),
    [
        (
            "2023",
            "day",
            "“2023” gives the year only, but “Precision of the date” says day: give the full date, "
            "or choose year in “Precision of the date”.",
        ),
        (
            "2023-06",
            "day",
            "“2023-06” gives the month only, but “Precision of the date” says day: give the full date, "
            "or choose month in “Precision of the date”.",
        ),
        (
            "2023",
            "month",
            "“2023” gives the year only, but “Precision of the date” says month: give the full date, "
            "or choose year in “Precision of the date”.",
        ),
        ("June 2023", "month", "Enter a date as YYYY, YYYY-MM or YYYY-MM-DD (e.g. 1966, 1966-06 or 1966-06-30)."),
        (
            "2023-02-30",
            "day",
            "“2023-02-30” is written as a date but names no day of the calendar: a month is 01 to 12, a day at "
            "most the month's last (28 to 31), a year 0001 or later.",
        ),
        ("1799", "year", "Enter a date between 1800-01-01 and 2200-12-31."),
    ],
)
def test_the_admin_action_refuses_a_date_coarser_than_its_precision_on_the_date(
    staff_client, friendship, typed, precision, error
):
    chosen = {"action": "suspend_partnerships", "_selected_action": [friendship.pk]}
    page = staff_client.post(
        ACTIONS_URL, {**chosen, "apply": "1", "on": typed, "precision": precision, "reason": "War"}
    )
    assert page.status_code == HTTPStatus.OK
    assert page.context["form"].errors == {"on": [error]}
    assert not friendship.stages.exists()


def test_the_admin_action_form_says_what_date_may_be_typed(staff_client, friendship, settings):
    chosen = {"action": "suspend_partnerships", "_selected_action": [friendship.pk]}
    text = staff_client.post(ACTIONS_URL, chosen).content.decode()
    assert "YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2024, 2024-06 or 2024-06-30)" in text
    korean = staff_client.post(ACTIONS_URL, chosen, headers={"accept-language": "ko"}).content.decode()
    assert "YYYY, YYYY-MM 또는 YYYY-MM-DD" in korean


def test_a_refused_action_on_one_partnership_shows_its_form_again_with_the_error_on_the_field(staff_client, friendship):
    """The refusal was a message on the change list, and the date, reason and sources typed were
    lost; now the form comes back with them and the error under the date."""
    services.suspend_partnership(partnership=friendship, on=D(2022, 3, 1), reason="War")
    source = SourceFactory(title="Busan Ilbo")
    chosen = {"action": "resume_partnerships", "_selected_action": [friendship.pk], "apply": "1"}
    typed = {"on": "2021-06", "precision": "month", "reason": "Peace talks", "sources": [source.pk]}
    page = staff_client.post(ACTIONS_URL, {**chosen, **typed})
    assert page.status_code == HTTPStatus.OK
    assert page.templates[0].name == "admin/registry/partnership_action.html"
    form = page.context["form"]
    assert form.errors == {"on": ["A partnership cannot resume before it was suspended."]}
    assert form.errors.as_data()["on"][0].code == "resume_early"
    text = page.content.decode()
    assert 'name="on" value="2021-06"' in text
    assert ">\nPeace talks</textarea>" in text
    assert f'<option value="{source.pk}" selected>Busan Ilbo</option>' in text
    assert not any("Refused" in str(message) for message in page.context["messages"])
    friendship.refresh_from_db()
    assert friendship.status == "suspended"


def test_a_refusal_about_the_partnerships_state_shows_above_the_form(staff_client, friendship):
    chosen = {"action": "resume_partnerships", "_selected_action": [friendship.pk], "apply": "1"}
    page = staff_client.post(ACTIONS_URL, {**chosen, "on": "2023", "precision": "year", "reason": "Peace"})
    assert page.status_code == HTTPStatus.OK
    form = page.context["form"]
    assert form.errors == {"__all__": ["Only a suspended partnership can be resumed."]}
    assert '<ul class="errorlist nonfield"><li>Only a suspended partnership can be resumed.</li></ul>' in (
        page.content.decode()
    )


def test_a_refusal_among_several_partnerships_is_a_message_beside_those_done(staff_client, home, friendship):
    """Several selected: some may be done, so the change list says which were refused."""
    suspended = PartnershipFactory(city=home, partner=CityFactory(name_en="Osh"), established_on=D(2016, 5, 1))
    services.suspend_partnership(partnership=suspended, on=D(2022, 3, 1), reason="War")
    chosen = {"action": "resume_partnerships", "_selected_action": [friendship.pk, suspended.pk], "apply": "1"}
    response = staff_client.post(ACTIONS_URL, {**chosen, "on": "2023", "precision": "year", "reason": "Peace"})
    assert response.status_code == HTTPStatus.FOUND
    from django.contrib.messages import get_messages

    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert texts == [
        "Resume: 1 partnership.",
        f"Refused: {friendship}: Only a suspended partnership can be resumed.",
    ]
    suspended.refresh_from_db()
    assert suspended.status == "active"


def test_an_import_row_with_a_date_outside_the_range_is_an_error(friendship):
    import tablib

    from registry.resources import PartnershipResource

    dataset = tablib.Dataset(headers=["city", "partner", "kind", "established_on", "publication"])
    dataset.append([friendship.city.slug, CityFactory(slug="far").slug, "sister", "2201-01-01", "draft"])
    result = PartnershipResource().import_data(dataset, dry_run=True)
    assert result.has_validation_errors()
    (row,) = result.invalid_rows
    assert row.field_specific_errors["established_on"] == ["Enter a date between 1800-01-01 and 2200-12-31."]


# --------------------------------------------------------------------------- claims


def test_conflicting_claims_appear_on_the_page_and_in_the_api_with_their_sources(client, api_client, shipped_data):
    los_angeles = Partnership.objects.get(partner__slug="los-angeles")
    page = client.get("/cities/los-angeles/").content.decode()
    assert "Sources differ:" in page
    assert "1967-12-18" in page and "1971-04-05" in page
    assert "web.archive.org/web/20090502011637/http://www.lacity.org/SisterCities/html/07.htm" in page
    body = api_client.get(f"/api/v1/partnerships/{los_angeles.pk}/").json()
    claims = [(c["fact"], c["value"], c["preferred"]) for c in body["claims"]]
    assert claims == [("established_on", "1967-12-18", True), ("established_on", "1971-04-05", False)]
    assert any("lacity.org" in source["url"] for source in body["claims"][1]["sources"])
    surabaya = Partnership.objects.get(partner__slug="surabaya")
    assert surabaya.claims.count() == 3 and surabaya.claims.filter(preferred=True).get().value == "1994-08-29"


def test_only_one_claimed_value_of_a_fact_is_preferred(friendship):
    from registry.models import Claim

    Claim.objects.create(partnership=friendship, fact="established_on", value="2016-05-01", preferred=True)
    second = Claim(partnership=friendship, fact="established_on", value="2016-06-01", preferred=True)
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert error.value.message_dict == {"preferred": ["Only one claimed value of a fact can be preferred."]}


def test_the_partnership_list_reads_stages_and_claims_in_a_fixed_number_of_queries(
    api_client, shipped_data, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        assert api_client.get("/api/v1/partnerships/?page_size=100").status_code == HTTPStatus.OK


def test_an_action_dated_in_the_future_or_before_the_latest_stage_is_refused(home):
    """A stage records what has happened: a suspension dated 2030 is refused (it would change the
    status today while the counts wait for 2030), and an end cannot come before the latest stage."""
    partnership = PartnershipFactory(city=home, partner=CityFactory(slug="beijing"), established_on=D(1993, 1, 1))
    tomorrow = timezone.localdate() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as refused:
        services.suspend_partnership(partnership=partnership, on=tomorrow, reason="Planned")
    assert refused.value.error_dict["on"][0].code == "date_in_future"
    partnership.refresh_from_db()  # nothing was stored; the refused call had changed the instance
    assert partnership.status == "active"
    services.suspend_partnership(partnership=partnership, on=D(2020, 1, 1), reason="Dispute")
    with pytest.raises(ValidationError) as refused:
        services.end_partnership(partnership=partnership, on=D(2019, 1, 1), reason="Closed")
    assert refused.value.error_dict["on"][0].code == "stage_out_of_order"
    partnership.refresh_from_db()
    assert partnership.status == "suspended" and partnership.ended_on is None


def test_an_ended_partnership_is_not_ended_again(home):
    partnership = PartnershipFactory(city=home, partner=CityFactory(slug="closed"), established_on=D(1993, 1, 1))
    services.end_partnership(partnership=partnership, on=D(2020, 1, 1), reason="Closed")
    with pytest.raises(ValidationError) as refused:
        services.end_partnership(partnership=partnership, on=D(2021, 1, 1), reason="Again")
    assert refused.value.error_dict["status"][0].code == "partnership_ended"
    partnership.refresh_from_db()
    assert partnership.ended_on == D(2020, 1, 1) and partnership.stages.filter(kind="ended").count() == 1


@pytest.mark.parametrize("kind", ["partnership", "agreement", "event", "delegation"])
def test_a_draft_detail_page_carries_the_draft_mark_for_staff(kind, superuser):
    """Staff open a draft partnership, agreement, event or delegation with nothing saying the
    public cannot see it (a new user); its heading now carries the site's draft mark, and a
    published record's does not. The public gets no draft at all."""
    from .factories import AgreementFactory, DelegationFactory, EventFactory

    factory = {
        "partnership": PartnershipFactory,
        "agreement": AgreementFactory,
        "event": EventFactory,
        "delegation": DelegationFactory,
    }[kind]
    record = factory(publication=Publication.DRAFT)
    staff = Client()
    staff.force_login(superuser)
    page = staff.get(record.get_absolute_url()).text
    heading = page[page.index("<h1") : page.index("</h1>")]
    assert '<span class="draft-mark">Draft: shown to staff only</span>' in heading
    assert Client().get(record.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    record.publication = Publication.PUBLISHED
    record.save()
    cache.clear()
    assert "draft-mark" not in staff.get(record.get_absolute_url()).text


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/partnerships/", "/cities/"),
        ("/partnerships/?kind=friendship&country=kz", "/cities/?kind=friendship&country=kz"),
        ("/ko/partnerships/", "/ko/cities/"),
        # The API's parameters of a partnership list are not the city list's: a 400 there (new-user probe).
        ("/partnerships/?ordering=-established_on&city=busan&country=kz", "/cities/?country=kz"),
        ("/partnerships/?utm_source=news&page=2", "/cities/?utm_source=news&page=2"),
        ("/partnerships/?format=json&page=abc&kind=sister", "/cities/?kind=sister"),
        ("/partnerships/?format=xlsx&page=last", "/cities/?format=xlsx&page=last"),
    ],
)
def test_the_partnerships_address_leads_to_the_partner_cities(client, path, target):
    """A new user tried /partnerships/ (each relation has /partnerships/<id>/): it was a 404; it
    leads to the list of the home city's partner cities, with the same filters and language."""
    response = client.get(path)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == target


def test_a_published_partnerships_cities_change_only_as_a_correction(friendship, superuser):
    """Found by the adversarial probe: a PATCH of ``partner`` with no reason moved an ended relation,
    and the past figures, to another country; swapping the two sides was accepted too."""
    elsewhere = CityFactory(slug="nagoya", country="JP")
    api = token_client(superuser)
    url = f"/api/v1/partnerships/{friendship.pk}/"
    swapped = {"city": friendship.partner.slug, "partner": friendship.city.slug}
    for body in ({"partner": "nagoya"}, swapped):
        response = api.patch(url, body, format="json")
        assert response.status_code == HTTPStatus.BAD_REQUEST, body
        codes = {name: [e["code"] for e in errors] for name, errors in response.json()["errors"].items()}
        assert set(codes) == set(body) and {c for found in codes.values() for c in found} == {"partnership_use_action"}
    message = api.patch(url, {"partner": "nagoya"}, format="json").json()["errors"]["partner"][0]["message"]
    assert message == "A published partnership's “partner city” is changed only as a correction, with a reason."
    response = api.patch(url, {"partner": "nagoya"}, format="json", HTTP_X_CHANGE_REASON="The wrong Japanese city")
    assert response.status_code == HTTPStatus.OK, response.content
    friendship.refresh_from_db()
    assert friendship.partner == elsewhere


def test_a_reason_that_shows_nothing_is_no_reason(friendship, superuser):
    """Found by the adversarial probe: a zero-width space as the reason (the API's body or header,
    the admin's field, an action's) let a published partnership's sides be swapped. It is now
    refused as a reason holding a character that hides text (helper-110), and a reason of spaces
    alone as no reason."""
    api = token_client(superuser)
    url = f"/api/v1/partnerships/{friendship.pk}/"
    swapped = {"city": friendship.partner.slug, "partner": friendship.city.slug}
    for extra, headers in (
        ({"change_reason": "\u200b \u2060"}, {}),
        ({}, {"HTTP_X_CHANGE_REASON": "UTF-8''%E2%80%8B"}),
    ):
        response = api.patch(url, {**swapped, **extra}, format="json", **headers)
        assert response.status_code == HTTPStatus.BAD_REQUEST, (extra, headers)
        # Refused as a reason holding a character that hides text (validate_reason), as a name is.
        assert {e["code"] for e in response.json()["errors"]["change_reason"]} == {"hiding_character"}
    friendship.refresh_from_db()
    assert (friendship.city.slug, friendship.partner.slug) == (swapped["partner"], swapped["city"])
    for reason in (" ", ""):  # a reason of spaces only is no reason: the correction is refused as needing one
        response = api.patch(url, {**swapped, "change_reason": reason}, format="json")
        assert response.status_code == HTTPStatus.BAD_REQUEST, reason
        assert {e["code"] for e in response.json()["errors"]["partner"]} == {"partnership_use_action"}
    with pytest.raises(ValidationError) as refused:
        services.suspend_partnership(partnership=friendship, on=D(2022, 1, 1), reason="\u200b")
    assert list(refused.value.message_dict) == ["reason", "reason_ko"]


def test_the_cities_of_an_upgraded_relation_do_not_change_even_as_a_correction(friendship, superuser):
    """Found by the adversarial probe: correcting the partner of a sister city relation upgraded
    from a friendship left the ended friendship "upgraded to" a relation of another pair."""
    sister = services.upgrade_partnership(partnership=friendship, on=D(2020, 5, 1), reason="Upgraded")
    CityFactory(slug="nagoya", country="JP")
    api = token_client(superuser)
    for record in (sister, friendship):
        response = api.patch(
            f"/api/v1/partnerships/{record.pk}/",
            {"partner": "nagoya"},
            format="json",
            HTTP_X_CHANGE_REASON="Wrong city",
        )
        assert response.status_code == HTTPStatus.BAD_REQUEST, record
        assert [e["code"] for e in response.json()["errors"]["partner"]] == ["partnership_upgrade_cities"]
    assert {p.partner_id for p in Partnership.objects.filter(pk__in=[sister.pk, friendship.pk])} == {
        friendship.partner_id
    }


def test_ending_an_upgraded_relation_names_the_relation_that_goes_on(friendship):
    """Found by a new user: End right after Upgrade said only "This partnership has already ended."."""
    sister = services.upgrade_partnership(partnership=friendship, on=D(2020, 5, 1), reason="Upgraded")
    with pytest.raises(ValidationError) as refused:
        services.end_partnership(partnership=friendship, on=D(2021, 1, 1), reason="Lapsed")
    assert refused.value.message_dict == {
        "status": [f"This partnership has already ended: it was upgraded to “{sister}”, which goes on."]
    }
