"""registry.exports: one CSV writer, one GeoJSON builder and one iCalendar builder for the pages
and the API; the same rows and columns for the same filters, never a draft for the public."""

import csv
import datetime
import io
import json
from http import HTTPStatus

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from registry import exports
from registry.models import City, Delegation, ItineraryStop, Partnership, Publication, Signatory

from .conftest import token_client
from .factories import (
    AgreementFactory,
    CityFactory,
    DelegationFactory,
    EventFactory,
    OrganizationFactory,
    PartnershipFactory,
    PersonFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

DRAFT = Publication.DRAFT


def body_of(response) -> bytes:
    """The body of a streamed export, read once and kept (a stream can be read only once)."""
    if not hasattr(response, "body_read"):
        response.body_read = response.getvalue()
    return response.body_read


def parsed(response) -> list[dict]:
    assert response.status_code == HTTPStatus.OK, body_of(response)[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(body_of(response).decode("utf-8-sig"))))


def almaty_partnership_id() -> str:
    return str(Partnership.objects.get(partner__slug="almaty").pk)


# Every list that has both a page and an API endpoint, with filters both understand (including
# those the page shows no field for: ``partnership``, ``delegation``).
SHARED_LISTS = [
    ("cities", {}),
    ("cities", {"region": "eastern-asia", "kind": "sister"}),
    ("cities", {"q": "alma-ata"}),
    ("cities", {"country": ["kz", "jp"], "ordering": "-name"}),
    ("cities", {"in_force_on": "2022-09-13"}),
    ("agreements", {}),
    ("agreements", {"country": "kz", "field": "economy"}),
    ("agreements", {"partnership": almaty_partnership_id}),
    ("agreements", {"partnership": "999999"}),
    ("events", {}),
    ("events", {"kind": "signing_ceremony", "established_after": "2022-09-01"}),
    ("events", {"delegation": "busan-trade-delegation-almaty-2022"}),
    ("delegations", {}),
    ("delegations", {"country": "kg", "ordering": "name"}),
]


@pytest.mark.parametrize(("name", "params"), SHARED_LISTS)
def test_page_csv_and_api_csv_are_the_same_rows_and_columns(client, api_client, shipped_data, name, params):
    params = {key: value() if callable(value) else value for key, value in params.items()}
    every = {"show": "all"} if name == "cities" else {}  # the API lists every city; the page its partners by default
    page = client.get(f"/{name}/", {**params, **every, "format": "csv"})
    api = api_client.get(f"/api/v1/{name}/", {**params, "format": "csv"})
    page_body, api_body = body_of(page), body_of(api)
    assert page_body.splitlines()[0] == api_body.splitlines()[0]  # the same header
    assert parsed(page) == parsed(api)


def test_page_csv_holds_every_filtered_row_the_page_lists(client, shipped_data):
    rows = parsed(client.get("/cities/", {"region": "europe", "format": "csv"}))
    page = client.get("/cities/", {"region": "europe"})
    assert [row["slug"] for row in rows] == [city.slug for city in page.context["object_list"]]
    assert len(rows) > 1


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_cities_page_links_to_every_partnership_one_per_row(client, drafts, language):
    """The page's own files have a row per city; a journalist found no way from the site to a file
    of the partnerships (new-user probe). The link is in the page's language; the file holds each
    partnership the reader may see, with both cities' names."""
    page = client.get(f"/{language}/cities/" if language == "ko" else "/cities/")
    url = f"/api/v1/partnerships/?format=csv&amp;lang={language}"
    assert f'href="{url}"' in page.text
    rows = parsed(client.get(url.replace("&amp;", "&")))
    assert len(rows) == Partnership.objects.visible_to(AnonymousUser()).count() > 30
    busan = {row["partner"]: row for row in rows if row["city"] == "busan"}
    assert (busan["almaty"]["city_name_ko"], busan["almaty"]["partner_name_en"]) == ("부산", "Almaty")
    assert "draftville" not in {row["partner"] for row in rows}


def test_csv_columns_are_flat_values(client, api_client, shipped_data):
    [city] = parsed(api_client.get("/api/v1/cities/", {"country": "kz", "format": "csv"}))
    assert (city["country"], city["region"], city["subregion"]) == ("KZ", "asia", "central-asia")
    assert (city["latitude"], city["longitude"]) == ("43.2333", "76.95")
    assert city["former_names"] == "Verny; Alma-Ata"
    assert city["partnerships"] == "friendship busan 2022-09-14 active"  # kind, the other city, date, status
    events = {row["slug"]: row for row in parsed(client.get("/events/", {"format": "csv"}))}
    anniversary = events["korea-kazakhstan-diplomatic-relations-30th-anniversary"]
    assert (anniversary["start_on"], anniversary["start_precision"]) == ("2022", "year")
    consultations = events["busan-trade-delegation-almaty-export-consultations-2022"]
    assert (consultations["start_on"], consultations["start_precision"]) == ("2022-09", "month")
    [trade] = [
        row for row in parsed(client.get("/delegations/", {"format": "csv"})) if row["slug"].startswith("busan-trade")
    ]
    assert trade["outcome_amounts"] == "3850000.00 USD more_than"  # decimal, ISO 4217, qualifier
    assert trade["travelled_with"] == "eurasia-citizens-campaign-2022"
    [agreement] = parsed(
        api_client.get("/api/v1/agreements/", {"partnership": almaty_partnership_id(), "format": "csv"})
    )
    assert (agreement["partner"], agreement["place"]) == ("almaty", "almaty")
    assert agreement["fields"] == "culture; digital-industry; economy; film; medical-care; tourism"


def test_a_city_export_lists_its_partnerships_on_either_side_as_the_page_does(client, api_client, shipped_data):
    # The home city's partnerships name it on the ``city`` side, its partners' on the ``partner``
    # side: the export lists both, each with the city on the other side, as the page's cell does.
    page = client.get("/cities/", {"show": "all"})
    rows = {row["slug"]: row for row in parsed(client.get("/cities/", {"show": "all", "format": "csv"}))}
    for city in page.context["object_list"]:
        listed = rows[city.slug]["partnerships"].split("; ") if rows[city.slug]["partnerships"] else []
        assert len(listed) == city.partnership_count, city.slug
        shown = [f"{p.kind} {p.with_city.slug}" for p in city.partnerships_shown]
        assert [" ".join(entry.split(" ")[:2]) for entry in listed[: len(shown)]] == shown, city.slug
    busan = rows["busan"]["partnerships"].split("; ")
    assert len(busan) == Partnership.objects.filter(city__slug="busan").count() == 40
    assert busan[0] == "sister kaohsiung 1966-06-30 active"
    assert "friendship almaty 2022-09-14 active" in busan
    assert "friendship hokkaido proposed" in busan  # a letter of intent: no date, never "None"
    assert rows["almaty"]["partnerships"] == "friendship busan 2022-09-14 active"
    assert rows["hokkaido"]["partnerships"] == "friendship busan proposed"
    assert rows["fukuoka"]["partnerships"] == "friendship busan 1989-10-24 ended; sister busan 2007-02-02 active"
    assert "None" not in body_of(client.get("/cities/", {"show": "all", "format": "csv"})).decode("utf-8-sig")
    # The API's CSV and GeoJSON and the page's XLSX read the same table.
    api_rows = {row["slug"]: row for row in parsed(api_client.get("/api/v1/cities/?format=csv&country=kr"))}
    assert api_rows["busan"]["partnerships"] == rows["busan"]["partnerships"]
    collection = json.loads(api_client.get("/api/v1/cities/", {"country": "kr", "format": "geojson"}).getvalue())
    [feature] = [feature for feature in collection["features"] if feature["id"] == "busan"]
    assert feature["properties"]["partnerships"] == rows["busan"]["partnerships"]
    sheet = load_workbook(io.BytesIO(body_of(client.get("/cities/", {"show": "all", "format": "xlsx"})))).active
    header, *cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    in_sheet = {row[header.index("slug")]: row[header.index("partnerships")] for row in cells}
    assert in_sheet["busan"] == rows["busan"]["partnerships"]


def test_a_city_export_leaves_out_the_partnerships_the_reader_may_not_see(client, shipped_data):
    busan = City.objects.get(slug="busan")
    PartnershipFactory(city=busan, partner=City.objects.get(slug="paris"), publication=DRAFT)
    rows = {row["slug"]: row for row in parsed(client.get("/cities/", {"show": "all", "format": "csv"}))}
    assert "paris" not in rows["busan"]["partnerships"]
    assert rows["paris"]["partnerships"] == ""


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cities/?format=csv",
        "/api/v1/partnerships/?format=csv",
        "/api/v1/agreements/?format=csv",
        "/api/v1/events/?format=csv",
        "/api/v1/delegations/?format=csv",
        "/api/v1/organizations/?format=csv",
        "/api/v1/people/?format=csv",
        "/api/v1/sources/?format=csv",
        "/api/v1/cooperation-fields/?format=csv",
    ],
)
def test_every_api_list_exports_every_row_unpaginated(api_client, shipped_data, url):
    total = api_client.get(url.replace("format=csv", "page_size=1")).json()["count"]
    response = api_client.get(url)
    assert len(parsed(response)) == total
    assert response["Content-Disposition"].endswith('.csv"')


def test_an_api_detail_exports_its_own_row(api_client, shipped_data):
    [row] = parsed(api_client.get("/api/v1/cities/almaty/?format=csv"))
    assert row["slug"] == "almaty"


def file_name(response) -> str:
    assert response.status_code == HTTPStatus.OK, body_of(response)[:500]
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.endswith('"')
    return disposition.removeprefix('attachment; filename="').removesuffix('"')


# Every list with an export: its name, the last part of its URL on the pages and in the API.
API_LISTS = [
    *("cities", "partnerships", "agreements", "events", "delegations"),
    *("organizations", "people", "sources", "cooperation-fields"),
]
API_FORMATS = {"cities": ("geojson",), "partnerships": ("geojson",), "events": ("ics",)}
PAGE_LISTS = ["cities", "countries", "agreements", "events", "delegations"]


def test_every_export_file_and_sheet_is_named_by_its_list_on_pages_and_api(client, api_client, shipped_data):
    today = timezone.localdate().isoformat()
    for name in API_LISTS:
        for fmt in ("csv", "xlsx", *API_FORMATS.get(name, ())):
            response = api_client.get(f"/api/v1/{name}/", {"format": fmt})
            assert file_name(response) == f"{name}_{today}.{fmt}"
            if fmt == "xlsx":
                assert load_workbook(io.BytesIO(body_of(response))).active.title == name
    for name in PAGE_LISTS:
        for fmt in ("csv", "xlsx"):
            response = client.get(f"/{name}/", {"format": fmt, "show": "all"} if name == "cities" else {"format": fmt})
            expected = f"{name}_show-all_{today}.{fmt}" if name == "cities" else f"{name}_{today}.{fmt}"
            assert file_name(response) == expected
            if fmt == "xlsx":
                assert load_workbook(io.BytesIO(body_of(response))).active.title == name
    # One record's export: its list's name and the record's key.
    assert file_name(api_client.get("/api/v1/cities/almaty/", {"format": "csv"})) == f"cities_almaty_{today}.csv"
    pk = almaty_partnership_id()
    response = api_client.get(f"/api/v1/partnerships/{pk}/", {"format": "geojson"})
    assert file_name(response) == f"partnerships_{pk}_{today}.geojson"
    response = api_client.get("/api/v1/cooperation-fields/economy/", {"format": "xlsx"})
    assert file_name(response) == f"cooperation-fields_economy_{today}.xlsx"


def test_options_asked_as_csv_answers_json(db, api_client):
    response = api_client.options("/api/v1/cities/?format=csv")
    assert response["Content-Type"] == "application/json"


# --------------------------------------------------------------------------- GeoJSON


def test_geojson_is_rfc_7946_with_the_csv_columns_as_properties(api_client, shipped_data):
    CityFactory(slug="nowhere", name_en="Nowhere", country="KZ", latitude=None, longitude=None)
    PartnershipFactory(city=City.objects.get(slug="busan"), partner=City.objects.get(slug="nowhere"))
    response = api_client.get("/api/v1/cities/", {"country": "kz", "format": "geojson"})
    assert response["Content-Type"] == "application/geo+json"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="cities_country-kz_{today}.geojson"'
    collection = json.loads(response.getvalue())
    features = {feature["id"]: feature for feature in collection["features"]}
    assert features["almaty"]["geometry"] == {"type": "Point", "coordinates": [76.95, 43.2333]}
    assert features["nowhere"]["geometry"] is None
    [row] = [row for row in parsed(api_client.get("/api/v1/cities/?format=csv&country=kz")) if row["slug"] == "almaty"]
    properties = features["almaty"]["properties"]
    assert list(properties) == list(row)
    assert {key: exports.cell(value) for key, value in properties.items()} == row
    assert properties["population"] == 2030285  # JSON numbers, not text


def test_geojson_places_a_partnership_at_its_partner_city(api_client, shipped_data):
    collection = json.loads(api_client.get("/api/v1/partnerships/?format=geojson&country=kz").getvalue())
    [feature] = collection["features"]
    assert feature["geometry"]["coordinates"] == [76.95, 43.2333]
    assert feature["properties"]["partner"] == "almaty"
    assert feature["properties"]["city"] == "busan"


# --------------------------------------------------------------------------- drafts


@pytest.fixture
def drafts(shipped_data):
    """A draft partnership with a prospective partner (Draftville) known only through it, a
    draft agreement, event and delegation naming people, an organization and a source that
    nothing public names; and public records pointing at the drafts."""
    busan, almaty = City.objects.get(slug="busan"), City.objects.get(slug="almaty")
    draftville = CityFactory(slug="draftville", name_en="Draftville", country="JP")
    partnership = PartnershipFactory(city=busan, partner=draftville, publication=DRAFT, established_on="2023-05-01")
    signer, org, source = (
        PersonFactory(slug="secret-signer"),
        OrganizationFactory(slug="secret-org"),
        SourceFactory(slug="secret-source"),
    )
    agreement = AgreementFactory(slug="secret-agreement", partnership=partnership, place=draftville, publication=DRAFT)
    agreement.parties.add(org)
    agreement.sources.add(source)
    Signatory.objects.create(agreement=agreement, person=signer, order=1)
    delegation = DelegationFactory(slug="secret-delegation", organizer=org, leader=signer, publication=DRAFT)
    ItineraryStop.objects.create(delegation=delegation, order=1, city=draftville)
    EventFactory(slug="secret-event", title_en="Secret event", city=draftville, publication=DRAFT)
    # Public records that refer to the drafts: the references are left empty.
    AgreementFactory(slug="public-agreement", partnership=partnership, place=almaty)
    EventFactory(slug="public-event", city=almaty, partnership=partnership, agreement=agreement, delegation=delegation)
    DelegationFactory(slug="public-delegation", organizer=None, travelled_with=delegation)
    return partnership


SECRETS = ("draftville", "secret-", "Secret event", "2023-05-01")

EXPORTS = [
    "/cities/?format=csv",
    "/agreements/?format=csv",
    "/events/?format=csv",
    "/delegations/?format=csv",
    "/events/calendar.ics",
    "/ko/events/calendar.ics",
    "/api/v1/cities/?format=csv",
    "/api/v1/cities/?format=geojson",
    "/api/v1/partnerships/?format=csv",
    "/api/v1/partnerships/?format=geojson",
    "/api/v1/agreements/?format=csv",
    "/api/v1/events/?format=csv",
    "/api/v1/events/?format=ics",
    "/api/v1/delegations/?format=csv",
    "/api/v1/organizations/?format=csv",
    "/api/v1/people/?format=csv",
    "/api/v1/sources/?format=csv",
]


@pytest.mark.parametrize("url", EXPORTS)
def test_a_draft_never_appears_in_a_public_export(client, drafts, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    body = response.getvalue().decode("utf-8-sig")
    assert [secret for secret in SECRETS if secret in body] == []


def test_public_records_pointing_at_drafts_export_empty_references(client, api_client, drafts):
    for rows in (
        parsed(client.get("/agreements/?format=csv")),
        parsed(api_client.get("/api/v1/agreements/?format=csv")),
    ):
        [agreement] = [row for row in rows if row["slug"] == "public-agreement"]
        assert (agreement["partnership"], agreement["partner"]) == ("", "")
    [event] = [row for row in parsed(client.get("/events/?format=csv")) if row["slug"] == "public-event"]
    assert (event["partnership"], event["agreement"], event["delegation"]) == ("", "", "")
    [delegation] = [row for row in parsed(client.get("/delegations/?format=csv")) if row["slug"] == "public-delegation"]
    assert delegation["travelled_with"] == ""


def test_staff_with_view_permission_export_drafts_from_the_api(drafts, viewer):
    api_client = token_client(viewer)
    agreements = {row["slug"]: row for row in parsed(api_client.get("/api/v1/agreements/?format=csv"))}
    assert agreements["secret-agreement"]["signatories"] == "secret-signer"
    assert agreements["public-agreement"]["partner"] == "draftville"
    assert agreements["public-agreement"]["partnership"] == str(drafts.pk)
    cities = json.loads(api_client.get("/api/v1/cities/?format=geojson").getvalue())
    assert "draftville" in {feature["id"] for feature in cities["features"]}
    assert "secret-delegation" in api_client.get("/api/v1/delegations/?format=csv").getvalue().decode()
    calendar = Calendar.from_ical(api_client.get("/api/v1/events/?format=ics").getvalue())
    assert "event-secret-event@city-diplomacy-registry" in {str(e["UID"]) for e in calendar.walk("VEVENT")}


def test_the_builder_itself_keeps_drafts_from_the_public(drafts):
    """Whatever queryset a caller hands over, the builder keeps only what the reader may see."""
    body = "".join(exports.csv_lines(Delegation.objects.all(), user=None))
    assert "secret-delegation" not in body and "public-delegation" in body


# --------------------------------------------------------------------------- cells


def test_formula_cells_are_neutralised_on_pages_and_in_the_api(client, api_client, shipped_data):
    AgreementFactory(slug="formula", title_en='=HYPERLINK("http://evil.example","x")', title_ko="@SUM(A1)")
    for response in (client.get("/agreements/?format=csv"), api_client.get("/api/v1/agreements/?format=csv")):
        [row] = [row for row in parsed(response) if row["slug"] == "formula"]
        assert (row["title_en"], row["title_ko"]) == ('\'=HYPERLINK("http://evil.example","x")', "'@SUM(A1)")


def test_a_cell_keeps_numbers_and_neutralises_text():
    assert [exports.cell(value) for value in (None, -70.5, 3, True, "-2", "+1", "plain")] == [
        "",
        "-70.5",
        "3",
        "true",
        "'-2",
        "'+1",
        "plain",
    ]


def test_csv_is_utf_8_with_crlf_line_ends(client, shipped_data):
    body = client.get("/cities/", {"country": "kz", "format": "csv"}).getvalue()
    assert body.startswith(b"\xef\xbb\xbfslug,")  # the byte-order mark Excel needs to read UTF-8
    assert "알마티".encode() in body
    assert body.endswith(b"\r\n") and body.count(b"\r\n") == 2


def test_csv_lines_needs_a_table_for_rows_that_are_not_a_queryset():
    with pytest.raises(TypeError):
        list(exports.csv_lines([{"country": "KZ"}]))


@pytest.mark.parametrize("rows", [10, 1000])
def test_page_csv_queries_do_not_grow_with_rows(client, home, rows, django_assert_max_num_queries):
    cities = City.objects.bulk_create(
        City(slug=f"p{i}", name_en=f"P{i}", country="JP", search_text=f"p{i}") for i in range(rows)
    )
    Partnership.objects.bulk_create(
        Partnership(
            city=home,
            partner=city,
            kind="sister",
            established_on=datetime.date(2000, 1, 1),
            publication=Publication.PUBLISHED,
        )
        for city in cities
    )
    # the filter form's country menu, cities, former names, sources, partnerships as partner
    with django_assert_max_num_queries(5):
        response = client.get("/cities/", {"format": "csv", "show": "all"})
    assert len(parsed(response)) == rows + 1


def test_an_export_file_name_leaves_out_a_shared_links_analytics(api_client, client, shipped_data):
    """``/cities/?format=csv&utm_source=news`` was named ``cities_utm_source-news_…csv`` (adversarial probe)."""
    today = timezone.localdate().isoformat()
    shared = {"country": "kz", "utm_source": "news", "fbclid": "x"}
    page = client.get("/cities/", {**shared, "format": "csv"})
    assert page["Content-Disposition"] == f'attachment; filename="cities_country-kz_{today}.csv"'
    api = api_client.get("/api/v1/cities/", {**shared, "format": "csv"})
    assert api["Content-Disposition"] == f'attachment; filename="cities_country-kz_{today}.csv"'


@pytest.mark.parametrize(("query", "named"), [("알마티", "q-almati"), ("Алматы", "q-almaty")])
def test_an_export_file_name_keeps_a_search_in_another_script(api_client, client, shipped_data, query, named):
    """Found by a new user: ``?q=알마티`` (Korean or Cyrillic) was dropped from the name, which was
    then the whole list's."""
    today = timezone.localdate().isoformat()
    page = client.get("/ko/cities/", {"q": query, "format": "csv"})
    assert page["Content-Disposition"] == f'attachment; filename="cities_{named}_{today}.csv"'
    api = api_client.get("/api/v1/cities/", {"q": query, "format": "csv"})
    assert api["Content-Disposition"] == f'attachment; filename="cities_{named}_{today}.csv"'
