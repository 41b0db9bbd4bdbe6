"""The admin: every screen answers for staff, in a constant number of queries, with rules on fields."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models.fields.files import FieldFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import services
from registry.dates import PARTIAL_DATE_INVALID
from registry.models import (
    Agreement,
    City,
    CityName,
    CooperationField,
    Delegation,
    Event,
    ItineraryStop,
    OfficeAssignment,
    Organization,
    Outcome,
    Partnership,
    Person,
    SentReminder,
    Signatory,
    Source,
    StaffProfile,
    WikidataProposal,
)
from registry.text import slug_of

from .factories import (
    AgreementFactory,
    CityFactory,
    DelegationFactory,
    EventFactory,
    OrganizationFactory,
    PartnershipFactory,
    PersonFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _agreement():
    agreement = AgreementFactory(partnership=PartnershipFactory())
    Signatory.objects.create(agreement=agreement, order=1, person=PersonFactory(), organization=OrganizationFactory())
    return agreement


def _delegation():
    delegation = DelegationFactory(leader=PersonFactory())
    ItineraryStop.objects.create(delegation=delegation, order=1, city=CityFactory())
    Outcome.objects.create(delegation=delegation, kind="contract", description_en="Contracts", amount=1, currency="USD")
    return delegation


def _city():
    city = CityFactory(name_ko="도시", name_native="Город")
    CityName.objects.create(city=city, name=f"Old {city.slug}", used_until=1990)
    city.sources.add(SourceFactory())
    return city


def _cooperation_field():
    n = CooperationField.objects.count()
    return CooperationField.objects.create(slug=f"field-{n}", name_en=f"Field {n}")


BUILDERS = {
    Source: SourceFactory,
    CooperationField: _cooperation_field,
    City: _city,
    CityName: lambda: CityName.objects.create(city=CityFactory(), name="Former"),
    Organization: lambda: OrganizationFactory(city=CityFactory()),
    Person: PersonFactory,
    Partnership: PartnershipFactory,
    Agreement: _agreement,
    Event: lambda: EventFactory(partnership=PartnershipFactory()),
    Delegation: _delegation,
    OfficeAssignment: lambda: OfficeAssignment.objects.create(user=UserFactory(), city=CityFactory()),
    WikidataProposal: lambda: WikidataProposal.objects.create(
        kind="new",
        city=CityFactory(),
        partner=CityFactory(),
        source_url="https://www.wikidata.org/wiki/Q1",
        retrieved_on=datetime.date(2026, 11, 30),
    ),
    StaffProfile: lambda: StaffProfile.objects.create(user=UserFactory()),
}


def test_every_registry_model_is_in_the_admin():
    registered = {model for model in admin.site._registry if model._meta.app_label == "registry"}
    # Sent reminders are written by the reminders job only (no add form): tested below.
    assert registered == {*BUILDERS, SentReminder}


def test_sent_reminders_are_listed_read_only(staff_client):
    user = UserFactory()
    for day in range(1, 31):
        SentReminder.objects.create(
            recipient=user, kind="expiry", subject="agreement-1", due_on=datetime.date(2026, 1, day), lead_days=30
        )
    changelist = _url(SentReminder, "changelist")
    with CaptureQueriesContext(connection) as queries:
        assert staff_client.get(changelist).status_code == HTTPStatus.OK
    assert len(queries) < 15
    assert staff_client.get(_url(SentReminder, "add")).status_code == HTTPStatus.FORBIDDEN


def _url(model, view, *args):
    return reverse(f"admin:registry_{model._meta.model_name}_{view}", args=args)


def _changelist_queries(client, model):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(_url(model, "changelist"))
    assert response.status_code == HTTPStatus.OK
    return len(ctx.captured_queries)


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_rows(staff_client, model):
    for _ in range(10):
        BUILDERS[model]()
    at_10 = _changelist_queries(staff_client, model)
    for _ in range(190):
        BUILDERS[model]()
    assert model.objects.count() >= 200
    assert _changelist_queries(staff_client, model) <= at_10


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda m: m.__name__)
def test_add_change_history_and_search_answer(staff_client, model):
    obj = BUILDERS[model]()
    # Wikidata proposals are made by the import only: no add page.
    added = HTTPStatus.FORBIDDEN if model is WikidataProposal else HTTPStatus.OK
    assert staff_client.get(_url(model, "add")).status_code == added
    assert staff_client.get(_url(model, "change", obj.pk)).status_code == HTTPStatus.OK
    assert staff_client.get(_url(model, "history", obj.pk)).status_code == HTTPStatus.OK
    assert staff_client.get(_url(model, "changelist"), {"q": "a"}).status_code == HTTPStatus.OK


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda m: m.__name__)
def test_change_form_queries_do_not_grow_with_related_rows(staff_client, model):
    obj = BUILDERS[model]()
    with CaptureQueriesContext(connection) as small:
        staff_client.get(_url(model, "change", obj.pk))
    for _ in range(30):
        BUILDERS[model]()
    with CaptureQueriesContext(connection) as large:
        staff_client.get(_url(model, "change", obj.pk))
    assert len(large.captured_queries) <= len(small.captured_queries)


def test_city_search_matches_former_names_and_accents(staff_client):
    almaty = CityFactory(name_en="Almaty", slug="almaty")
    CityName.objects.create(city=almaty, name="Alma-Ata", used_from=1921, used_until=1993)
    CityFactory(name_en="Valparaíso", slug="valparaiso")
    response = staff_client.get(_url(City, "changelist"), {"q": "alma-ata"})
    assert list(response.context["cl"].result_list) == [almaty]
    response = staff_client.get(_url(City, "changelist"), {"q": "valparaiso"})
    assert [c.slug for c in response.context["cl"].result_list] == ["valparaiso"]


def test_city_search_keeps_the_list_filters(staff_client):
    """The search is within the filtered list: a search for "alm" with the country filter Kazakhstan
    listed Almada (Portugal) too (the folded-name search was ORed with the filtered list)."""
    almaty = CityFactory(name_en="Almaty", slug="almaty", country="KZ")
    CityFactory(name_en="Almada", slug="almada", country="PT")
    response = staff_client.get(_url(City, "changelist"), {"q": "alm", "country": "KZ"})
    assert list(response.context["cl"].result_list) == [almaty]


def test_the_city_picker_lists_a_name_typed_before_names_containing_it(staff_client):
    """The partner picker (the admin's autocomplete) puts the city named what was typed first,
    then names starting with it, then the rest (it listed Kaohsiung, found by its alias
    Kaoshiung, before Osh: alphabetical order); a search in the city list keeps the list's sort,
    and a column clicked sorts it."""
    kaohsiung = CityFactory(name_en="Kaohsiung", slug="kaohsiung", country="TW")
    CityName.objects.create(city=kaohsiung, name="Kaoshiung", kind="alias")
    CityFactory(name_en="Oshawa", slug="oshawa", country="CA")
    CityFactory(name_en="Osh", slug="osh", country="KG")
    found = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "registry", "model_name": "partnership", "field_name": "partner", "term": "OSH"},
    )
    assert [row["text"] for row in found.json()["results"]] == ["Osh", "Oshawa", "Kaohsiung"]
    listed = staff_client.get(_url(City, "changelist"), {"q": "osh"}).context["cl"].result_list
    assert [city.slug for city in listed] == ["kaohsiung", "osh", "oshawa"]
    listed = staff_client.get(_url(City, "changelist"), {"q": "osh", "o": "-1"}).context["cl"].result_list
    assert [city.slug for city in listed] == ["oshawa", "osh", "kaohsiung"]


@pytest.mark.parametrize("query", ["алматы", "АКИМАТ", "ΚΌΣ"])
def test_admin_search_ignores_the_case_of_every_script(staff_client, query):
    """The admin's search finds what ``q`` finds on the public pages and the API, in any script and
    case on both databases (its ``search_fields`` lookups fold ASCII letters only on SQLite)."""
    from registry.models import Organization

    found = OrganizationFactory(name_en="Акимат Алматы", name_native="Κόσμος")
    OrganizationFactory(name_en="Mayor's office")
    response = staff_client.get(_url(Organization, "changelist"), {"q": query})
    assert list(response.context["cl"].result_list) == [found]


def _partnership_form(city, partner, **overrides):
    data = {
        "city": city.pk,
        "partner": partner.pk,
        "kind": "sister",
        "established_on": "2000-01-01",
        "established_precision": "day",
        "status": "active",
        "ended_on": "",
        "ended_precision": "day",
        "status_reason": "",
        "confidence": "high",
        "publication": "draft",
        "notes": "",
        # The stage and claim inlines' management forms, with no row.
        "stages-TOTAL_FORMS": "0",
        "stages-INITIAL_FORMS": "0",
        "claims-TOTAL_FORMS": "0",
        "claims-INITIAL_FORMS": "0",
    }
    return {**data, **overrides}


def test_admin_shows_self_partnership_on_the_partner_field(staff_client):
    city = CityFactory()
    response = staff_client.post(_url(Partnership, "add"), _partnership_form(city, city))
    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors["partner"] == ["A city cannot be its own partner."]
    assert not Partnership.objects.exists()


def test_admin_shows_second_open_partnership_on_the_partner_field(staff_client):
    existing = PartnershipFactory()
    response = staff_client.post(_url(Partnership, "add"), _partnership_form(existing.partner, existing.city))
    errors = response.context["adminform"].form.errors
    assert "already have a partnership in force" in errors["partner"][0]
    assert Partnership.objects.count() == 1


def test_admin_shows_end_before_start_on_the_end_date(staff_client):
    response = staff_client.post(
        _url(Partnership, "add"),
        _partnership_form(CityFactory(), CityFactory(), status="ended", ended_on="1999-01-01"),
    )
    assert (
        "A partnership cannot end before it was established." in response.context["adminform"].form.errors["ended_on"]
    )


def test_admin_saves_a_valid_partnership_and_records_who(staff_client, superuser):
    response = staff_client.post(_url(Partnership, "add"), _partnership_form(CityFactory(), CityFactory()))
    assert response.status_code == HTTPStatus.FOUND
    partnership = Partnership.objects.get()
    assert partnership.history.get().history_user == superuser
    assert partnership.established_on == datetime.date(2000, 1, 1)


@pytest.mark.parametrize(
    ("typed", "precision", "stored"),
    [
        ("1989", "year", datetime.date(1989, 1, 1)),
        ("1989-10", "month", datetime.date(1989, 10, 1)),
        ("1989-10-24", "day", datetime.date(1989, 10, 24)),
        ("1989-10-24", "year", datetime.date(1989, 1, 1)),  # finer than the precision: cut to it
        (" 1989-10 ", "year", datetime.date(1989, 1, 1)),
    ],
)
def test_admin_partnership_takes_a_date_written_to_its_precision(staff_client, typed, precision, stored):
    """The admin takes a start date as the API and imports do: a bare year with precision ``year``,
    a month with ``month``, a full date; stored cut to the precision."""
    form = _partnership_form(CityFactory(), CityFactory(), established_on=typed, established_precision=precision)
    response = staff_client.post(_url(Partnership, "add"), form)
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    partnership = Partnership.objects.get()
    assert (partnership.established_on, partnership.established_precision) == (stored, precision)


def test_admin_partnership_end_date_takes_a_bare_year(staff_client):
    form = _partnership_form(
        CityFactory(), CityFactory(), status="ended", ended_on="2005", ended_precision="year", status_reason="Lapsed"
    )
    assert staff_client.post(_url(Partnership, "add"), form).status_code == HTTPStatus.FOUND
    partnership = Partnership.objects.get()
    assert (partnership.ended_on, partnership.ended_precision) == (datetime.date(2005, 1, 1), "year")


def test_admin_partnership_change_form_takes_a_bare_year(staff_client):
    partnership = PartnershipFactory(publication="draft", established_on=datetime.date(1989, 10, 24))
    form = _partnership_form(
        partnership.city,
        partnership.partner,
        kind=partnership.kind,
        established_on="1989",
        established_precision="year",
        expected_version=partnership.version,
    )
    for name in ("status", "ended_on", "ended_precision", "status_reason"):  # read-only once recorded
        form.pop(name)
    response = staff_client.post(_url(Partnership, "change", partnership.pk), form)
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    partnership.refresh_from_db()
    assert (partnership.established_on, partnership.established_precision) == (datetime.date(1989, 1, 1), "year")


def test_admin_partnership_refuses_a_date_coarser_than_its_precision(staff_client):
    """``1989`` with precision ``day`` is an error on the start date naming the precision field and
    the rule (a 200 with the form, never a 500); nothing is saved."""
    form = _partnership_form(CityFactory(), CityFactory(), established_on="1989", established_precision="day")
    response = staff_client.post(_url(Partnership, "add"), form)
    assert response.status_code == HTTPStatus.OK
    errors = response.context["adminform"].form.errors.as_data()["established_on"]
    assert [error.code for error in errors] == ["date_coarser_than_precision"]
    assert response.context["adminform"].form.errors["established_on"] == [
        "“1989” gives the year only, but “Precision of the date” says day: "
        "give the full date, or choose year in “Precision of the date”."
    ]
    assert not Partnership.objects.exists()


@pytest.mark.parametrize("typed", ["1989-13", "1989-02-30", "89", "1989/10", "0000", "1799", "abc", "1989-10-24T00"])
def test_admin_partnership_refuses_text_that_is_no_partial_date(staff_client, typed):
    form = _partnership_form(CityFactory(), CityFactory(), established_on=typed, established_precision="year")
    response = staff_client.post(_url(Partnership, "add"), form)
    assert response.status_code == HTTPStatus.OK
    errors = response.context["adminform"].form.errors.as_data()["established_on"]
    codes = [error.code for error in errors]
    if typed in ("1989-13", "1989-02-30", "0000"):  # in the form, but no day of the calendar
        assert codes == ["no_such_day"]
    else:
        assert codes in (["invalid"], ["date_out_of_range"])
    assert not Partnership.objects.exists()


def test_admin_refuses_to_delete_a_city_in_a_partnership(staff_client):
    partnership = PartnershipFactory()
    response = staff_client.post(_url(City, "delete", partnership.partner.pk), {"post": "yes"})
    assert response.status_code == HTTPStatus.OK
    assert "protected" in response.text.lower()
    assert City.objects.filter(pk=partnership.partner.pk).exists()


def test_delete_selected_deletes_each_record_with_its_history_and_moves_the_generation_once(staff_client, client):
    """The admin's “Delete selected” deletes as every writer does
    (:func:`registry.services.delete_records`): every chosen city is gone, each with its deletion in
    the history, the public list shows it on the next request, and the data generation moved
    once for all of them, not once per row (each move is 1–4 cache round trips)."""
    from registry import cache as response_cache

    cities = [CityFactory(slug=f"doomed-{n}", name_en=f"Doomed {n}") for n in range(6)]
    kept = CityFactory(slug="kept", name_en="Kept City")
    assert "Doomed 3" in client.get("/cities/", headers={"accept-language": "en"}).text  # cached now
    before = response_cache.generation()
    response = staff_client.post(
        reverse("admin:registry_city_changelist"),
        {"action": "delete_selected", "_selected_action": [city.pk for city in cities], "post": "yes"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert not City.objects.filter(slug__startswith="doomed-").exists()
    assert City.objects.filter(pk=kept.pk).exists()
    assert City.history.filter(slug__startswith="doomed-", history_type="-").count() == len(cities)
    assert 1 <= response_cache.generation() - before <= 2
    text = client.get("/cities/", headers={"accept-language": "en"}).text
    assert "Kept City" in text and "Doomed 3" not in text


def test_admin_index_shows_todays_network(staff_client, home):
    PartnershipFactory(city=home, partner=CityFactory(country="KZ"), established_on=datetime.date(2022, 9, 14))
    PartnershipFactory(city=home, partner=CityFactory(country="KZ"), established_on=datetime.date(2100, 1, 1))
    response = staff_client.get(reverse("admin:index"))
    assert "Home: 1 partner cities in 1 countries" in response.text


def test_admin_speaks_korean_when_the_browser_asks(staff_client):
    response = staff_client.get(reverse("admin:index"), headers={"accept-language": "ko"})
    assert response.status_code == HTTPStatus.OK
    assert '<html lang="ko"' in response.text
    english = staff_client.get(reverse("admin:index"), headers={"accept-language": "en"})
    assert '<html lang="en"' in english.text


def test_the_history_revert_export_and_guided_entry_pages_speak_korean(staff_client, home):
    """The history's sentences, the revert page's breadcrumbs ("Registry › Historical 교류 관계"),
    the export page and the guided entry's countries were English in the Korean admin (fresh-clone
    probe)."""
    city = CityFactory(name_en="Alma-Ata")
    city.name_en = "Almaty"
    city.save()
    old = city.history.order_by("history_id").first()
    korean = {"accept-language": "ko"}
    history = staff_client.get(_url(City, "history", city.pk), headers=korean).text
    assert "아래 목록에서 날짜를 고르면" in history and "Choose a date" not in history
    revert = staff_client.get(
        reverse("admin:registry_city_simple_history", args=[city.pk, old.history_id]), headers=korean
    )
    breadcrumbs = revert.text.split('class="breadcrumbs"', 1)[1].split("</div>", 1)[0]
    assert "도시 외교 등록부" in breadcrumbs and "도시 되돌리기" in breadcrumbs
    assert "Historical" not in breadcrumbs and "Registry" not in breadcrumbs and "Revert" not in breadcrumbs
    assert "Press the" not in revert.text and "이 버전으로 되돌립니다" in revert.text
    export = staff_client.get(reverse("admin:registry_city_export"), headers=korean).text
    assert "모두 선택" in export and "다음 필드를 내보냅니다" in export and "Select all" not in export
    guided = staff_client.get("/admin/registry/partnership/record-new/", headers=korean).text
    countries = guided.split('name="partner_country"', 1)[1].split("</select>", 1)[0]
    assert "카자흐스탄" in countries and "Kazakhstan" not in countries
    english = staff_client.get("/admin/registry/partnership/record-new/", headers={"accept-language": "en"}).text
    assert "Kazakhstan" in english.split('name="partner_country"', 1)[1].split("</select>", 1)[0]


def test_staff_sees_medium_confidence_in_the_changelist(staff_client):
    PartnershipFactory(confidence="medium")
    response = staff_client.get(_url(Partnership, "changelist"), {"confidence__exact": "medium"})
    assert response.context["cl"].result_count == 1
    assert "medium" in response.text


def test_delete_confirmation_names_link_rows_by_their_records(staff_client):
    """The many-to-many link rows read “Almaty – Source title”, never “City_sources object (244)”."""
    city = CityFactory(name_en="Almaty")
    city.sources.add(SourceFactory(title="Press release of 2022-09-21"))
    agreement = AgreementFactory(title_en="Friendly cooperation agreement")
    agreement.parties.add(OrganizationFactory(name_en="Akimat of Almaty"))
    for url in (_url(City, "delete", city.pk), _url(Agreement, "delete", agreement.pk)):
        for language in ("en", "ko"):
            text = staff_client.get(url, headers={"accept-language": language}).text
            assert "object (" not in text and "_sources" not in text and "_parties" not in text
    text = staff_client.get(_url(City, "delete", city.pk), headers={"accept-language": "en"}).text
    assert "City – source: Almaty – Press release of 2022-09-21" in text
    text = staff_client.get(_url(Agreement, "delete", agreement.pk), headers={"accept-language": "en"}).text
    assert "Agreement – organization: Friendly cooperation agreement – Akimat of Almaty" in text


# The other admin forms with a date and its precision take the date as the partnership's form does
# (registry.admin_dates.PartialDatesFormMixin): the agreement's signing date, the event's start and
# the stages inline's date. Before, Django's DateField refused a bare year ("Enter a valid date.").
DATED_RECORDS = {
    "agreement": (lambda: AgreementFactory(publication="draft"), "signed_on", "signed_precision"),
    "event": (lambda: EventFactory(publication="draft"), "start_on", "start_precision"),
    "partnership": (lambda: PartnershipFactory(publication="draft"), "established_on", "established_precision"),
}


def _change_page_data(client, record):
    """The change page of ``record`` and the POST data it would submit unchanged (an empty file
    field, an agreement's document, left out as a browser leaves it)."""
    from .test_staff import form_data

    page = client.get(_url(type(record), "change", record.pk))
    return page, {name: value for name, value in form_data(page).items() if not isinstance(value, FieldFile)}


@pytest.mark.parametrize("name", ["agreement", "event"])
@pytest.mark.parametrize(
    ("typed", "precision", "stored"),
    [
        ("1989", "year", datetime.date(1989, 1, 1)),
        ("1989-10", "month", datetime.date(1989, 10, 1)),
        ("1989-10-24", "day", datetime.date(1989, 10, 24)),
        ("1989-10-24", "month", datetime.date(1989, 10, 1)),  # finer than the precision: cut to it
    ],
)
def test_admin_agreement_and_event_take_a_date_written_to_its_precision(staff_client, name, typed, precision, stored):
    build, date_field, precision_field = DATED_RECORDS[name]
    record = build()
    page, data = _change_page_data(staff_client, record)
    response = staff_client.post(page.request["PATH_INFO"], {**data, date_field: typed, precision_field: precision})
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    record.refresh_from_db()
    assert (getattr(record, date_field), getattr(record, precision_field)) == (stored, precision)


@pytest.mark.parametrize("name", ["agreement", "event", "partnership"])
@pytest.mark.parametrize(
    ("typed", "precision"), [("1989", "year"), ("1989-10", "month"), ("1989-10-24", "day"), ("", "day")]
)
def test_an_admin_add_form_takes_the_precision_a_date_is_written_to(staff_client, name, typed, precision):
    """A new record's precision starts "as written": ``1989`` is stored as a year without choosing
    it (it started at day and refused the year; new-user probe); no date keeps the model's day."""
    build, date_field, precision_field = DATED_RECORDS[name]
    template = build()
    model = type(template)
    page = staff_client.get(_url(model, "add"))
    assert page.context["adminform"].form[precision_field].value() in ("", None)
    assert "As written (1989 is a year)" in page.text
    data = {**_add_data(staff_client, template), date_field: typed, precision_field: ""}
    if name == "partnership":
        template.delete()  # one open partnership a pair
        data["status"] = "active"  # read-only on the change page the data comes from
    else:
        data["slug"] = "added-as-written"
    response = staff_client.post(_url(model, "add"), data)
    if response.status_code == HTTPStatus.OK:  # a date the record requires, left empty
        errors = response.context["adminform"].form.errors
        assert typed == "" and list(errors) == [date_field], errors
        return
    assert response.status_code == HTTPStatus.FOUND
    added = model.objects.order_by("-pk").first()
    assert getattr(added, precision_field) == precision


@pytest.mark.parametrize("name", ["agreement", "event"])
def test_admin_agreement_and_event_add_forms_take_a_bare_year(staff_client, name):
    build, date_field, precision_field = DATED_RECORDS[name]
    template = build()
    page, data = _change_page_data(staff_client, template)
    model = type(template)
    data = {**data, "slug": "added-with-a-year", date_field: "1989", precision_field: "year"}
    data.pop("expected_version", None)
    for key in [key for key in data if key.endswith("-id") or key.endswith("INITIAL_FORMS")]:
        data[key] = "" if key.endswith("-id") else "0"
    response = staff_client.post(_url(model, "add"), data)
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    added = model.objects.get(slug="added-with-a-year")
    assert (getattr(added, date_field), getattr(added, precision_field)) == (datetime.date(1989, 1, 1), "year")


@pytest.mark.parametrize("name", ["agreement", "event"])
def test_admin_agreement_and_event_refuse_a_date_coarser_than_its_precision(staff_client, name):
    build, date_field, precision_field = DATED_RECORDS[name]
    record = build()
    stored = getattr(record, date_field)
    page, data = _change_page_data(staff_client, record)
    response = staff_client.post(page.request["PATH_INFO"], {**data, date_field: "1989", precision_field: "day"})
    assert response.status_code == HTTPStatus.OK
    form = response.context["adminform"].form
    assert [error.code for error in form.errors.as_data()[date_field]] == ["date_coarser_than_precision"]
    assert form.errors[date_field] == [
        "“1989” gives the year only, but “Precision of the date” says day: "
        "give the full date, or choose year in “Precision of the date”."
    ]
    record.refresh_from_db()
    assert getattr(record, date_field) == stored


@pytest.mark.parametrize("name", ["agreement", "event"])
@pytest.mark.parametrize("typed", ["1989-13", "1989-02-30", "89", "abc", "1989-10-24T00"])
def test_admin_agreement_and_event_refuse_text_that_is_no_partial_date(staff_client, name, typed):
    build, date_field, precision_field = DATED_RECORDS[name]
    page, data = _change_page_data(staff_client, build())
    response = staff_client.post(page.request["PATH_INFO"], {**data, date_field: typed, precision_field: "year"})
    assert response.status_code == HTTPStatus.OK
    errors = response.context["adminform"].form.errors.as_data()[date_field]
    if typed in ("1989-13", "1989-02-30"):  # in the form, but no day of the calendar: the API's words
        assert [error.code for error in errors] == ["no_such_day"]
        assert "names no day of the calendar" in response.context["adminform"].form.errors[date_field][0]
    else:
        assert [error.code for error in errors] == ["invalid"]
        assert response.context["adminform"].form.errors[date_field] == [str(PARTIAL_DATE_INVALID)]  # the API's


@pytest.mark.parametrize("name", list(DATED_RECORDS))
def test_admin_partial_date_form_refuses_a_stale_version_without_a_500(staff_client, name):
    """A bare year posted over a version saved meanwhile is refused as a version conflict above
    the form (a 200, never a 500), with no error on the date and nothing saved."""
    build, date_field, precision_field = DATED_RECORDS[name]
    record = build()
    page, data = _change_page_data(staff_client, record)
    type(record).objects.get(pk=record.pk).save()  # someone else saves meanwhile
    response = staff_client.post(page.request["PATH_INFO"], {**data, date_field: "1989", precision_field: "year"})
    assert response.status_code == HTTPStatus.OK
    form = response.context["adminform"].form
    assert [error.code for error in form.non_field_errors().as_data()] == ["version_conflict"]
    assert date_field not in form.errors
    record.refresh_from_db()
    assert getattr(record, date_field) != datetime.date(1989, 1, 1)


def _stage_row(data, on, precision):
    return {
        **data,
        "stages-TOTAL_FORMS": "1",
        "stages-0-kind": "letter_of_intent",
        "stages-0-on": on,
        "stages-0-precision": precision,
    }


@pytest.mark.parametrize(
    ("typed", "precision", "stored"),
    [
        ("1988", "year", datetime.date(1988, 1, 1)),
        ("1988-10", "month", datetime.date(1988, 10, 1)),
        ("1988-10-24", "day", datetime.date(1988, 10, 24)),
    ],
)
def test_admin_stage_inline_takes_a_date_written_to_its_precision(staff_client, typed, precision, stored):
    partnership = PartnershipFactory(publication="draft", established_on=datetime.date(1989, 10, 24))
    page, data = _change_page_data(staff_client, partnership)
    response = staff_client.post(page.request["PATH_INFO"], _stage_row(data, typed, precision))
    assert response.status_code == HTTPStatus.FOUND, response.context["inline_admin_formsets"][0].formset.errors
    stage = partnership.stages.get()
    assert (stage.kind, stage.on, stage.precision) == ("letter_of_intent", stored, precision)


@pytest.mark.parametrize(
    ("typed", "code"),
    [("1988", "date_coarser_than_precision"), ("1988-13", "no_such_day"), ("1988/13", "invalid"), ("abc", "invalid")],
)
def test_admin_stage_inline_refuses_a_coarse_date_or_text_that_is_no_date(staff_client, typed, code):
    partnership = PartnershipFactory(publication="draft", established_on=datetime.date(1989, 10, 24))
    page, data = _change_page_data(staff_client, partnership)
    response = staff_client.post(page.request["PATH_INFO"], _stage_row(data, typed, "day"))
    assert response.status_code == HTTPStatus.OK
    row = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert [error.code for error in row.errors.as_data()["on"]] == [code]
    if code == "invalid":
        assert row.errors["on"] == [str(PARTIAL_DATE_INVALID)]
    assert not partnership.stages.exists()


def test_admin_stage_inline_with_a_bare_year_over_a_stale_version_is_a_conflict_not_a_500(staff_client):
    partnership = PartnershipFactory(publication="draft", established_on=datetime.date(1989, 10, 24))
    page, data = _change_page_data(staff_client, partnership)
    Partnership.objects.get(pk=partnership.pk).save()  # someone else saves meanwhile
    response = staff_client.post(page.request["PATH_INFO"], _stage_row(data, "1988", "year"))
    assert response.status_code == HTTPStatus.OK
    form = response.context["adminform"].form
    assert [error.code for error in form.non_field_errors().as_data()] == ["version_conflict"]
    assert response.context["inline_admin_formsets"][0].formset.errors == [{}]
    assert not partnership.stages.exists()


@pytest.mark.parametrize("name", list(DATED_RECORDS))
@pytest.mark.parametrize(
    ("stored", "precision", "shown"), [((1989, 1, 1), "year", "1989"), ((1989, 10, 1), "month", "1989-10")]
)
def test_admin_change_form_shows_a_partial_date_as_written_and_saves_it_unchanged(
    staff_client, name, stored, precision, shown
):
    """A year's date showed as ``1989-01-01``, which reads as 1 January (a new user); it shows as
    ``1989`` (``1989-10`` for a month), and the page saved as shown changes nothing."""
    build, date_field, precision_field = DATED_RECORDS[name]
    record = build()
    type(record).objects.filter(pk=record.pk).update(**{date_field: datetime.date(*stored), precision_field: precision})
    page, data = _change_page_data(staff_client, record)
    assert data[date_field] == shown
    assert f'value="{shown}"' in page.text
    response = staff_client.post(page.request["PATH_INFO"], data)
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    record.refresh_from_db()
    assert (getattr(record, date_field), getattr(record, precision_field)) == (datetime.date(*stored), precision)


def _add_data(client, template):
    """The POST data of an add form made from ``template``'s change page (its inlines emptied)."""
    _page, data = _change_page_data(client, template)
    data.pop("expected_version", None)
    for key in [key for key in data if key.endswith("-id") or key.endswith("INITIAL_FORMS")]:
        data[key] = "" if key.endswith("-id") else "0"
    return data


@pytest.mark.parametrize(
    ("build", "name_field", "typed", "made"),
    [
        (
            lambda: AgreementFactory(publication="draft"),
            "title_en",
            "Busan–Shymkent MoU on tourism",
            "busan-shymkent-mou-on-tourism",
        ),
        (lambda: EventFactory(publication="draft"), "title_en", "Signing — Busan, Аlmaty", "signing-busan-almaty"),
        (lambda: CityFactory(), "name_en", "Şanlıurfa", "sanliurfa"),
    ],
)
def test_an_admin_add_form_makes_an_empty_slug_by_the_apis_rule(staff_client, build, name_field, typed, made):
    """A slug left empty is made from the name by ``registry.text.slug_of``, as the API makes it;
    the admin's script filled it as one typed, dropping the en dash (``busanshymkent-…``) and any
    letter it could not spell (new-user probe)."""
    template = build()
    model = type(template)
    page = staff_client.get(_url(model, "add"))
    assert "Left empty, it is made from the" in page.text
    assert "prepopulated_fields" not in page.text
    data = {**_add_data(staff_client, template), "slug": "", name_field: typed}
    response = staff_client.post(_url(model, "add"), data)
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    assert model.objects.filter(slug=made).exists()
    # Made again, it is taken: the error says so on the slug, naming where it came from.
    response = staff_client.post(_url(model, "add"), data)
    assert response.status_code == HTTPStatus.OK
    form = response.context["adminform"].form
    assert [error.code for error in form.errors.as_data()["slug"]] == ["unique"]
    assert form.errors["slug"][0].startswith(f"“{made}”, the slug made from ")
    assert model.objects.filter(slug=made).count() == 1
    # A typed slug is kept as typed.
    response = staff_client.post(_url(model, "add"), {**data, name_field: "Quite Another Name", "slug": "my-own"})
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    assert model.objects.filter(slug="my-own").exists()


@pytest.mark.parametrize("sent", [None, ""])
def test_a_change_form_without_its_version_is_refused_not_saved_over_a_change(staff_client, sent):
    """An empty or missing ``expected_version`` skipped the check, so a stale page undid an API
    edit made meanwhile (adversarial probe)."""
    city = CityFactory(remarks_en="before")
    page, data = _change_page_data(staff_client, city)
    services.save_record(instance=City.objects.get(pk=city.pk), data={"remarks_en": "meanwhile"}, reason="API")
    data = {**data, "name_ko": "바뀜"}
    if sent is None:
        data.pop("expected_version")
    else:
        data["expected_version"] = sent
    response = staff_client.post(page.request["PATH_INFO"], data)
    assert response.status_code == HTTPStatus.OK
    errors = response.context["adminform"].form.non_field_errors().as_data()
    assert [error.code for error in errors] == ["version_missing"]
    city.refresh_from_db()
    assert (city.remarks_en, city.name_ko) == ("meanwhile", city.name_ko)
    assert city.name_ko != "바뀜"


@pytest.mark.parametrize("reason", ["", "Checked against the press release"])
def test_an_admin_save_without_a_change_is_no_new_version(staff_client, reason):
    """Found by a new user: "Save" without a change made a new version and an empty "Changed" in the
    history (a reason alone changes nothing either). A change still saves."""
    city = CityFactory(remarks_en="before")
    page, data = _change_page_data(staff_client, city)
    response = staff_client.post(page.request["PATH_INFO"], {**data, "change_reason": reason})
    assert response.status_code == HTTPStatus.FOUND
    city.refresh_from_db()
    assert (city.version, city.history.count()) == (1, 1)
    page, data = _change_page_data(staff_client, city)
    assert staff_client.post(page.request["PATH_INFO"], {**data, "remarks_en": "after"}).status_code == 302
    city.refresh_from_db()
    assert (city.version, city.history.count(), city.remarks_en) == (2, 2, "after")


def test_a_change_only_to_an_inline_moves_the_version_so_a_stale_form_is_refused(staff_client):
    """Found by the adversarial probe: once a save without a change stopped making a version, a save
    changing only a former name left the version as it was, and a form opened before it saved the
    old name's row back over the change without a conflict."""
    city = CityFactory(remarks_en="before")
    CityName.objects.create(city=city, name="Vernyi", notes="")
    page, stale = _change_page_data(staff_client, city)
    prefix = next(name[: -len("-notes")] for name in stale if name.endswith("-0-notes"))
    response = staff_client.post(page.request["PATH_INFO"], {**stale, f"{prefix}-notes": "Founded as a fort"})
    assert response.status_code == HTTPStatus.FOUND
    city.refresh_from_db()
    assert (city.version, city.history.count(), city.names.get().notes) == (2, 2, "Founded as a fort")
    refused = staff_client.post(page.request["PATH_INFO"], {**stale, "remarks_en": "after"})
    assert refused.status_code == HTTPStatus.OK
    assert [e.code for e in refused.context["adminform"].form.non_field_errors().as_data()] == ["version_conflict"]
    assert City.objects.get(pk=city.pk).names.get().notes == "Founded as a fort"


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_slug_help_s_example_is_what_the_rule_makes(staff_client, language):
    """The add form's slug help gives a name and the slug made of it: the example holds
    (:func:`registry.text.slug_of`), and fits a city (it read “Busan–Almaty”, a partnership's
    name, on a city's form; new-user probe)."""
    page = staff_client.get(reverse("admin:registry_city_add"), HTTP_ACCEPT_LANGUAGE=language).text
    name, slug = re.search(r"“([^”]+)” (?:gives|→) ([a-z0-9-]+)", page).groups()
    assert slug_of(name, max_length=120) == slug
    assert "–" not in name


def test_every_deleted_record_can_be_found_a_page_at_a_time_each_once(staff_client):
    """The deleted records' list pages through all of them (it stopped at the latest 200, so a
    hundred of 300 events deleted together could not be restored from it, helper-105), the latest
    deletion first, a record deleted, restored and deleted again once, in English and Korean."""
    from registry.services import deleted_records

    cities = [CityFactory(slug=f"gone-{n}", name_en=f"Gone {n}") for n in range(5)]
    first_pk = cities[0].pk
    for city in cities:
        services.delete_record(instance=city)
    again = services.restore_deleted(model=City, pk=first_pk)
    services.delete_record(instance=again)
    first = deleted_records(City, per_page=2)
    assert first.paginator.count == 5 and first.paginator.num_pages == 3
    assert [record.label for record in first.object_list][0] == "Gone 0"  # deleted last
    labels = [r.label for n in (1, 2, 3) for r in deleted_records(City, page=n, per_page=2).object_list]
    assert sorted(labels) == [f"Gone {n}" for n in range(5)]
    assert [r.label for r in deleted_records(City, page="junk", per_page=2).object_list] == labels[:2]
    assert [r.label for r in deleted_records(City, page=99, per_page=2).object_list] == labels[4:]

    many = [CityFactory(slug=f"many-{n}", name_en=f"Many {n}") for n in range(101)]
    services.delete_records(queryset=City.objects.filter(pk__in=[city.pk for city in many]))
    page = staff_client.get("/admin/registry/city/deleted/", headers={"accept-language": "en"})
    assert page.status_code == HTTPStatus.OK
    assert "106 deleted records" in page.text and 'href="?p=2"' in page.text
    second = staff_client.get("/admin/registry/city/deleted/?p=2", headers={"accept-language": "en"}).text
    assert second.count('name="restore"') == 6
    assert (
        "삭제된 기록 106건" in staff_client.get("/admin/registry/city/deleted/", headers={"accept-language": "ko"}).text
    )


def test_the_deleted_former_names_name_their_city_and_can_be_searched(staff_client):
    """The deleted former names' list names each one's city, linked to it while it exists and
    named as it was called once deleted too (a list of bare names, "Pusan", "Verny", did not say
    whose they were, helper-106), and is searched as the change list is (``?q=``, over the admin's
    ``search_fields``: the name and its city's), the pages keeping the search."""
    busan = CityFactory(slug="busan", name_en="Busan", country="KR")
    almaty = CityFactory(slug="almaty", name_en="Almaty", country="KZ")
    gone = CityFactory(slug="zedville", name_en="Zedville")
    for city, name in ((busan, "Pusan"), (almaty, "Verny"), (gone, "Oldzed")):
        services.delete_record(instance=CityName.objects.create(city=city, name=name))
    services.delete_record(instance=gone)  # "Oldzed" was deleted before its city, so stays listed alone
    url = "/admin/registry/cityname/deleted/"
    page = staff_client.get(url, headers={"accept-language": "en"}).text
    rows = re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<td>\s*(.*?)\s*</td>", page, re.S)
    assert rows == [
        ("Oldzed", "Zedville (deleted)"),
        ("Verny", f'<a href="/admin/registry/city/{almaty.pk}/change/">Almaty</a>'),
        ("Pusan", f'<a href="/admin/registry/city/{busan.pk}/change/">Busan</a>'),
    ], rows
    assert '<th scope="col">City</th>' in page
    found = staff_client.get(url, {"q": "pusan"}, headers={"accept-language": "en"}).text
    assert ">Pusan<" in found and ">Verny<" not in found and "1 deleted record matches “pusan”" in found
    by_city = staff_client.get(url, {"q": "almaty"}, headers={"accept-language": "en"}).text
    assert ">Verny<" in by_city and ">Pusan<" not in by_city
    # By the name of a city deleted since (the search fields follow living cities only).
    by_gone_city = staff_client.get(url, {"q": "ZEDVILLE"}, headers={"accept-language": "en"}).text
    assert ">Oldzed<" in by_gone_city and ">Verny<" not in by_gone_city and ">Pusan<" not in by_gone_city
    none = staff_client.get(url, {"q": "nowhere"}, headers={"accept-language": "en"}).text
    assert "No deleted records match “nowhere”." in none and 'name="restore"' not in none
    assert (
        "삭제된 기록 중 “nowhere”에 맞는 것이 없습니다."
        in staff_client.get(url, {"q": "nowhere"}, headers={"accept-language": "ko"}).text
    )

    from registry.services import deleted_records

    cities = [CityFactory(slug=f"lost-{n}", name_en=f"Lost {n}") for n in range(3)]
    services.delete_records(queryset=City.objects.filter(pk__in=[city.pk for city in cities]))
    assert deleted_records(City, search="lost", search_fields=("name_en",), per_page=2).paginator.count == 3
    assert deleted_records(City, search="lost 2", search_fields=("name_en",)).paginator.count == 1
    assert deleted_records(City, search='"lost 2"', search_fields=("name_en",)).paginator.count == 1
    # A field the history cannot follow (the names a deleted city owned are gone) is left out; a
    # city is still found by its own word search, as in the change list.
    assert deleted_records(CityName, search="pusan", search_fields=("city__names__name",)).paginator.count == 0
    assert deleted_records(City, search="lost", search_fields=("names__name",)).paginator.count == 3
    second = staff_client.get("/admin/registry/city/deleted/", {"q": "lost"}, headers={"accept-language": "en"})
    assert second.status_code == HTTPStatus.OK and "3 deleted records match “lost”" in second.text


def test_the_deleted_records_are_searched_in_any_script_and_case_on_both_databases(staff_client):
    """The deleted list is searched as the change list is, the model's own word search included:
    a capital beyond ASCII matches its small letter on SQLite as on PostgreSQL (Django's
    ``icontains`` alone folds ASCII only on SQLite, so “ürümqi” missed a deleted Ürümqi there), a
    city by its folded name (“urumqi”), an event's title in any case (“ÉTÉ”), and a search field
    that names its own lookup (``slug__iexact``) is applied, not dropped."""
    from registry.admin import CityAdmin, EventAdmin
    from registry.services import deleted_records

    city = CityFactory(slug="urumqi", name_en="Ürümqi", country="CN")
    other = CityFactory(slug="osh", name_en="Osh", country="KG")
    event = EventFactory(title_en="Été festival", partnership=PartnershipFactory())
    for record in (city, other, event):
        services.delete_record(instance=record)
    fields = CityAdmin.search_fields
    for query in ("ürümqi", "ÜRÜMQI", "urumqi", "Ürümqi"):
        found = deleted_records(City, search=query, search_fields=fields)
        assert [record.label for record in found.object_list] == ["Ürümqi"], query
    assert deleted_records(Event, search="ÉTÉ", search_fields=EventAdmin.search_fields).paginator.count == 1
    assert deleted_records(Event, search="hiver", search_fields=EventAdmin.search_fields).paginator.count == 0
    services.delete_record(instance=CityName.objects.create(city=CityFactory(), name="Old Osh"))
    exactly = ("name__iexact",)  # a former name, which has no word search of its own
    found = deleted_records(CityName, search='"OLD OSH"', search_fields=exactly).object_list
    assert [record.label for record in found] == ["Old Osh"]
    assert deleted_records(CityName, search="O", search_fields=exactly).paginator.count == 0
    page = staff_client.get("/admin/registry/city/deleted/", {"q": "ÜRÜMQI"}, headers={"accept-language": "en"})
    assert "1 deleted record matches “ÜRÜMQI”" in page.text and ">Ürümqi<" in page.text


def test_the_deleted_list_reads_the_same_queries_for_one_and_many_records_of_deleted_owners(staff_client):
    """A page of deleted former names whose cities are deleted too names each city with one query
    for them all (it read each one's history apart: 100 former names of deleted cities, 100
    queries)."""

    def deleted_names(count: int) -> int:
        for n in range(count):
            city = CityFactory(slug=f"gone-{count}-{n}", name_en=f"Gone {count} {n}")
            services.delete_record(instance=CityName.objects.create(city=city, name=f"Old {count} {n}"))
            services.delete_record(instance=city)
        with CaptureQueriesContext(connection) as queries:
            page = staff_client.get("/admin/registry/cityname/deleted/", headers={"accept-language": "en"})
        assert page.status_code == HTTPStatus.OK
        assert f"Gone {count} {count - 1} (deleted)" in page.text
        return len(queries)

    one = deleted_names(1)
    assert deleted_names(12) == one


def test_the_deleted_partnerships_read_their_cities_in_one_query_however_many(staff_client):
    """A deleted partnership is named by its cities ("Busan – Almaty (sister city)"): a page of
    them reads the cities of all in one query (it read two a row), and one whose city was deleted
    since is named by its key, as before."""
    home = CityFactory(slug="home-city", name_en="Home")

    def deleted_partnerships(count: int) -> tuple[int, str]:
        for n in range(count):
            partner = CityFactory(slug=f"twin-{count}-{n}", name_en=f"Twin {count} {n}")
            services.delete_record(instance=PartnershipFactory(city=home, partner=partner))
        with CaptureQueriesContext(connection) as queries:
            page = staff_client.get("/admin/registry/partnership/deleted/", headers={"accept-language": "en"})
        assert page.status_code == HTTPStatus.OK
        return len(queries), page.text

    one, text = deleted_partnerships(1)
    assert "Home – Twin 1 0" in text
    many, text = deleted_partnerships(8)
    assert many == one and "Home – Twin 8 7" in text
    lost = PartnershipFactory(city=home, partner=CityFactory(slug="lost-twin", name_en="Lost twin"))
    lost_pk = lost.pk
    services.delete_record(instance=lost)
    services.delete_record(instance=City.objects.get(slug="lost-twin"))
    text = staff_client.get("/admin/registry/partnership/deleted/", headers={"accept-language": "en"}).text
    assert f"Partnership {lost_pk}" in text and "Lost twin" not in text


def test_deleted_records_and_former_names_are_found_in_any_case_on_both_databases(staff_client):
    """A search typed in other capitals than the name's (``ürümqi`` for Ürümqi, ``ŁÓDŹ`` for Łódź,
    Greek) finds the same rows on SQLite as on PostgreSQL: in the deleted records' list (it read
    Django's ``icontains``, whose SQLite ``LIKE`` folds ASCII letters only, so "ürümqi" found a
    deleted "Ürümqi" on PostgreSQL alone) and in the former names' change list, whose model has
    no search of its own (helper-110)."""
    urumqi = CityFactory(slug="urumqi", name_en="Ürümqi", country="CN")
    lodz = CityFactory(slug="lodz", name_en="Łódź", country="PL")
    kept = CityName.objects.create(city=urumqi, name="ÖRÜMCHI")
    CityName.objects.create(city=urumqi, name="Dihua été")
    services.delete_record(instance=CityName.objects.create(city=lodz, name="ΑΘΉΝΑΙ"))
    services.delete_record(instance=lodz)
    urumqi_pk = urumqi.pk
    services.delete_record(instance=urumqi)
    services.restore_deleted(model=City, pk=urumqi_pk)  # with its former names

    def restorable(url, query):
        page = staff_client.get(url, {"q": query}, headers={"accept-language": "en"})
        assert page.status_code == HTTPStatus.OK
        return page.text.count('name="restore"')

    for query in ("Łódź", "łódź", "ŁÓDŹ"):
        assert restorable("/admin/registry/city/deleted/", query) == 1, query
    for query in ("ΑΘΉΝΑΙ", "αθήναι"):
        assert restorable("/admin/registry/cityname/deleted/", query) == 1, query
    assert restorable("/admin/registry/cityname/deleted/", "örümchi") == 0  # restored with its city

    def listed(query):
        page = staff_client.get(reverse("admin:registry_cityname_changelist"), {"q": query})
        return re.findall(r'<th class="field-name"><a href="[^"]*/(\d+)/change/', page.text)

    for query in ("ÖRÜMCHI", "örümchi", "ÖRÜMchi"):
        assert listed(query) == [str(kept.pk)], query
    assert len(listed("ÉTÉ")) == 1 and len(listed("ürümqi")) == 2  # a name, a city's name


def test_delete_selected_of_former_names_takes_them_out_of_their_citys_search(staff_client):
    """“Delete selected” deletes a record through its model's own ``delete()`` where it has one
    (:func:`registry.services.delete_records`): a former name deleted so left its city findable
    by it (Django's action deletes with one query and skipped it)."""
    almaty = CityFactory(slug="almaty", name_en="Almaty", country="KZ")
    names = [
        CityName.objects.create(city=almaty, name="Alma-Ata", used_from=1921, used_until=1993),
        CityName.objects.create(city=almaty, name="Verny", used_from=1855, used_until=1921),
    ]
    almaty.refresh_from_db()
    assert "alma ata" in almaty.search_text and "verny" in almaty.search_text
    response = staff_client.post(
        reverse("admin:registry_cityname_changelist"),
        {"action": "delete_selected", "_selected_action": [name.pk for name in names], "post": "yes"},
    )
    assert response.status_code == HTTPStatus.FOUND
    almaty.refresh_from_db()
    assert not CityName.objects.filter(city=almaty).exists()
    assert "alma ata" not in almaty.search_text and "verny" not in almaty.search_text
    assert City.objects.search("Verny").count() == 0


def test_restoring_a_record_whose_parent_was_deleted_since_names_the_parent(staff_client):
    """A former name whose city was deleted since is not restored alone: the message names the
    city as it was called and says to restore it first (it said "City: city instance with id 176
    is not a valid choice.", helper-106), and restoring the city brings the name back with it."""
    from django.contrib.messages import get_messages

    city = CityFactory(slug="zedville", name_en="Zedville")
    name = CityName.objects.create(city=city, name="Oldzed", used_from=1800, used_until=1900)
    city_pk, name_pk = city.pk, name.pk
    services.delete_record(instance=city)
    assert not CityName.objects.filter(pk=name_pk).exists()
    response = staff_client.post(
        "/admin/registry/cityname/deleted/", {"restore": name_pk}, headers={"accept-language": "en"}
    )
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert shown == ["Not restored: City: City “Zedville” deleted since: restore it first."], shown
    assert not CityName.objects.filter(pk=name_pk).exists()
    services.restore_deleted(model=City, pk=city_pk)
    assert CityName.objects.filter(pk=name_pk, name="Oldzed").exists()
