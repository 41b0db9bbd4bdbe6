"""“Record a new partnership”: one admin page, all or nothing."""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from registry.dates import PARTIAL_DATE_INVALID
from registry.models import Agreement, City, Event, Partnership, Person, Signatory, Source

from .factories import CityFactory, PartnershipFactory, PersonFactory

pytestmark = pytest.mark.django_db
URL = "/admin/registry/partnership/record-new/"


def entry(**values):
    data = {
        "partner_name_en": "Tashkent",
        "partner_name_ko": "타슈켄트",
        "partner_country": "UZ",
        "partner_latitude": "41.31100",
        "partner_longitude": "69.27970",
        "partnership_kind": "friendship",
        "partnership_established_on": "2024-05-20",
        "partnership_established_precision": "day",
        "agreement_title_en": "Friendly cooperation city agreement between Busan and Tashkent",
        "agreement_title_ko": "부산–타슈켄트 우호협력도시 협정",
        "agreement_kind": "friendship_city",
        "agreement_venue": "Tashkent City Hall",
        "signatory1_role": "Mayor of Busan",
        "signatory2_role": "Khokim of Tashkent",
        "signing_event": "on",
        "source_title": "Busan signs with Tashkent",
        "source_url": "https://example.org/busan-tashkent",
        "publication": "published",
    }
    return {**data, **values}


def counts():
    return [model.objects.count() for model in (City, Partnership, Agreement, Signatory, Person, Event, Source)]


def test_guided_entry_records_everything_in_one_step(home, staff_client, client):
    assert staff_client.get(URL).status_code == HTTPStatus.OK
    answer = staff_client.post(URL, entry())
    assert answer.status_code == HTTPStatus.FOUND, answer.context and answer.context["form"].errors
    partnership = Partnership.objects.get(partner__name_en="Tashkent")
    assert answer["Location"] == reverse("admin:registry_partnership_change", args=[partnership.pk])
    assert partnership.city == home
    agreement = partnership.agreements.get()
    assert [s.role for s in agreement.signatories.all()] == ["Mayor of Busan", "Khokim of Tashkent"]
    assert agreement.events.get().kind == "signing_ceremony"
    assert list(partnership.sources.values_list("title", flat=True)) == ["Busan signs with Tashkent"]
    # The city made here cites it too (helper-99: its page said it had no source).
    assert list(partnership.partner.sources.values_list("title", flat=True)) == ["Busan signs with Tashkent"]
    # The public sees it.
    assert "Tashkent" in client.get(partnership.partner.get_absolute_url()).content.decode()


def test_one_bad_field_leaves_no_row_behind(home, staff_client):
    before = counts()
    answer = staff_client.post(URL, entry(agreement_kind="treaty-of-nonsense"))
    assert answer.status_code == HTTPStatus.OK
    assert "agreement_kind" in answer.context["form"].errors
    assert counts() == before
    # A rule of a later record (a second open partnership with the same city) rolls back the new source.
    existing = CityFactory(slug="osaka", name_en="Osaka", country="JP")
    PartnershipFactory(city=home, partner=existing)
    before = counts()
    answer = staff_client.post(URL, entry(partner=str(existing.pk), partner_name_en="", partner_country=""))
    assert answer.status_code == HTTPStatus.OK
    assert answer.context["form"].errors["partner"]
    assert counts() == before


def test_duplicate_warning_for_a_typed_partner_city(home, staff_client):
    CityFactory(slug="tashkent", name_en="Tashkent", country="UZ")
    before = counts()
    answer = staff_client.post(URL, entry())
    assert "A city with this name already exists in this country" in answer.content.decode()
    assert counts() == before
    assert staff_client.post(URL, entry(save_anyway="on")).status_code == HTTPStatus.FOUND


def test_partnership_form_defaults_to_the_home_city(home, staff_client):
    answer = staff_client.get(reverse("admin:registry_partnership_add"))
    assert answer.context["adminform"].form.initial["city"] == home.pk


def test_signatories_by_name_a_new_person_and_one_already_recorded(home, staff_client, client):
    khokim = PersonFactory(slug="shavkat-umurzakov", name_en="Shavkat Umurzakov")
    answer = staff_client.post(
        URL,
        entry(
            signatory1_name_en="Park Heong-joon",
            signatory1_name_ko="박형준",
            signatory1_role_ko="부산광역시장",
            signatory2_person=str(khokim.pk),
        ),
    )
    assert answer.status_code == HTTPStatus.FOUND, answer.context and answer.context["form"].errors
    agreement = Agreement.objects.get(partnership__partner__name_en="Tashkent")
    assert [(s.order, s.person.name_en, s.role, s.role_ko) for s in agreement.signatories.all()] == [
        (1, "Park Heong-joon", "Mayor of Busan", "부산광역시장"),
        (2, "Shavkat Umurzakov", "Khokim of Tashkent", ""),
    ]
    mayor = Person.objects.get(name_en="Park Heong-joon")
    assert (mayor.slug, mayor.name_ko) == ("park-heong-joon", "박형준")
    assert list(mayor.sources.values_list("title", flat=True)) == ["Busan signs with Tashkent"]
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "Park Heong-joon" in page and "Shavkat Umurzakov" in page


def test_a_bad_signatory_leaves_no_row_behind(home, staff_client):
    before = counts()
    # Signatory 1 (a new person) is written before signatory 2 fails the Person's own rule
    # (an English name is required): everything is rolled back, the error is on the field.
    answer = staff_client.post(
        URL, entry(signatory1_name_en="Park Heong-joon", signatory2_name_ko="샵카트 우무르자코프")
    )
    assert answer.status_code == HTTPStatus.OK
    assert answer.context["form"].errors["signatory2_name_en"] == ["This field cannot be blank."]
    assert counts() == before
    # The signatory's rule (a person or a role) is the model's constraint, reported on the role.
    answer = staff_client.post(URL, entry(signatory2_role="", signatory2_role_ko="타슈켄트 시장"))
    assert answer.context["form"].errors["signatory2_role"] == [
        "Name a person or, where the source names none, the role."
    ]
    assert counts() == before


def test_a_signatory_is_a_person_picked_or_typed_not_both(home, staff_client):
    someone = PersonFactory()
    before = counts()
    answer = staff_client.post(URL, entry(signatory1_person=str(someone.pk), signatory1_name_en="Someone else"))
    assert answer.context["form"].errors["signatory1_name_en"] == [
        "Pick a person or give a new person's name, not both."
    ]
    assert counts() == before


def test_the_page_groups_its_fields_and_picks_people_by_autocomplete(home, staff_client):
    page = staff_client.get(URL).content.decode()
    for heading in ("Partner city", "Partnership", "Agreement", "Signatory 1", "Signatory 2", "Source"):
        assert f'class="fieldset-heading">{heading}</h2>' in page
    assert 'data-model-name="signatory" data-field-name="person"' in page
    PersonFactory(name_en="Shavkat Umurzakov")
    found = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "registry", "model_name": "signatory", "field_name": "person", "term": "shav"},
    )
    assert [row["text"] for row in found.json()["results"]] == ["Shavkat Umurzakov"]


def test_an_office_records_only_its_own_cities_partnerships(home, office, client):
    """An account limited to another city's office is refused here as on the add form and in
    the API, with a sentence naming its office; nothing is written."""
    client.force_login(office)
    before = counts()
    answer = client.post(URL, entry())
    assert answer.status_code == HTTPStatus.OK
    assert "the office of Office Home" in " ".join(answer.context["form"].non_field_errors())
    assert counts() == before


def test_the_agreement_kind_follows_the_partnership_kind(home, staff_client):
    before = counts()
    answer = staff_client.post(URL, entry(partnership_kind="friendship", agreement_kind="sister_city"))
    assert answer.status_code == HTTPStatus.OK
    errors = answer.context["form"].errors["agreement_kind"]
    assert errors == [
        "A sister city agreement belongs to a sister city partnership; this partnership is a friendship city."
    ]
    assert counts() == before


@pytest.mark.parametrize(("kind", "agreement_kind"), [("friendship", "friendship_city"), ("sister", "sister_city")])
def test_an_agreement_kind_left_as_the_partnership_is_the_one_that_makes_it(home, staff_client, kind, agreement_kind):
    """The kind list started at "sister city agreement", so a friendship city recorded without
    changing it was refused (new-user probe); left so, it is the partnership's own kind."""
    page = staff_client.get(URL)
    assert 'value="" selected' in page.text.split('name="agreement_kind"')[1].split("</select>")[0]
    answer = staff_client.post(URL, entry(partnership_kind=kind, agreement_kind=""))
    assert answer.status_code == HTTPStatus.FOUND, answer.context["form"].errors
    assert Agreement.objects.get().kind == agreement_kind
    assert Partnership.objects.get(partner__name_en="Tashkent").kind == kind


@pytest.mark.parametrize(
    ("typed", "precision", "stored"),
    [
        ("2019", "year", datetime.date(2019, 1, 1)),
        ("2019-10", "month", datetime.date(2019, 10, 1)),
        ("2019-10-24", "day", datetime.date(2019, 10, 24)),
        ("2019-10-24", "year", datetime.date(2019, 1, 1)),  # finer than the precision: cut to it
        # Left "as written", the default: the precision the date is typed to (it started at day,
        # and a typed 2024 was refused until one changed it; new-user probe).
        ("2019", "", datetime.date(2019, 1, 1)),
        ("2019-10", "", datetime.date(2019, 10, 1)),
        ("2019-10-24", "", datetime.date(2019, 10, 24)),
    ],
)
def test_guided_entry_takes_a_date_written_to_its_precision(home, staff_client, typed, precision, stored):
    """The date is typed as on the partnership's admin form and in the API: a bare year with
    ``year``, a month with ``month`` or a full date; the partnership, its agreement and the
    signing ceremony all keep it cut to the precision."""
    answer = staff_client.post(
        URL, entry(partnership_established_on=typed, partnership_established_precision=precision)
    )
    assert answer.status_code == HTTPStatus.FOUND, answer.context and answer.context["form"].errors
    partnership = Partnership.objects.get(partner__name_en="Tashkent")
    agreement = partnership.agreements.get()
    event = agreement.events.get()
    precision = precision or {4: "year", 7: "month", 10: "day"}[len(typed)]
    assert (partnership.established_on, partnership.established_precision) == (stored, precision)
    assert (agreement.signed_on, agreement.signed_precision) == (stored, precision)
    assert (event.start_on, event.start_precision) == (stored, precision)
    form = staff_client.get(URL).context["form"]
    assert form["partnership_established_precision"].value() in ("", None)  # as written, by default


@pytest.mark.parametrize(
    ("typed", "code"),
    [("2019", "date_coarser_than_precision"), ("2019-13", "no_such_day"), ("2019/13", "invalid"), ("abc", "invalid")],
)
def test_guided_entry_refuses_a_coarse_date_or_text_that_is_no_date(home, staff_client, typed, code):
    before = counts()
    answer = staff_client.post(URL, entry(partnership_established_on=typed, partnership_established_precision="day"))
    assert answer.status_code == HTTPStatus.OK
    errors = answer.context["form"].errors.as_data()["partnership_established_on"]
    assert [error.code for error in errors] == [code]
    if code == "invalid":
        assert answer.context["form"].errors["partnership_established_on"] == [str(PARTIAL_DATE_INVALID)]
    elif code == "no_such_day":
        assert "names no day of the calendar" in answer.context["form"].errors["partnership_established_on"][0]
    else:
        assert answer.context["form"].errors["partnership_established_on"] == [
            "“2019” gives the year only, but “Precision of the date” says day: "
            "give the full date, or choose year in “Precision of the date”."
        ]
    assert counts() == before


def test_guided_entry_makes_slugs_by_the_apis_rule(home, staff_client):
    """``Busan–Tashkent`` gives ``busan-tashkent``: Django's ``slugify`` alone dropped the en dash
    (``busantashkent-…``; new-user probe), and the API's ``slug_of`` keeps it."""
    answer = staff_client.post(URL, entry(agreement_title_en="Busan–Tashkent friendship agreement"))
    assert answer.status_code == HTTPStatus.FOUND, answer.context and answer.context["form"].errors
    assert Agreement.objects.filter(slug="busan-tashkent-friendship-agreement").exists()
    assert Event.objects.filter(slug="signing-busan-tashkent-friendship-agreement").exists()


def test_a_partnership_already_recorded_is_one_clear_error_under_the_partner(home, staff_client):
    """Found by a new user: the page also showed Django's raw "partnership___all__: ['Partnership
    with this City, Partner city, Kind and Established on already exists.']"."""
    tashkent = CityFactory(slug="tashkent", name_en="Tashkent", country="UZ")
    PartnershipFactory(city=home, partner=tashkent, kind="friendship", established_on=datetime.date(2024, 5, 20))
    before = counts()
    answer = staff_client.post(URL, entry(partner=str(tashkent.pk), partner_name_en="", partner_name_ko=""))
    assert answer.status_code == HTTPStatus.OK
    form = answer.context["form"]
    assert form.errors == {
        "partner": ["This partnership is already recorded: the same two cities, kind and established date."]
    }
    assert counts() == before


def test_a_new_signatory_named_as_a_recorded_person_is_a_warning_linking_to_them(home, staff_client):
    """Found by a new user: typing "Lee Seong-kwon" as a new person recorded ``lee-seong-kwon-2``
    beside the shipped one, without a word."""
    mayor = PersonFactory(slug="park-heong-joon", name_en="Park Heong-joon", name_ko="박형준")
    before = counts()
    answer = staff_client.post(URL, entry(signatory1_name_en="PARK HEONG-JOON", signatory1_name_ko=""))
    assert answer.status_code == HTTPStatus.OK
    errors = answer.context["form"].errors.as_data()
    assert list(errors) == ["signatory1_name_en"] and errors["signatory1_name_en"][0].code == "possible_duplicate"
    assert reverse("admin:registry_person_change", args=[mayor.pk]) in answer.content.decode()
    assert 'type="checkbox" name="save_anyway"' in answer.content.decode()
    assert counts() == before
    korean = staff_client.post(URL, entry(signatory1_name_ko="박형준"))  # by the Korean name too
    assert list(korean.context["form"].errors) == ["signatory1_name_en"]
    saved = staff_client.post(URL, entry(signatory1_name_en="Park Heong-joon", save_anyway="on"))
    assert saved.status_code == HTTPStatus.FOUND
    assert Person.objects.filter(name_en="Park Heong-joon").count() == 2


@pytest.mark.parametrize(
    "typed", ["ерлан кожаев", "Yerlan  Kozhayev", "Ｙｅｒｌａｎ Ｋｏｚｈａｙｅｖ", "yerlan-kozhayev"]
)
def test_a_recorded_person_is_found_however_the_name_is_typed(home, staff_client, typed):
    """Found by the adversarial probe: SQLite's ``iexact`` folds ASCII only, so "ерлан кожаев" found
    "Ерлан Кожаев" on PostgreSQL alone; a double space or full-width letters hid the person on both."""
    PersonFactory(slug="yerlan-kozhayev", name_en="Yerlan Kozhayev", name_native="Ерлан Кожаев")
    answer = staff_client.post(URL, entry(signatory1_name_en=typed))
    assert answer.status_code == HTTPStatus.OK
    assert list(answer.context["form"].errors) == ["signatory1_name_en"]


def test_a_coordinate_out_of_range_is_an_error_of_the_first_submit(home, staff_client):
    """Found by a new user: a latitude of 95 was reported only once the source's URL was fixed."""
    answer = staff_client.post(URL, entry(partner_latitude="95", source_url="not a url"))
    assert answer.status_code == HTTPStatus.OK
    errors = answer.context["form"].errors
    assert {"partner_latitude", "source_url"} <= set(errors)
    assert errors["partner_latitude"] == ["Ensure this value is less than or equal to 90."]
    assert 'name="partner_latitude"' in answer.text and 'max="90"' in answer.text


def test_the_errors_of_several_records_come_together(home, staff_client):
    """Each record is checked before any is written: a new signatory without an English name and
    another with neither a person nor a role are both reported on the first submit (the first
    invalid record alone came back, then the next; new-user probes)."""
    before = counts()
    answer = staff_client.post(
        URL, entry(signatory1_name_ko="박형준", signatory2_role="", signatory2_role_ko="타슈켄트 시장")
    )
    assert answer.status_code == HTTPStatus.OK
    errors = answer.context["form"].errors
    assert errors["signatory1_name_en"] == ["This field cannot be blank."]
    assert errors["signatory2_role"] == ["Name a person or, where the source names none, the role."]
    assert counts() == before


def test_two_new_signatories_of_one_name_are_two_people(home, staff_client):
    answer = staff_client.post(URL, entry(signatory1_name_en="Kim Min-jun", signatory2_name_en="Kim Min-jun"))
    assert answer.status_code == HTTPStatus.FOUND, answer.context and answer.context["form"].errors
    assert sorted(Person.objects.filter(name_en="Kim Min-jun").values_list("slug", flat=True)) == [
        "kim-min-jun",
        "kim-min-jun-2",
    ]


@pytest.mark.parametrize(("signed_in", "place"), [("home", "home"), ("partner", "tashkent")])
def test_the_agreement_and_its_signing_are_placed_where_it_was_signed(home, staff_client, signed_in, place):
    """Both were placed in the partner city whatever the venue (new-user probe: "Busan City Hall"
    in Tbilisi)."""
    answer = staff_client.post(URL, entry(agreement_venue="Busan City Hall", agreement_signed_in=signed_in))
    assert answer.status_code == HTTPStatus.FOUND, answer.context and answer.context["form"].errors
    agreement = Agreement.objects.get(partnership__partner__name_en="Tashkent")
    assert agreement.place.slug == place
    assert Event.objects.get(agreement=agreement).city.slug == place


def test_the_partnerships_list_offers_the_guided_entry(home, staff_client):
    page = staff_client.get("/admin/registry/partnership/").content.decode()
    assert f'href="{URL}"' in page
    assert f'href="{URL}"' not in staff_client.get("/admin/registry/city/").content.decode()


def test_a_draft_recorded_says_it_is_a_draft(home, staff_client):
    answer = staff_client.post(URL, entry(publication="draft"), follow=True)
    shown = [str(message) for message in answer.context["messages"]]
    assert any("as a draft, with its agreement and signing" in message for message in shown), shown
    published = staff_client.post(URL, entry(partner_name_en="Samarkand", partner_name_ko=""), follow=True)
    assert not any("draft" in str(message) for message in published.context["messages"])


def test_an_agreement_title_error_is_the_agreements_once_and_in_words(home, staff_client):
    """The signing's title is made from the agreement's: its errors came back a second time, as
    "event_title_en: ['…']" above the form (adversarial probe)."""
    before = counts()
    answer = staff_client.post(URL, entry(agreement_title_en="Agreement\x1b"))
    form = answer.context["form"]
    assert len(form.errors["agreement_title_en"]) == 1
    assert "control character" in form.errors["agreement_title_en"][0]
    assert not form.non_field_errors()
    assert counts() == before


def test_a_title_of_the_longest_length_still_names_its_signing(home, staff_client):
    title = "T" * 300
    answer = staff_client.post(URL, entry(agreement_title_en=title))
    assert answer.status_code == HTTPStatus.FOUND, answer.context and answer.context["form"].errors
    signing = Event.objects.get(agreement__title_en=title)
    assert len(signing.title_en) == 300 and signing.title_en.startswith("Signing: T") and signing.title_en[-1] == "…"


def test_a_role_that_shows_nothing_is_no_role(home, staff_client):
    """A Hangul filler (U+3164) passed the "a person or a role" rule (adversarial probe)."""
    before = counts()
    answer = staff_client.post(URL, entry(signatory2_role="\u3164"))
    assert answer.context["form"].errors["signatory2_role"] == [
        "Name a person or, where the source names none, the role."
    ]
    assert counts() == before


@pytest.mark.parametrize("typed", ["2099-05", "2099-05-20"])
def test_a_future_date_is_an_error_under_the_date_typed_once_and_in_words(home, staff_client, typed):
    """The agreement's date of signing and the signing's date are the partnership's: a future date
    came back above the form as "agreement_signed_on: This date is in the future…", with nothing
    under the date typed (helper-92)."""
    before = counts()
    answer = staff_client.post(URL, entry(partnership_established_on=typed, partnership_established_precision=""))
    assert answer.status_code == HTTPStatus.OK
    form = answer.context["form"]
    [message] = form.errors["partnership_established_on"]
    assert "future" in message and "agreement_" not in message
    assert not form.non_field_errors()
    assert counts() == before


def test_a_possible_duplicate_and_the_records_errors_come_in_one_round(home, staff_client):
    """helper-92: a typed signatory already recorded stopped the form at its warning; the future
    date came back only on the next submit, once “Save anyway” was ticked. The records are checked
    beside the warning, and nothing is written."""
    CityFactory(slug="tashkent", name_en="Tashkent", country="UZ")
    before = counts()
    answer = staff_client.post(URL, entry(partnership_established_on="2099-05", partnership_established_precision=""))
    assert answer.status_code == HTTPStatus.OK
    errors = answer.context["form"].errors.as_data()
    assert [error.code for error in errors["partner_name_en"]] == ["possible_duplicate"]
    [future] = errors["partnership_established_on"]
    assert "future" in future.message
    assert counts() == before
    answer = staff_client.post(URL, entry(save_anyway="on"))  # the warning answered, the date corrected
    assert answer.status_code == HTTPStatus.FOUND
