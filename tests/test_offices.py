"""Offices: a staff account limited to home cities changes only their partnerships and their
records, in the admin and the API; a national editor changes all (issue 15)."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from registry.models import OfficeAssignment, Partnership, may_change, office_city_ids

from .conftest import token_client
from .factories import AgreementFactory, CityFactory, EventFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partnerships(office):
    """One partnership of the office's city (named as the partner side) and one of another city."""
    own = PartnershipFactory(city=CityFactory(slug="fukuoka", country="JP"), partner=office.home)
    other = PartnershipFactory(
        city=CityFactory(slug="daegu", country="KR"), partner=CityFactory(slug="qingdao", country="CN")
    )
    return own, other


def test_office_may_change_only_its_cities_records(office, partnerships, editor):
    own, other = partnerships
    assert office_city_ids(office) == {office.home.pk}
    assert may_change(office, own) and not may_change(office, other)
    assert may_change(office, AgreementFactory(partnership=own))
    assert not may_change(office, AgreementFactory(partnership=other))
    assert may_change(office, EventFactory(city=office.home, partnership=None))
    assert not may_change(office, EventFactory(partnership=None))
    assert may_change(office, office.home)  # records no office owns: the model permissions decide
    assert office_city_ids(editor) is None  # a national editor
    assert may_change(editor, other)


def test_an_office_may_hold_several_cities(office, partnerships):
    _, other = partnerships
    OfficeAssignment.objects.create(user=office, city=other.city)
    office.__dict__.pop("_office_city_ids", None)
    assert may_change(office, other)
    # The refusal names both, as "those cities" (one city is "that city": helper-104).
    from registry.models.offices import refusal

    names = ", ".join(sorted([str(other.city), "Office Home"]))
    assert refusal(office) == (
        f"Your account works for the office of {names}: it changes only the partnerships of "
        "those cities and the records that belong to them."
    )


def _change_url(obj):
    return reverse(f"admin:registry_{obj._meta.model_name}_change", args=[obj.pk])


def _form(partnership, **overrides):
    data = {
        "city": partnership.city_id,
        "partner": partnership.partner_id,
        "kind": "sister",
        "established_on": "2000-01-01",
        "established_precision": "day",
        "status": "active",
        "ended_on": "",
        "ended_precision": "day",
        "status_reason": "",
        "confidence": "high",
        "publication": "published",
        "notes": "checked",
        "expected_version": partnership.version,
    }
    return {**data, **overrides}


def test_admin_office_cannot_change_another_citys_partnership(client, office, partnerships):
    own, other = partnerships
    client.force_login(office)
    response = client.post(_change_url(other), _form(other))
    assert response.status_code == HTTPStatus.FORBIDDEN
    other.refresh_from_db()
    assert other.notes == ""
    page = client.get(_change_url(other))  # it still sees it, read-only
    assert page.status_code == HTTPStatus.OK
    assert 'name="_save"' not in page.content.decode()
    response = client.post(_change_url(own), _form(own))
    assert response.status_code == HTTPStatus.FOUND
    own.refresh_from_db()
    assert own.notes == "checked"


def test_admin_office_cannot_add_a_partnership_between_other_cities(client, office, partnerships):
    _, other = partnerships
    client.force_login(office)
    add = reverse("admin:registry_partnership_add")
    fresh = CityFactory(slug="kaohsiung", country="TW")
    form = {**_form(other, partner=fresh.pk), "expected_version": ""}
    refused = client.post(add, form)
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert "the office of Office Home" in refused.content.decode()  # the 403 page says why
    assert not Partnership.objects.filter(partner=fresh).exists()
    form = {**form, "city": office.home.pk}
    assert client.post(add, form).status_code == HTTPStatus.FOUND
    assert Partnership.objects.filter(city=office.home, partner=fresh).exists()


def test_admin_national_editor_changes_any_partnership(client, editor, partnerships):
    _, other = partnerships
    client.force_login(editor)
    assert client.post(_change_url(other), _form(other)).status_code == HTTPStatus.FOUND
    other.refresh_from_db()
    assert other.notes == "checked"


def test_api_office_cannot_change_another_citys_partnership(office, partnerships):
    own, other = partnerships
    api = token_client(office)
    response = api.patch(f"/api/v1/partnerships/{other.pk}/", {"notes": "checked"}, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "the office of Office Home" in response.json()["detail"]  # names the account's office
    other.refresh_from_db()
    assert other.notes == ""
    assert api.get(f"/api/v1/partnerships/{other.pk}/").status_code == HTTPStatus.OK
    response = api.patch(f"/api/v1/partnerships/{own.pk}/", {"notes": "checked"}, format="json")
    assert response.status_code == HTTPStatus.OK


def test_api_office_cannot_create_a_partnership_between_other_cities(office, partnerships):
    api = token_client(office)
    CityFactory(slug="kaohsiung", country="TW")
    body = {"city": "daegu", "partner": "kaohsiung", "kind": "sister", "established_on": "2001"}
    assert api.post("/api/v1/partnerships/", body, format="json").status_code == HTTPStatus.FORBIDDEN
    assert not Partnership.objects.filter(partner__slug="kaohsiung").exists()
    body = {**body, "city": "office-home"}
    assert api.post("/api/v1/partnerships/", body, format="json").status_code == HTTPStatus.CREATED


def test_api_office_cannot_move_its_records_into_another_citys_partnership(office, partnerships):
    """Found by the adversarial probe: the office rule was checked on the record as it was, not as
    the change left it, so an office moved its event and agreement into another city's partnership
    and its partnership to another city."""
    own, other = partnerships
    api = token_client(office)
    event = EventFactory(city=office.home, partnership=own)
    agreement = AgreementFactory(partnership=own)
    moves = [
        (f"/api/v1/events/{event.slug}/", {"partnership": other.pk}),
        (f"/api/v1/agreements/{agreement.slug}/", {"partnership": other.pk}),
        (f"/api/v1/partnerships/{own.pk}/", {"partner": "qingdao"}),
    ]
    for url, body in moves:
        # With a reason: a published partnership's cities change only as a correction.
        response = api.patch(url, body, format="json", HTTP_X_CHANGE_REASON="Moved")
        assert response.status_code == HTTPStatus.FORBIDDEN, url
        assert "the office of Office Home" in response.json()["detail"]
    event.refresh_from_db(), agreement.refresh_from_db(), own.refresh_from_db()
    assert event.partnership_id == agreement.partnership_id == own.pk
    assert own.partner_id == office.home.pk


def test_api_office_cannot_change_another_citys_agreement(office, partnerships):
    own, other = partnerships
    api = token_client(office)
    theirs = AgreementFactory(partnership=other)
    ours = AgreementFactory(partnership=own)
    change = {"title_en": "Renamed"}
    assert api.patch(f"/api/v1/agreements/{theirs.slug}/", change, format="json").status_code == HTTPStatus.FORBIDDEN
    assert api.patch(f"/api/v1/agreements/{ours.slug}/", change, format="json").status_code == HTTPStatus.OK


def test_api_national_editor_changes_any_partnership(editor, partnerships):
    _, other = partnerships
    response = token_client(editor).patch(f"/api/v1/partnerships/{other.pk}/", {"notes": "x"}, format="json")
    assert response.status_code == HTTPStatus.OK


def test_a_limited_manager_cannot_revert_another_citys_partnership(client, manager, partnerships):
    from .test_staff import form_data

    _, other = partnerships
    other.notes = "changed"
    other.save()
    OfficeAssignment.objects.create(user=manager, city=CityFactory(slug="manager-home", country="KR"))
    old = other.history.order_by("history_date").first()
    url = reverse("admin:registry_partnership_simple_history", args=[other.pk, old.history_id])
    client.force_login(manager)
    page = client.get(url)
    assert page.status_code == HTTPStatus.OK
    assert client.post(url, form_data(page)).status_code == HTTPStatus.FORBIDDEN
    other.refresh_from_db()
    assert other.notes == "changed"


# --------------------------------------------------------------------------- every record an office owns


@pytest.fixture
def records(office, partnerships):
    """Records around the office's city and around Daegu (another city's), and a second office."""
    from registry.models import Signatory

    from .factories import DelegationFactory, OrganizationFactory, PersonFactory, SourceFactory, UserFactory

    own, other = partnerships
    seoul = CityFactory(slug="seoul", country="KR")
    OfficeAssignment.objects.create(user=UserFactory(username="seoul-office", is_staff=True), city=seoul)
    ours_only, shared, theirs = SourceFactory(), SourceFactory(), SourceFactory()
    own.sources.add(ours_only, shared)
    other.sources.add(shared)
    cited_by_city = SourceFactory()
    other.city.sources.add(cited_by_city)  # Daegu cites it
    signer = PersonFactory()
    Signatory.objects.create(agreement=AgreementFactory(partnership=other), order=1, person=signer)
    leader = PersonFactory()
    ours_org = OrganizationFactory(city=office.home)
    our_delegation = DelegationFactory(organizer=ours_org, leader=leader)
    their_delegation = DelegationFactory(organizer=OrganizationFactory(city=other.city))
    return {
        "home": office.home,
        "fukuoka": own.city,  # a partner named only by the office's partnership
        "daegu": other.city,
        "qingdao": other.partner,
        "seoul": seoul,  # another office's home city, in no partnership
        "fresh": CityFactory(slug="fresh", country="FR"),  # in no partnership, no office's
        "ours_only": ours_only,
        "shared": shared,
        "theirs": theirs,  # cited by nothing yet
        "cited_by_city": cited_by_city,
        "signer": signer,
        "leader": leader,
        "our_delegation": our_delegation,
        "their_delegation": their_delegation,
        "orphan_delegation": DelegationFactory(organizer=None),
        "ours_org": ours_org,
    }


ALLOWED = {"home", "fukuoka", "fresh", "ours_only", "theirs", "leader", "our_delegation", "orphan_delegation"}


def test_office_limits_cities_sources_people_and_delegations(office, editor, records):
    changeable = {name for name, record in records.items() if may_change(office, record)}
    assert changeable == ALLOWED | {"ours_org"}  # the organization is referenced by our delegation only
    assert all(may_change(editor, record) for record in records.values())  # a national editor changes all


def test_a_partner_city_shared_with_another_city_is_no_longer_the_offices(office, records):
    PartnershipFactory(city=records["daegu"], partner=records["fukuoka"])
    assert not may_change(office, records["fukuoka"])


def test_child_rows_follow_their_parent(office, records):
    from registry.models import CityName

    assert may_change(office, CityName(city=records["fukuoka"], name="Hukuoka"))
    assert not may_change(office, CityName(city=records["daegu"], name="Taegu"))


def test_the_rule_and_its_database_condition_agree(office, records):
    from registry.models.offices import owned_by

    offices = office_city_ids(office)
    for name, record in records.items():
        condition = owned_by(type(record), offices)
        if condition is not None:
            in_database = type(record).objects.filter(condition, pk=record.pk).exists()
            assert in_database == may_change(office, record), name


def test_admin_office_403_on_another_citys_city_and_source(client, office, records):
    from .test_staff import form_data

    client.force_login(office)
    for record, field in ((records["daegu"], "notes"), (records["shared"], "notes")):
        page = client.get(_change_url(record))
        assert page.status_code == HTTPStatus.OK  # sees it
        assert 'name="_save"' not in page.content.decode()  # read-only
        data = {**form_data(page), field: "changed by the office"}
        assert client.post(_change_url(record), data).status_code == HTTPStatus.FORBIDDEN
        record.refresh_from_db()
        assert record.notes != "changed by the office"
    page = client.get(_change_url(records["fukuoka"]))
    data = {**form_data(page), "notes": "checked"}
    assert client.post(_change_url(records["fukuoka"]), data).status_code == HTTPStatus.FOUND
    records["fukuoka"].refresh_from_db()
    assert records["fukuoka"].notes == "checked"


def test_admin_national_editor_changes_another_citys_city(client, editor, records):
    from .test_staff import form_data

    client.force_login(editor)
    page = client.get(_change_url(records["daegu"]))
    data = {**form_data(page), "notes": "checked"}
    assert client.post(_change_url(records["daegu"]), data).status_code == HTTPStatus.FOUND
    records["daegu"].refresh_from_db()
    assert records["daegu"].notes == "checked"


@pytest.mark.parametrize(
    ("path", "key", "allowed"),
    [
        ("cities", "daegu", False),
        ("cities", "seoul", False),
        ("cities", "fukuoka", True),
        ("sources", "shared", False),
        ("sources", "ours_only", True),
        ("people", "signer", False),
        ("people", "leader", True),
        ("delegations", "their_delegation", False),
        ("delegations", "our_delegation", True),
    ],
)
def test_api_office_403_outside_its_records_and_national_editor_allowed(office, editor, records, path, key, allowed):
    url = f"/api/v1/{path}/{records[key].slug}/"
    field = "purpose_en" if path == "delegations" else "notes"
    response = token_client(office).patch(url, {field: "office"}, format="json")
    assert response.status_code == (HTTPStatus.OK if allowed else HTTPStatus.FORBIDDEN)
    if not allowed:
        assert "office" in response.json()["detail"]
        assert token_client(editor).patch(url, {field: "national"}, format="json").status_code == HTTPStatus.OK


# --------------------------------------------------------------------------- spreadsheet imports
IMPORT_HEADERS = ["city", "partner", "kind", "established_on", "established_precision", "status", "confidence"]


def _office_manager(office):
    """The office's account with the managers' group, which may import."""
    from django.contrib.auth.models import Group

    office.groups.add(Group.objects.get(name="Registry managers"))
    return office


def _replace(dataset, column, values):
    """``dataset`` with the cells of ``column`` replaced by ``values``."""
    del dataset[column]
    dataset.append_col(values, header=column)


def _own_and_foreign_rows():
    """Row 1: a new partnership of the office's city; row 2: a new one between two other cities."""
    import tablib

    return tablib.Dataset(
        ["office-home", "qingdao", "friendship", "2020-01-01", "day", "active", "high"],
        ["daegu", "fukuoka", "friendship", "2020-01-01", "day", "active", "high"],
        headers=IMPORT_HEADERS,
    )


def test_an_office_import_refuses_the_row_of_another_city_and_writes_nothing(office, partnerships):
    from registry.resources import PartnershipResource

    before = Partnership.objects.count()
    result = PartnershipResource().import_data(_own_and_foreign_rows(), dry_run=False, user=office)
    assert [(row.number, row.error_dict) for row in result.invalid_rows] == [
        (
            2,
            {
                "__all__": [
                    "Your account works for the office of Office Home: it changes only the partnerships of "
                    "that city and the records that belong to them."
                ]
            },
        )
    ]
    assert Partnership.objects.count() == before  # all or nothing: the own row is not written either


def test_a_national_editor_imports_every_row(editor, partnerships):
    from registry.resources import PartnershipResource

    result = PartnershipResource().import_data(_own_and_foreign_rows(), dry_run=False, user=editor)
    assert not result.has_validation_errors() and result.totals["new"] == 2
    assert Partnership.objects.filter(kind="friendship").count() == 2


def test_an_office_import_may_leave_other_cities_rows_unchanged_but_not_change_them(office, partnerships):
    from registry.resources import AgreementResource, EventResource, PartnershipResource

    own, other = partnerships
    exported = PartnershipResource().export(queryset=Partnership.objects.filter(pk__in=[own.pk, other.pk]))
    unchanged = PartnershipResource().import_data(exported, dry_run=True, user=office)
    assert unchanged.totals["skip"] == 2 and not unchanged.has_validation_errors()

    exported = PartnershipResource().export(
        queryset=Partnership.objects.order_by("pk").filter(pk__in=[own.pk, other.pk])
    )
    _replace(exported, "notes", ["ours, changed", "theirs, changed"])
    result = PartnershipResource().import_data(exported, dry_run=False, user=office)
    assert [row.number for row in result.invalid_rows] == [2]
    assert not Partnership.objects.filter(notes__endswith="changed").exists()

    agreement = AgreementFactory(partnership=other, place=other.city)
    exported = AgreementResource().export(queryset=type(agreement).objects.filter(pk=agreement.pk))
    _replace(exported, "title_en", ["Renamed"])
    assert [
        row.number for row in AgreementResource().import_data(exported, dry_run=True, user=office).invalid_rows
    ] == [1]

    # an event of another city moved to the office's city: refused as it is stored
    event = EventFactory(partnership=None, city=other.city)
    exported = EventResource().export(queryset=type(event).objects.filter(pk=event.pk))
    _replace(exported, "city", ["office-home"])
    assert [row.number for row in EventResource().import_data(exported, dry_run=True, user=office).invalid_rows] == [1]


def test_an_office_import_asks_once_per_partnership_not_per_row(office, partnerships, editor):
    """Updating events of one partnership: the office's check reads that partnership once (and the
    office's cities once, as for a national editor), so 3 rows and 30 rows cost the same queries,
    one more than a national editor's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registry.models import Event
    from registry.resources import EventResource

    own, _ = partnerships
    EventFactory.create_batch(30, partnership=own, city=office.home)

    def queries(user, count):
        exported = EventResource().export(queryset=Event.objects.order_by("pk")[:count])
        _replace(exported, "title_en", [f"Renamed {i}" for i in range(count)])
        user.__dict__.pop("_office_city_ids", None)
        fresh = type(user).objects.get(pk=user.pk)
        with CaptureQueriesContext(connection) as captured:
            result = EventResource().import_data(exported, dry_run=True, user=fresh)
        assert result.totals["update"] == count and not result.has_validation_errors()
        return len(captured.captured_queries)

    assert queries(office, 3) == queries(office, 30) == queries(editor, 30) + 1  # the partnership


def test_an_office_admin_preview_shows_the_refused_row(client, office, partnerships):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(_office_manager(office))
    url = reverse("admin:registry_partnership_import")
    csv_index = next(v for v, label in client.get(url).context["form"].fields["format"].choices if label == "csv")
    upload = SimpleUploadedFile("p.csv", _own_and_foreign_rows().csv.encode(), content_type="text/csv")
    response = client.post(url, {"import_file": upload, "format": csv_index, "resource": 0})
    assert response.status_code == HTTPStatus.OK and response.context.get("confirm_form") is None
    assert "Row 3: Your account works for the office of Office Home" in response.text
    assert not Partnership.objects.filter(kind="friendship").exists()


def test_an_office_background_import_checks_with_the_user_who_started_it(
    client, office, partnerships, settings, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from registry.models import ImportJob

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.REGISTRY_IMPORT_BACKGROUND_ROWS = 1
    client.force_login(_office_manager(office))
    url = reverse("admin:registry_partnership_import")
    csv_index = next(v for v, label in client.get(url).context["form"].fields["format"].choices if label == "csv")
    upload = SimpleUploadedFile("p.csv", _own_and_foreign_rows().csv.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"import_file": upload, "format": csv_index, "resource": 0})
    job = ImportJob.objects.get()
    assert response.status_code == HTTPStatus.FOUND and job.user == office
    assert job.status == "invalid"
    assert [(error["row"], error["column"]) for error in job.errors] == [(3, "")]  # the header is row 1
    assert "the office of Office Home" in job.errors[0]["messages"][0]
    assert "the office of Office Home" in client.get(response.url).text
    assert not Partnership.objects.filter(kind="friendship").exists()


def test_publish_selected_drafts_publishes_the_offices_own_and_names_each_refused(client, office, partnerships):
    """The change list's "Publish the selected drafts": each draft of the office is published as
    its form would publish it (a new version, a history record by the account); one of another
    office, or one that a rule of the record refuses (a date after today, stored before the
    rule), stays a draft and is named with the reason; one already published is counted."""
    import datetime

    from registry.models import Publication

    own, other = partnerships
    later = PartnershipFactory(city=CityFactory(slug="osaka", country="JP"), partner=office.home)
    wrong = PartnershipFactory(city=CityFactory(slug="nagoya", country="JP"), partner=office.home)
    published = PartnershipFactory(city=CityFactory(slug="kobe", country="JP"), partner=office.home)
    drafts = [own, other, later, wrong]
    Partnership.objects.filter(pk__in=[p.pk for p in drafts]).update(publication=Publication.DRAFT)
    Partnership.objects.filter(pk=published.pk).update(publication=Publication.PUBLISHED)
    Partnership.objects.filter(pk=wrong.pk).update(established_on=datetime.date.today() + datetime.timedelta(days=400))
    versions = dict(Partnership.objects.values_list("pk", "version"))
    client.force_login(office)
    response = client.post(
        reverse("admin:registry_partnership_changelist"),
        {"action": "publish_selected", "_selected_action": [p.pk for p in [*drafts, published]]},
        follow=True,
    )
    assert response.status_code == HTTPStatus.OK
    stored = {p.pk: (p.publication, p.version) for p in Partnership.objects.all()}
    assert {pk for pk, (publication, _) in stored.items() if publication == "published"} == {
        own.pk,
        later.pk,
        published.pk,
    }
    assert stored[own.pk][1] == versions[own.pk] + 1 and stored[published.pk][1] == versions[published.pk]
    assert own.history.first().history_user == office and own.history.first().publication == "published"
    messages = [str(m) for m in response.context["messages"]]
    assert messages[:2] == ["Published 2 partnerships.", "1 of the selected was published already."]
    refused = messages[2:]
    assert len(refused) == 2
    assert any(text.startswith("Not published: ") and "office" in text and str(other.city) in text for text in refused)
    assert any("Established on:" in text and str(wrong.city) in text for text in refused)


def test_publish_selected_skips_a_record_deleted_after_the_list_was_read(rf, superuser):
    """A selected draft deleted by someone else between the list's read and its own lock raised
    ``DoesNotExist`` (a 500); it is skipped, and the others are published."""
    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage

    from registry.models import Publication

    kept = PartnershipFactory(publication=Publication.DRAFT)
    gone = PartnershipFactory(publication=Publication.DRAFT)
    gone_pk = gone.pk
    gone.delete()

    class ReadBefore:  # the list's ids, read before the delete
        def values_list(self, *names, flat=False):
            return [gone_pk, kept.pk]

    request = rf.post("/admin/registry/partnership/")
    request.user = superuser
    request.session = {}
    request._messages = FallbackStorage(request)
    admin.site._registry[Partnership].publish_selected(request, ReadBefore())
    assert [str(message) for message in request._messages] == ["Published 1 partnership."]
    assert Partnership.objects.get(pk=kept.pk).publication == Publication.PUBLISHED
