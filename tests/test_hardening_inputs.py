"""Inputs the API accepts exactly as documented (issue 13): the ``X-Change-Reason`` header is UTF-8
(raw or RFC 8187 percent-encoded), never mojibake, never control characters; a partnership
action takes the header as every write does, refuses unknown fields and wrong types, and its
date is ASCII ``YYYY[-MM[-DD]]`` matched whole."""

from http import HTTPStatus

import pytest
import tablib

from registry.models import Partnership, Source

from .conftest import token_client
from .factories import PartnershipFactory, SourceFactory

pytestmark = pytest.mark.django_db


def wire(text: str) -> str:
    """``text`` as a WSGI server hands a header over: its UTF-8 bytes read as Latin-1 (PEP 3333)."""
    return text.encode("utf-8").decode("latin-1")


@pytest.fixture
def api(superuser):
    return token_client(superuser)


KOREAN_PERCENT = "UTF-8''%EB%B6%80%EC%82%B0%20%EB%AA%A9%EB%A1%9D%20%EC%98%A4%EB%8F%85"


@pytest.mark.parametrize("header", [wire("부산 목록 오독"), KOREAN_PERCENT])
def test_a_korean_change_reason_header_is_kept_as_korean(api, header):
    source = SourceFactory(slug="minutes")
    response = api.patch(f"/api/v1/sources/{source.slug}/", {"title": "A"}, format="json", HTTP_X_CHANGE_REASON=header)
    assert response.status_code == HTTPStatus.OK, response.content
    assert source.history.first().history_change_reason == "부산 목록 오독"


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("caf\xe9", "header_encoding"),  # the Latin-1 byte E9 alone is no UTF-8
        ("UTF-8''%FF", "header_encoding"),
        ("UTF-8''a b", "header_encoding"),
        ("Typo\x07", "control_character"),
        (wire("Typo\u0085here"), "control_character"),
        ("UTF-8''Typo%0Ahere", "control_character"),
    ],
)
def test_a_change_reason_header_that_is_no_utf8_text_is_a_400_naming_the_header(api, header, code):
    source = SourceFactory(slug="minutes", title="Minutes")
    before = source.history.count()
    response = api.patch(f"/api/v1/sources/{source.slug}/", {"title": "B"}, format="json", HTTP_X_CHANGE_REASON=header)
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    error = response.json()["errors"]["change_reason"][0]
    assert error["code"] == code and "X-Change-Reason" in error["message"]
    assert (Source.objects.get(slug="minutes").title, source.history.count()) == ("Minutes", before)


def action(api, partnership, body, **headers):
    return api.post(f"/api/v1/partnerships/{partnership.pk}/suspend/", body, format="json", **headers)


def test_an_action_takes_its_reason_from_the_header_as_every_write_does(api):
    partnership = PartnershipFactory()
    response = action(api, partnership, {"on": "2020-01-01"}, HTTP_X_CHANGE_REASON=wire("분쟁"))
    assert response.status_code == HTTPStatus.OK, response.content
    partnership.refresh_from_db()
    assert partnership.status == "suspended" and partnership.stages.get().note_en == "분쟁"


def test_an_action_refuses_a_reason_that_differs_from_the_header_or_none_at_all(api):
    partnership = PartnershipFactory()
    differ = action(api, partnership, {"on": "2020-01-01", "reason": "One"}, HTTP_X_CHANGE_REASON="Other")
    assert differ.json()["errors"]["reason"][0]["code"] == "change_reason_differs"
    missing = action(api, partnership, {"on": "2020-01-01"})
    assert missing.status_code == HTTPStatus.BAD_REQUEST
    assert missing.json()["errors"]["reason"][0]["code"] == "required"
    assert Partnership.objects.get(pk=partnership.pk).status == "active"


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"on": "2020-01-01", "reason": "Dispute", "by": "me"}, "by", "unknown_field"),
        ({"on": "2020-01-01", "reason": 5}, "reason", "invalid"),
        ({"on": "2020-01-01", "reason": ["Dispute"]}, "reason", "invalid"),
        ({"on": "２０２０-01-01", "reason": "Dispute"}, "on", "invalid"),
        ({"on": "2020-01-01\n", "reason": "Dispute"}, "on", "invalid"),
        ({"on": "٢٠٢٠", "reason": "Dispute"}, "on", "invalid"),
    ],
)
def test_an_action_body_is_strict_naming_the_field(api, body, field, code):
    partnership = PartnershipFactory()
    response = action(api, partnership, body)
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response.json()["errors"][field][0]["code"] == code
    assert Partnership.objects.get(pk=partnership.pk).status == "active"


def test_the_schema_documents_the_action_body_and_the_header_exactly(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    body = schema["components"]["schemas"]["PartnershipActionRequest"]
    assert body["additionalProperties"] is False and body["required"] == ["on"]
    assert body["properties"]["reason"]["type"] == "string"
    assert "\\d" not in body["properties"]["on"]["pattern"]
    operation = schema["paths"]["/api/v1/partnerships/{id}/suspend/"]["post"]
    assert any(p["name"] == "X-Change-Reason" and p["in"] == "header" for p in operation["parameters"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"population": "1_000"}, "population"),
        ({"population": "１２"}, "population"),
        ({"population": True}, "population"),
        ({"name_en": 5}, "name_en"),
        ({"notes": ["a"]}, "notes"),
    ],
)
def test_a_write_takes_numbers_and_text_only_of_their_json_type(api, body, field):
    """Found by the adversarial probe: ``"1_000"`` (Python's digit separators) was stored as 1000,
    and DRF turned ``5`` into the text "5"."""
    from .factories import CityFactory

    city = CityFactory(population=7)
    response = api.patch(f"/api/v1/cities/{city.slug}/", body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][field][0]["code"] == "invalid"
    city.refresh_from_db()
    assert city.population == 7
    assert api.patch(f"/api/v1/cities/{city.slug}/", {"population": 1000}, format="json").status_code == 200


def test_a_patch_answers_the_reference_it_just_set(api):
    """Found by the adversarial probe: the answer to a PATCH setting an event's agreement said
    ``"agreement": null`` (the visibility read with the old record), a GET the agreement."""
    from .factories import AgreementFactory, EventFactory

    event = EventFactory(publication="published", agreement=None)
    agreement = AgreementFactory(publication="published")
    response = api.patch(f"/api/v1/events/{event.slug}/", {"agreement": agreement.slug}, format="json")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["agreement"]["slug"] == agreement.slug
    assert api.get(f"/api/v1/events/{event.slug}/").json()["agreement"]["slug"] == agreement.slug


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"population_year": 40_000}, "population_year", "max_value"),  # past PostgreSQL's smallint
        ({"population_year": 2201}, "population_year", "max_value"),
        ({"population_year": 2**63}, "population_year", "max_value"),  # past SQLite's integers
        ({"population_year": 999}, "population_year", "min_value"),
        ({"notice_period_days": 40_000}, "notice_period_days", "max_value"),
    ],
)
def test_a_number_past_its_bounds_is_a_400_naming_the_field_on_every_database(api, body, field, code):
    """Found by the adversarial probe: where a model named no bounds, Django took the database
    column's (2**63 − 1 on SQLite, 32,767 for a smallint on PostgreSQL), so one value was stored
    on SQLite and refused, or a 500, on PostgreSQL."""
    from .factories import AgreementFactory, CityFactory

    record = CityFactory() if "population_year" in body else AgreementFactory()
    path = "cities" if "population_year" in body else "agreements"
    response = api.patch(f"/api/v1/{path}/{record.slug}/", body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert list(response.json()["errors"]) == [field]
    assert response.json()["errors"][field][0]["code"] == code
    record.refresh_from_db()
    assert getattr(record, field) is None


def agreement_form(client, agreement) -> tuple[str, dict]:
    """The agreement's admin change URL and the data its form submits unchanged (no document)."""
    from .test_staff import form_data

    url = f"/admin/registry/agreement/{agreement.pk}/change/"
    data = form_data(client.get(url))
    data.pop("document")
    return url, data


@pytest.mark.parametrize("order", ["1000", "40000"])
def test_an_order_past_999_is_shown_on_its_row_in_the_admin_on_every_database(staff_client, order):
    """The admin is where orders are written (the API lists signatories, members, stops and
    outcomes read-only): 40,000 was stored on SQLite and refused on PostgreSQL (smallint)."""
    from registry.models import Signatory

    from .factories import AgreementFactory

    url, data = agreement_form(staff_client, AgreementFactory())
    data.update({"signatories-TOTAL_FORMS": "1", "signatories-0-order": order, "signatories-0-role": "Mayor"})
    response = staff_client.post(url, data)
    assert response.status_code == HTTPStatus.OK
    (formset,) = [
        inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.prefix == "signatories"
    ]
    assert formset.forms[0].errors["order"] == ["Ensure this value is less than or equal to 999."]
    assert not Signatory.objects.exists()


def test_a_row_numbered_after_order_999_is_refused_on_its_row(staff_client):
    """An empty order numbers a new row after the last; past 999 that is an error on the row, not
    a number stored beyond the field's bounds."""
    from registry.models import Signatory

    from .factories import AgreementFactory

    agreement = AgreementFactory()
    Signatory.objects.create(agreement=agreement, order=999, role="Mayor")
    url, data = agreement_form(staff_client, agreement)
    data.update({"signatories-TOTAL_FORMS": "2", "signatories-1-order": "", "signatories-1-role": "Deputy Mayor"})
    response = staff_client.post(url, data)
    assert response.status_code == HTTPStatus.OK
    (formset,) = [i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == "signatories"]
    assert formset.forms[1].errors["order"] == ["Ensure this value is less than or equal to 999."]
    assert list(Signatory.objects.values_list("order", flat=True)) == [999]


@pytest.mark.parametrize(
    "name", ["\u200b", "\u200b\u200f \u2060", "\ufeff\t", "\u0301", "\u3164", "\u115f\u1160", "\uffa0", "\u2800"]
)
def test_a_required_name_that_shows_nothing_is_refused_as_blank(api, name):
    """Zero-width spaces, direction marks, a BOM or a lone combining accent show nothing: a city
    so named was stored and listed without a name (RegistryModel.clean_fields, text.is_visible)."""
    response = api.post("/api/v1/cities/", {"name_en": name, "slug": "ghost", "country": "KZ"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["name_en"] == [{"message": "This field cannot be blank.", "code": "blank"}]
    response = api.post("/api/v1/sources/", {"slug": "ghost", "title": name}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert [error["code"] for error in response.json()["errors"]["title"]] == ["blank"]


@pytest.mark.parametrize("name", ["e\u0301", "알마티", "\u200fالماتی", "Tehr\u200canp"])
def test_a_name_with_something_to_show_is_kept_as_given(api, name):
    """Combining accents, a right-to-left mark before Persian, a zero-width non-joiner (which
    Persian and Indic scripts need) are kept, in their composed form (``e`` and a combining acute
    accent as ``é``: :func:`test_a_text_is_stored_in_its_composed_form`)."""
    import unicodedata

    response = api.post("/api/v1/cities/", {"name_en": name, "slug": "shown", "country": "KZ"}, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.json()
    assert response.json()["name_en"] == unicodedata.normalize("NFC", name)
    assert len(response.json()["name_en"]) == (1 if name == "e\u0301" else len(name))


@pytest.mark.parametrize(
    ("name", "character"),
    [
        ("\u202eytiC LTR\u202c", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("Almaty\u200b", "U+200B ZERO WIDTH SPACE"),
        ("Alma\u2066ty", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        # listed as "AB" beside a real "AB", or broke the line (adversarial probe)
        ("A\U000e0041B", "U+E0041 TAG LATIN CAPITAL LETTER A"),
        ("A\u2061B", "U+2061 FUNCTION APPLICATION"),
        ("A\u2028B", "U+2028 LINE SEPARATOR"),
        ("A\u2060B", "U+2060 WORD JOINER"),
    ],
)
def test_a_name_holding_a_character_that_hides_or_reorders_text_is_refused_naming_it(api, name, character):
    """A right-to-left override showed "\u202eytiC LTR" reversed in the admin's list, and a
    zero-width space made an "Almaty" that is not Almaty (adversarial probe): refused on the
    field, naming the character, in the API, the admin and imports alike (clean_fields)."""
    response = api.post("/api/v1/cities/", {"name_en": name, "slug": "hidden", "country": "KZ"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["name_en"] == [
        {
            "message": f"The text holds the invisible character {character}, which hides or reorders the text "
            "around it: remove it.",
            "code": "hiding_character",
        }
    ]
    from registry.models import City

    assert not City.objects.filter(slug="hidden").exists()
    row = ["hidden", name, "", "", "KZ", "city", "43.2", "76.9", "high"]
    headers = ["slug", "name_en", "name_ko", "name_native", "country", "admin_level", "latitude", "longitude"]
    from registry.resources import CityResource

    result = CityResource().import_data(
        tablib.Dataset(row, headers=[*headers, "confidence"]), dry_run=True, raise_errors=False
    )
    [invalid] = result.invalid_rows
    assert [error.code for error in invalid.error.error_dict["name_en"]] == ["hiding_character"]


@pytest.mark.parametrize("written", ["2023-02-30", "2023-13", "0000"])
def test_a_date_in_the_form_but_not_in_the_calendar_says_so(api, written):
    """``2023-02-30`` is written as YYYY-MM-DD: the refusal "Enter a date as YYYY, YYYY-MM or
    YYYY-MM-DD" told the client to write what they wrote (adversarial probe). The API and the
    imports now say it is no day of the calendar (code ``no_such_day``)."""
    from registry.models import Partnership
    from registry.resources import PartnershipResource

    from .factories import CityFactory

    message = (
        f"“{written}” is written as a date but names no day of the calendar: a month is 01 to 12, a day at "
        "most the month's last (28 to 31), a year 0001 or later."
    )
    home, partner = CityFactory(slug="busan"), CityFactory(slug="almaty")
    body = {"city": home.slug, "partner": partner.slug, "kind": "friendship", "established_on": written}
    response = api.post("/api/v1/partnerships/", body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["established_on"] == [{"message": message, "code": "no_such_day"}]
    headers = ["city", "partner", "kind", "established_on", "established_precision", "status", "confidence"]
    rows = tablib.Dataset(["busan", "almaty", "friendship", written, "", "active", "high"], headers=headers)
    result = PartnershipResource().import_data(rows, dry_run=True, raise_errors=False)
    [invalid] = result.invalid_rows
    assert [str(error) for error in invalid.error_dict["established_on"]] == [message]
    assert not Partnership.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/cities/", "/cities/", "/admin/registry/city/"])
def test_a_query_of_more_than_a_thousand_parameters_is_a_400_naming_the_limit(client, settings, path):
    """Django refuses it on first reading ``request.GET``: the API answered its HTML page, and with
    DEBUG on (``make run``) the debug page read the query again and answered 500 (adversarial probe)."""
    settings.DEBUG = True
    query = "&".join(f"p{i}=1" for i in range(1001))
    response = client.get(f"{path}?{query}")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    if path.startswith("/api/"):
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert (body["code"], body["detail"]) == ("too_many_parameters", "The query has more than 1,000 parameters.")
    else:
        assert response.content.decode() == "The query has more than 1,000 parameters."
    assert client.get(f"{path}?{'&'.join('country=kz' for _ in range(999))}").status_code != 500


@pytest.mark.parametrize("path", ["/api/v1/cities/", "/cities/"])
def test_a_database_locked_by_a_long_writer_is_a_503_with_retry_after(client, monkeypatch, path):
    """SQLite locked past its timeout by another writer (a confirmed import of 50,000 rows) was a
    500 for every other write, a staff login among them (adversarial probe)."""
    from django.db import OperationalError

    from registry.api.views import CityViewSet
    from registry.views_places import CityListView

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(CityViewSet, "list", locked)
    monkeypatch.setattr(CityListView, "get", locked)
    response = client.get(path)
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "10"
    message = "The registry is busy writing a large change, such as an import: try again in a few seconds."
    if path.startswith("/api/"):
        assert (response.json()["code"], response.json()["detail"]) == ("database_busy", message)
    else:
        assert response.content.decode() == message


def test_a_long_texts_line_breaks_are_stored_as_newlines(staff_client):
    """A browser sends a text area's line breaks as CRLF: a city saved once in the admin kept them,
    and its exported CSV (which writes LF) re-imported as a change (fresh-clone probe)."""
    from registry.models import City
    from registry.resources import CityResource

    from .factories import CityFactory
    from .test_admin import _change_page_data

    city = CityFactory(remarks_en="")
    page, data = _change_page_data(staff_client, city)
    response = staff_client.post(page.request["PATH_INFO"], {**data, "remarks_en": "First line\r\nsecond\rthird"})
    assert response.status_code == HTTPStatus.FOUND, response.context and response.context["adminform"].form.errors
    city.refresh_from_db()
    assert city.remarks_en == "First line\nsecond\nthird"
    dataset = CityResource().export(City.objects.filter(pk=city.pk))
    again = tablib.Dataset().load(dataset.csv, format="csv")
    result = CityResource().import_data(again, dry_run=True)
    assert [row.import_type for row in result.rows] == ["skip"]


def test_a_text_is_stored_in_its_composed_form(api):
    """Hangul typed as separate jamo and kana followed by a separate sound mark show as the
    composed letters but were stored as typed: one name, two strings (an alias stored so was
    found by a search for the sound mark alone; adversarial probe). Stored composed (NFC)."""
    from registry.models import City, CityName

    jamo = "\u1107\u116e\u1109\u1161\u11ab"  # 부산 as five jamo
    response = api.post(
        "/api/v1/cities/", {"name_en": "Composed", "name_ko": jamo, "slug": "composed", "country": "KR"}, format="json"
    )
    assert response.status_code == HTTPStatus.CREATED, response.json()
    assert response.json()["name_ko"] == City.objects.get(slug="composed").name_ko == "부산"
    alias = CityName(city=City.objects.get(slug="composed"), name="ほっかいと\u3099う")
    alias.full_clean()
    alias.save()
    assert CityName.objects.get(pk=alias.pk).name == "ほっかいどう"


def test_a_file_in_decomposed_form_imported_again_changes_nothing():
    """A file whose names are decomposed (``e`` and a combining accent) is stored composed; read
    again, each row was "changed" and written with a history record that changed nothing
    (adversarial probe). It compares as it will be stored: skipped."""
    from registry.models import City
    from registry.resources import CityResource

    headers = ["slug", "name_en", "name_ko", "name_native", "country", "admin_level", "latitude", "longitude"]
    rows = [
        [f"cafe-{i}", f"Cafe\u0301 {i}", "\u1107\u116e\u1109\u1161\u11ab", "", "FR", "city", "43.2", "5.4"]
        for i in range(3)
    ]
    first = CityResource().import_data(tablib.Dataset(*rows, headers=headers), dry_run=False, raise_errors=True)
    assert first.totals["new"] == 3 and City.objects.get(slug="cafe-0").name_en == "Café 0"
    again = CityResource().import_data(tablib.Dataset(*rows, headers=headers), dry_run=False, raise_errors=True)
    assert (again.totals["skip"], again.totals["update"]) == (3, 0)
    assert City.objects.get(slug="cafe-0").version == 1


def test_a_hangul_filler_is_no_letter_of_a_word_or_a_name():
    """ "Busanㅤ" (a Hangul filler, which a Korean keyboard types) found nothing where "Busan"
    found five events, and "Cafeㅤ" could be stored beside "Cafe" looking the same (adversarial
    probe): search drops the filler, and a short text refuses it, naming it."""
    from registry import text

    assert text.fold("Busan\u3164") == text.fold("Busan\u1160") == "busan"
    assert text.hiding_character("Cafe\u3164") == "U+3164 HANGUL FILLER"
