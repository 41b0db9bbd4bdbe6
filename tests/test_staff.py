"""Staff editing that loses nothing: optimistic locking, roles, ending, history and restore."""

import datetime
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from registry.models import City, CityName, Partnership

from .factories import CityFactory, PartnershipFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def form_data(response):
    """POST data equal to what the rendered admin change form would submit unchanged."""
    data = {}
    adminform = response.context["adminform"].form
    for name in adminform.fields:
        value = adminform[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif hasattr(value, "isoformat"):
            data[name] = value.isoformat()
        else:
            data[name] = value
    inlines = response.context["inline_admin_formsets"] if "inline_admin_formsets" in response.context else []
    for inline in inlines:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for form in formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is not None:
                    data[form.add_prefix(name)] = value
    return data


def member(role: str, **kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def viewer(db):
    return member("Registry viewers")


@pytest.fixture
def editor(db):
    return member("Registry editors")


@pytest.fixture
def manager(db):
    return member("Registry managers")


def change_url(obj):
    return reverse(f"admin:registry_{obj._meta.model_name}_change", args=[obj.pk])


def test_second_of_two_concurrent_admin_edits_is_refused(client, shipped_data, editor):
    almaty = Partnership.objects.get(partner__slug="almaty")
    alice, bob = client, type(client)()
    other = member("Registry editors", username="bob")
    alice.force_login(editor)
    bob.force_login(other)
    alice_data = form_data(alice.get(change_url(almaty)))
    bob_data = form_data(bob.get(change_url(almaty)))

    alice_data["notes"] = "Checked against the BFIC report."
    assert alice.post(change_url(almaty), alice_data).status_code == HTTPStatus.FOUND

    bob_data["status_reason"] = "Bob's edit"
    response = bob.post(change_url(almaty), bob_data)
    assert response.status_code == HTTPStatus.OK
    message = " ".join(response.context["adminform"].form.non_field_errors())
    assert "changed by" in message and editor.username in message
    assert "Checked against the BFIC report." in message

    almaty.refresh_from_db()
    assert almaty.notes == "Checked against the BFIC report."
    assert almaty.status_reason == ""
    assert almaty.version == 2


def test_unchanged_resubmission_after_reload_is_accepted(client, shipped_data, editor):
    city = City.objects.get(slug="almaty")
    client.force_login(editor)
    data = form_data(client.get(change_url(city)))
    data["notes"] = "First"
    assert client.post(change_url(city), data).status_code == HTTPStatus.FOUND
    data = form_data(client.get(change_url(city)))
    data["notes"] = "Second"
    assert client.post(change_url(city), data).status_code == HTTPStatus.FOUND
    city.refresh_from_db()
    assert (city.notes, city.version) == ("Second", 3)
    assert sorted(city.names.values_list("name", flat=True)) == ["Alma-Ata", "Verny"]


def test_groups_exist_and_no_account_is_created(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Registry viewers",
        "Registry editors",
        "Registry managers",
    }
    assert not User.objects.exists()


def test_viewer_sees_but_cannot_change(client, viewer):
    city = CityFactory()
    client.force_login(viewer)
    assert client.get(change_url(city)).status_code == HTTPStatus.OK
    response = client.post(change_url(city), {"name_en": "Changed"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert client.get(reverse("admin:registry_city_add")).status_code == HTTPStatus.FORBIDDEN
    city.refresh_from_db()
    assert city.name_en != "Changed"


def test_the_admin_index_offers_the_guided_entry_only_to_who_may_use_it(client, viewer, editor):
    link = reverse("admin:registry_partnership_record_new")
    for user, allowed in ((viewer, False), (editor, True)):
        client.force_login(user)
        assert (f'href="{link}"' in client.get(reverse("admin:index")).text) is allowed
        assert (client.get(link).status_code == HTTPStatus.OK) is allowed


def test_editor_changes_but_cannot_delete(client, editor):
    city = CityFactory()
    client.force_login(editor)
    assert client.get(reverse("admin:registry_city_add")).status_code == HTTPStatus.OK
    response = client.post(reverse("admin:registry_city_delete", args=[city.pk]), {"post": "yes"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert City.objects.filter(pk=city.pk).exists()
    assert client.get(reverse("admin:registry_city_deleted")).status_code == HTTPStatus.FORBIDDEN


def test_manager_restores_a_deleted_city_with_its_former_names(client, manager):
    city = CityFactory(slug="almaty", name_en="Almaty")
    CityName.objects.create(city=city, name="Alma-Ata", used_from=1921, used_until=1993)
    CityName.objects.create(city=city, name="Verny", used_from=1855, used_until=1921)
    client.force_login(manager)
    response = client.post(reverse("admin:registry_city_delete", args=[city.pk]), {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    assert not City.objects.filter(slug="almaty").exists()

    listing = client.get(reverse("admin:registry_city_deleted"))
    assert "Almaty" in listing.text
    response = client.post(reverse("admin:registry_city_deleted"), {"restore": city.pk})
    assert response.status_code == HTTPStatus.FOUND
    restored = City.objects.get(slug="almaty")
    assert sorted(restored.names.values_list("name", flat=True)) == ["Alma-Ata", "Verny"]
    assert City.objects.search("alma-ata").get() == restored


def test_a_refused_restore_names_the_field_and_the_rule_in_words(client, manager):
    """A restore the rules refuse (the slug was taken meanwhile) says which field and why, in the
    reader's language; it showed Python's dict of the error (``{'slug': [...]}``)."""
    from django.contrib.messages import get_messages

    city = CityFactory(slug="almaty", name_en="Almaty")
    client.force_login(manager)
    client.post(reverse("admin:registry_city_delete", args=[city.pk]), {"post": "yes"})
    CityFactory(slug="almaty", name_en="Almaty again")
    list(get_messages(client.get(reverse("admin:registry_city_deleted")).wsgi_request))  # the deletion's
    response = client.post(reverse("admin:registry_city_deleted"), {"restore": city.pk})
    assert response.status_code == HTTPStatus.OK
    [message] = [str(message) for message in get_messages(response.wsgi_request)]
    assert message.startswith("Not restored: Slug: "), message
    assert "{" not in message and "[" not in message
    url = reverse("admin:registry_city_deleted")
    korean = client.post(url, {"restore": city.pk + 1000}, HTTP_ACCEPT_LANGUAGE="ko")
    [message] = [str(message) for message in get_messages(korean.wsgi_request)]
    assert message.startswith("복원하지 못했습니다: ") and "never deleted" not in message, message


def test_an_admin_save_is_one_history_record_with_its_sources_and_a_revert_to_it_keeps_them(client, manager):
    """The history record of an admin save is taken once the sources are set: adding a city with a
    source is one "Created" record that cites it (there were two, the first without the source, so
    reverting to "Created" cleared the city's sources; found by a new user), and a change of the
    sources and a field is one record."""
    first, second = SourceFactory(), SourceFactory()
    client.force_login(manager)
    add = client.get(reverse("admin:registry_city_add"))
    data = {**form_data(add), "name_en": "Shymkent", "slug": "shymkent", "country": "KZ", "admin_level": "city"}
    data |= {"confidence": "high", "sources": [str(first.pk)], "save_anyway": "on"}
    response = client.post(reverse("admin:registry_city_add"), data)
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    city = City.objects.get(slug="shymkent")
    [created] = city.history.all()
    assert created.history_type == "+" and [row.source_id for row in created.sources.all()] == [first.pk]

    url = reverse("admin:registry_city_change", args=[city.pk])
    data = {**form_data(client.get(url)), "name_ko": "침켄트", "sources": [str(second.pk)]}
    assert client.post(url, data).status_code == HTTPStatus.FOUND
    assert city.history.count() == 2

    url = reverse("admin:registry_city_simple_history", args=[city.pk, created.history_id])
    response = client.post(url, form_data(client.get(url)))
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    city.refresh_from_db()
    assert (city.name_ko, list(city.sources.all())) == ("", [first])
    assert city.history.count() == 3


def test_only_managers_revert_to_an_earlier_version(client, editor, manager):
    city = CityFactory(name_en="Alma-Ata")
    city.name_en = "Almaty"
    city.save()
    old = city.history.order_by("history_date").first()
    url = reverse("admin:registry_city_simple_history", args=[city.pk, old.history_id])
    client.force_login(editor)
    page = client.get(url)
    assert page.status_code == HTTPStatus.OK
    data = form_data(page)
    assert client.post(url, data).status_code == HTTPStatus.FORBIDDEN
    client.force_login(manager)
    data = form_data(client.get(url))
    assert client.post(url, data).status_code == HTTPStatus.FOUND
    city.refresh_from_db()
    assert city.name_en == "Alma-Ata"
    assert city.history.first().history_user == manager


def test_history_page_shows_the_differences(client, manager):
    city = CityFactory(name_en="Alma-Ata")
    city.name_en = "Almaty"
    city.save()
    client.force_login(manager)
    response = client.get(reverse("admin:registry_city_history", args=[city.pk]))
    assert "Alma-Ata" in response.text and "Almaty" in response.text


def test_ending_a_partnership_is_an_action_not_a_delete(client, editor):
    partnership = PartnershipFactory(established_on=datetime.date(1992, 6, 30))
    client.force_login(editor)
    url = reverse("admin:registry_partnership_changelist")
    ask = client.post(url, {"action": "end_partnerships", "_selected_action": [partnership.pk]})
    assert ask.status_code == HTTPStatus.OK and "Reason (English)" in ask.text  # beside its Korean (new-user probe)
    done = client.post(
        url,
        {
            "action": "end_partnerships",
            "_selected_action": [partnership.pk],
            "apply": "1",
            "on": "2022-03-01",
            "precision": "day",
            "reason": "Suspended exchanges",
        },
    )
    assert done.status_code == HTTPStatus.FOUND
    partnership.refresh_from_db()
    assert (partnership.status, partnership.ended_on) == ("ended", datetime.date(2022, 3, 1))
    assert partnership.status_reason == "Suspended exchanges"


def test_ending_before_the_start_is_refused_and_changes_nothing(client, editor):
    partnership = PartnershipFactory(established_on=datetime.date(1992, 6, 30))
    client.force_login(editor)
    client.post(
        reverse("admin:registry_partnership_changelist"),
        {
            "action": "end_partnerships",
            "_selected_action": [partnership.pk],
            "apply": "1",
            "ended_on": "1990-01-01",
            "ended_precision": "day",
            "reason": "Typo",
        },
    )
    partnership.refresh_from_db()
    assert (partnership.status, partnership.ended_on) == ("active", None)


def api_client(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_second_of_two_concurrent_api_edits_of_almaty_is_412(shipped_data, editor):
    other = member("Registry editors", username="api-bob")
    almaty = Partnership.objects.get(partner__slug="almaty")
    url = f"/api/v1/partnerships/{almaty.pk}/"
    alice, bob = api_client(editor), api_client(other)
    alice_etag = alice.get(url)["ETag"]
    bob_etag = bob.get(url)["ETag"]
    first = alice.patch(url, {"notes": "Alice's note"}, format="json", HTTP_IF_MATCH=alice_etag)
    assert first.status_code == HTTPStatus.OK
    second = bob.patch(url, {"notes": "Bob's note"}, format="json", HTTP_IF_MATCH=bob_etag)
    assert second.status_code == HTTPStatus.PRECONDITION_FAILED
    almaty.refresh_from_db()
    assert almaty.notes == "Alice's note"
    assert almaty.history.first().history_user == editor


def test_a_revert_is_a_new_version_so_an_etag_read_before_it_is_refused(client, shipped_data, editor, manager):
    """A revert saved the old version's number plus one, a number already given out: a client
    holding the ETag of the version before the revert saved over it (new-user probe). The
    revert's history record says which version it went back to."""
    almaty = Partnership.objects.get(partner__slug="almaty")
    url = f"/api/v1/partnerships/{almaty.pk}/"
    alice = api_client(editor)
    first = alice.get(url)["ETag"]
    second = alice.patch(url, {"notes": "Alice's note"}, format="json", HTTP_IF_MATCH=first)
    assert second.status_code == HTTPStatus.OK
    stale = second["ETag"]
    old = almaty.history.order_by("history_id").first()
    revert = reverse("admin:registry_partnership_simple_history", args=[almaty.pk, old.history_id])
    client.force_login(manager)
    response = client.post(revert, form_data(client.get(revert)))
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    almaty.refresh_from_db()
    versions = list(almaty.history.values_list("version", flat=True))
    assert almaty.version == versions[0] == versions[1] + 1 and versions[0] not in versions[1:]
    assert almaty.notes == old.notes
    assert almaty.history.first().history_change_reason.startswith(f"Reverted to version {old.version} of ")
    late = alice.patch(url, {"notes": "Alice again"}, format="json", HTTP_IF_MATCH=stale)
    assert late.status_code == HTTPStatus.PRECONDITION_FAILED
    assert f"changed by {manager.username} (" in late.json()["detail"]


def test_a_412_names_each_author_since_the_version_read(shipped_data, editor, manager):
    """It named the last author for every change since: an editor's save after a manager's was
    shown as the editor's change of the manager's field (new-user probe)."""
    almaty = Partnership.objects.get(partner__slug="almaty")
    url = f"/api/v1/partnerships/{almaty.pk}/"
    read = api_client(editor).get(url)["ETag"]
    by_manager = api_client(manager).patch(url, {"notes": "Manager's note"}, format="json", HTTP_IF_MATCH=read)
    api_client(editor).patch(url, {"confidence": "medium"}, format="json", HTTP_IF_MATCH=by_manager["ETag"])
    late = api_client(editor).patch(url, {"notes": "Late"}, format="json", HTTP_IF_MATCH=read)
    assert late.status_code == HTTPStatus.PRECONDITION_FAILED
    assert f"changed by {manager.username}, you (" in late.json()["detail"]  # the editor's own save: "you"


def test_roles_in_the_api(viewer, editor, manager):
    city = CityFactory(slug="spare", name_en="Spare")
    url = "/api/v1/cities/spare/"
    assert api_client(viewer).get(url).status_code == HTTPStatus.OK
    assert api_client(viewer).patch(url, {"notes": "x"}, format="json").status_code == HTTPStatus.FORBIDDEN
    assert api_client(editor).patch(url, {"notes": "x"}, format="json").status_code == HTTPStatus.OK
    assert api_client(editor).delete(url).status_code == HTTPStatus.FORBIDDEN
    assert api_client(manager).delete(url).status_code == HTTPStatus.NO_CONTENT
    assert not City.objects.filter(pk=city.pk).exists()


def test_a_cited_source_cannot_be_deleted(client, shipped_data, manager):
    from django.db.models import ProtectedError

    from registry.models import CooperationField, Source

    source = Source.objects.get(slug="busan-partners-research-2022")
    with pytest.raises(ProtectedError):
        source.delete()
    client.force_login(manager)
    page = client.post(reverse("admin:registry_source_delete", args=[source.pk]), {"post": "yes"})
    assert page.status_code == HTTPStatus.OK and "Cannot delete source" in page.text
    response = api_client(manager).delete("/api/v1/cooperation-fields/culture/")
    assert response.status_code == HTTPStatus.CONFLICT
    assert Source.objects.filter(pk=source.pk).exists()
    assert CooperationField.objects.get(slug="culture").partnerships.exists()


def test_new_inline_rows_without_an_order_are_numbered_after_the_last(client, manager):
    from registry.models import ItineraryStop, Outcome

    from .factories import CityFactory, DelegationFactory

    delegation = DelegationFactory()
    Outcome.objects.create(delegation=delegation, order=3, kind="contract", description_en="First")
    first, second = CityFactory(), CityFactory()
    client.force_login(manager)
    data = form_data(client.get(change_url(delegation)))
    assert data.get("outcomes-0-order") == 3 and "itinerary-0-order" not in data
    data.update(
        {
            "outcomes-TOTAL_FORMS": "2",
            "outcomes-1-order": "",
            "outcomes-1-kind": "contract",
            "outcomes-1-description_en": "Second",
            "outcomes-1-amount_qualifier": "exact",
            "itinerary-TOTAL_FORMS": "2",
            "itinerary-0-order": "",
            "itinerary-0-city": first.pk,
            "itinerary-1-order": "",
            "itinerary-1-city": second.pk,
        }
    )
    response = client.post(change_url(delegation), data)
    assert response.status_code == HTTPStatus.FOUND, response.context["errors"] if response.context else response
    assert list(Outcome.objects.filter(delegation=delegation).values_list("description_en", "order")) == [
        ("First", 3),
        ("Second", 4),
    ]
    assert list(ItineraryStop.objects.filter(delegation=delegation).values_list("city", "order")) == [
        (first.pk, 1),
        (second.pk, 2),
    ]


def test_two_inline_rows_with_the_same_order_are_a_form_error(client, manager):
    from registry.models import Delegation, Outcome

    from .factories import DelegationFactory

    delegation = DelegationFactory()
    Outcome.objects.create(delegation=delegation, order=1, kind="contract", description_en="First")
    client.force_login(manager)
    data = form_data(client.get(change_url(delegation)))
    data.update(
        {
            "outcomes-TOTAL_FORMS": "2",
            "outcomes-1-order": "1",
            "outcomes-1-kind": "contract",
            "outcomes-1-description_en": "Second",
            "outcomes-1-amount_qualifier": "exact",
        }
    )
    response = client.post(change_url(delegation), data)
    assert response.status_code == HTTPStatus.OK
    assert "already has order 1" in response.text
    assert Delegation.objects.get(pk=delegation.pk).outcomes.count() == 1


def test_an_itinerary_stop_outside_the_delegation_s_dates_is_a_field_error(client, manager):
    import datetime

    from registry.models import ItineraryStop

    from .factories import CityFactory, DelegationFactory

    delegation = DelegationFactory(start_on=datetime.date(2026, 10, 5), end_on=datetime.date(2026, 10, 6))
    client.force_login(manager)
    data = form_data(client.get(change_url(delegation)))
    data.update(
        {
            "itinerary-TOTAL_FORMS": "1",
            "itinerary-0-city": CityFactory().pk,
            "itinerary-0-arrive_on": "2026-10-02",
            "itinerary-0-depart_on": "2026-10-06",
        }
    )
    response = client.post(change_url(delegation), data)
    assert response.status_code == HTTPStatus.OK
    assert "The delegation runs from 2026-10-05 to 2026-10-06" in response.text
    assert not ItineraryStop.objects.filter(delegation=delegation).exists()
    data["itinerary-0-arrive_on"] = "2026-10-05"
    assert client.post(change_url(delegation), data).status_code == HTTPStatus.FOUND
    assert ItineraryStop.objects.get(delegation=delegation).order == 1


@pytest.mark.parametrize("group", ["Registry viewers", "Registry editors", "Registry managers"])
def test_every_staff_group_sees_a_partnerships_stages_and_claims(client, group):
    """Migrations 0007 and 0017 created stages and claims without granting them to any group, so
    only superusers saw these inlines of a partnership (fresh-clone probe)."""
    from django.contrib.auth.models import Group

    from registry.models import Claim, PartnershipStage

    from .factories import PartnershipFactory, UserFactory

    partnership = PartnershipFactory()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    page = client.get(f"/admin/registry/partnership/{partnership.pk}/change/")
    assert page.status_code == 200
    inlines = {inline.opts.model for inline in page.context["inline_admin_formsets"]}
    assert inlines == {PartnershipStage, Claim}
    assert user.has_perm("registry.change_partnershipstage") == (group != "Registry viewers")
    assert user.has_perm("registry.delete_claim") == (group == "Registry managers")


@pytest.mark.django_db(transaction=True)  # as a request is served: no test transaction around it
def test_a_revert_outside_a_test_transaction_is_saved_on_both_databases(client):
    """The revert view ran without a transaction, and its version check locks the row (SELECT …
    FOR UPDATE): PostgreSQL refused it, so every revert there was a 500 (adversarial probe); the
    tests, each inside a transaction, did not see it. SQLite has no row locks."""
    superuser = UserFactory(is_staff=True, is_superuser=True)
    city = CityFactory(name_en="Alma-Ata")
    city.name_en = "Almaty"
    city.save()
    old = city.history.order_by("history_id").first()
    client.force_login(superuser)
    url = reverse("admin:registry_city_simple_history", args=[city.pk, old.history_id])
    response = client.post(url, form_data(client.get(url)))
    assert response.status_code == HTTPStatus.FOUND, response.status_code
    city.refresh_from_db()
    assert (city.name_en, city.version) == ("Alma-Ata", 3)


def test_publishing_a_partnership_names_its_agreements_and_events_still_drafts(staff_client):
    """The guided entry records a relation, its agreement and its signing as drafts; publishing
    the relation alone left the other two unseen without a word (new-user probe)."""
    from registry.models import Publication

    from .factories import AgreementFactory, EventFactory

    partnership = PartnershipFactory(publication=Publication.DRAFT)
    agreement = AgreementFactory(partnership=partnership, publication=Publication.DRAFT, title_en="Draft MOU")
    EventFactory(partnership=partnership, publication=Publication.PUBLISHED, title_en="Public signing")
    url = f"/admin/registry/partnership/{partnership.pk}/change/"
    data = form_data(staff_client.get(url))
    response = staff_client.post(url, {**data, "publication": Publication.PUBLISHED}, follow=True)
    shown = [str(message) for message in response.context["messages"]]
    warning = next(message for message in shown if "still a draft" in message)
    assert f'agreement <a href="/admin/registry/agreement/{agreement.pk}/change/">Draft MOU</a>' in warning
    assert "Public signing" not in warning
    partnership.refresh_from_db()
    assert partnership.publication == Publication.PUBLISHED
    # A later save that publishes nothing says nothing of the drafts.
    again = staff_client.post(url, form_data(staff_client.get(url)), follow=True)
    assert not any("draft" in str(message) for message in again.context["messages"])
    # The list's "Publish the selected drafts" says the same of each partnership it publishes.
    other = PartnershipFactory(publication=Publication.DRAFT)
    AgreementFactory(partnership=other, publication=Publication.DRAFT, title_en="Other MOU")
    listed = staff_client.post(
        "/admin/registry/partnership/",
        {"action": "publish_selected", "_selected_action": [other.pk, partnership.pk]},
        follow=True,
    )
    shown = [str(message) for message in listed.context["messages"]]
    assert shown[0] == "Published 1 partnership."
    assert [message for message in shown if "still a draft" in message and "Other MOU" in message]
    assert not [message for message in shown if "Draft MOU" in message]  # published already: not published now


def test_adding_a_partnership_with_the_home_city_as_partner_says_how_it_is_read(staff_client, home):
    """The add form took "Darkhan (city) – Home (partner city)" without a word (new-user probe);
    it is stored as given and read from the home side, and the message says so. A relation
    entered home side first gets no such message."""
    add = reverse("admin:registry_partnership_add")
    form = {
        **form_data(staff_client.get(add)),
        "kind": "friendship",
        "established_on": "2000-01-01",
        "established_precision": "day",
        "status": "active",
        "ended_on": "",
        "ended_precision": "day",
        "status_reason": "",
        "confidence": "high",
        "publication": "published",
        "expected_version": "",
    }
    darkhan = CityFactory(slug="darkhan", name_en="Darkhan", country="MN")
    response = staff_client.post(add, {**form, "city": darkhan.pk, "partner": home.pk}, follow=True)
    assert Partnership.objects.filter(city=darkhan, partner=home).exists()
    shown = [str(message) for message in response.context["messages"]]
    assert any("Home, the home city, is recorded as the partner city" in m and "(Home – Darkhan)" in m for m in shown)
    erdenet = CityFactory(slug="erdenet", name_en="Erdenet", country="MN")
    response = staff_client.post(add, {**form, "city": home.pk, "partner": erdenet.pk}, follow=True)
    assert Partnership.objects.filter(city=home, partner=erdenet).exists()
    assert not any("the home city" in str(message) for message in response.context["messages"])


def test_a_version_that_never_existed_is_named_so_not_as_a_change_by_someone(shipped_data, editor):
    """An ``If-Match`` (or the admin's hidden version) naming a version later than the stored one
    got "This record was changed by someone else …": no one had changed it; that version never
    existed. The 412 says so, with the current version, and nothing is saved."""
    almaty = Partnership.objects.get(partner__slug="almaty")
    url = f"/api/v1/partnerships/{almaty.pk}/"
    read = api_client(editor).get(url)["ETag"]
    forged = read.replace(f'"v{almaty.version}.', f'"v{almaty.version + 5}.')
    refused = api_client(editor).patch(url, {"notes": "Forged"}, format="json", HTTP_IF_MATCH=forged)
    assert refused.status_code == HTTPStatus.PRECONDITION_FAILED
    detail = refused.json()["detail"]
    assert detail.startswith(f"This record never had version {almaty.version + 5} (its current version is ")
    assert "changed by" not in detail
    assert Partnership.objects.get(pk=almaty.pk).notes == almaty.notes


def test_a_412_after_a_change_undone_says_what_happened(shipped_data, editor, manager):
    """A stale ``If-Match`` after a change and its undoing said "Their changes: no field values."
    (helper-104), which told the client nothing: it says the record was saved since, by whom,
    and that none of its fields differs from what was read."""
    almaty = Partnership.objects.get(partner__slug="almaty")
    url = f"/api/v1/partnerships/{almaty.pk}/"
    read = api_client(editor).get(url)["ETag"]
    changed = api_client(manager).patch(url, {"notes": "Checked"}, format="json", HTTP_IF_MATCH=read)
    api_client(manager).patch(url, {"notes": almaty.notes}, format="json", HTTP_IF_MATCH=changed["ETag"])
    late = api_client(editor).patch(url, {"confidence": "low"}, format="json", HTTP_IF_MATCH=read)
    assert late.status_code == HTTPStatus.PRECONDITION_FAILED
    detail = late.json()["detail"]
    assert detail.startswith(f"This record was saved by {manager.username} (")
    assert "none of its fields differs from what you read" in detail and "no field values" not in detail
    assert Partnership.objects.get(pk=almaty.pk).confidence == almaty.confidence


def test_a_412_names_the_writer_as_you(shipped_data, editor, manager):
    """The 412 said "changed by editor" to editor itself, who had saved from another window or
    program (helper-104): the account whose write is refused is "you" among the authors since."""
    almaty = Partnership.objects.get(partner__slug="almaty")
    url = f"/api/v1/partnerships/{almaty.pk}/"
    read = api_client(editor).get(url)["ETag"]
    own = api_client(editor).patch(url, {"notes": "From my script"}, format="json", HTTP_IF_MATCH=read)
    late = api_client(editor).patch(url, {"notes": "From my browser"}, format="json", HTTP_IF_MATCH=read)
    assert late.status_code == HTTPStatus.PRECONDITION_FAILED
    assert late.json()["detail"].startswith("This record was changed by you (in another window or program) (")
    api_client(manager).patch(url, {"confidence": "medium"}, format="json", HTTP_IF_MATCH=own["ETag"])
    late = api_client(editor).patch(url, {"notes": "Later"}, format="json", HTTP_IF_MATCH=read)
    assert late.json()["detail"].startswith(f"This record was changed by you, {manager.username} (")
    by_manager = api_client(manager).patch(url, {"notes": "x"}, format="json", HTTP_IF_MATCH=read)
    assert f"changed by {editor.username}, you (" in by_manager.json()["detail"]
