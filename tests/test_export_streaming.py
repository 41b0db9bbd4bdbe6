"""Exports at scale: streamed from the database with flat memory, every row, XLSX beside CSV,
file names naming the filters and the date, and a separate rate for anonymous exports."""

import csv
import datetime
import io
import json
import tracemalloc
import zoneinfo
from http import HTTPStatus

import icalendar
import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from openpyxl import load_workbook

from registry import exports
from registry.models import City, Partnership

from .conftest import token_client
from .factories import CityFactory, EventFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def add_partnerships(home: City, count: int, start: int = 0) -> None:
    """``count`` more published partnerships of ``home``, each with its own partner city
    (bulk-inserted: the factories would take minutes at these sizes)."""
    partners = City.objects.bulk_create(
        City(slug=f"p-{n}", name_en=f"Partner {n}", country="JP", latitude=35, longitude=139)
        for n in range(start, start + count)
    )
    Partnership.objects.bulk_create(
        Partnership(
            city=home,
            partner=partner,
            kind=Partnership.Kind.SISTER,
            established_on=datetime.date(2000, 1, 1),
            publication="published",
        )
        for partner in partners
    )


def streamed(response) -> tuple[int, int, bytes]:
    """Read a streamed CSV block by block: the peak memory meanwhile (bytes, tracemalloc), its
    number of lines and its first bytes."""
    assert isinstance(response, StreamingHttpResponse)
    tracemalloc.start()
    lines, head = 0, b""
    for block in response.streaming_content:
        lines += block.count(b"\r\n")
        head = head or block[:200]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, lines, head


# The partner cities (in JP) of the cities' export: not the home city, whose row lists every one
# of its partnerships in one cell, so that row grows with them, as its page's list does.
@pytest.mark.parametrize("url", ["/api/v1/partnerships/?format=csv", "/cities/?format=csv&country=jp"])
def test_a_csv_export_has_every_row_and_flat_memory_at_two_sizes(client, monkeypatch, url):
    # Rows are read CHUNK_SIZE at a time; a small chunk makes 300 and 3,000 rows two sizes
    # that differ by ten times the rows and many chunks, as 1,000 and 100,000 do in production.
    monkeypatch.setattr(exports.rows, "CHUNK_SIZE", 100)
    home = CityFactory(slug="home", country="KR")
    add_partnerships(home, 300)
    small_peak, small_lines, head = streamed(client.get(url))
    add_partnerships(home, 2700, start=300)
    large_peak, large_lines, _ = streamed(client.get(url))
    assert (small_lines, large_lines) == (1 + 300, 1 + 3000)  # the header and every row
    assert head.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    # Flat: ten times the rows add less than 256 KiB to the peak (2,700 rows held at once would
    # add several MiB); an absolute margin, not a ratio, as the peak is small (a few hundred KiB)
    # and tracemalloc also counts what pytest-xdist's thread allocates meanwhile.
    assert large_peak < small_peak + 256 * 1024, (small_peak, large_peak)


def test_an_xlsx_export_has_the_csv_rows_and_flat_memory(client, api_client, monkeypatch):
    monkeypatch.setattr(exports.rows, "CHUNK_SIZE", 100)
    home = CityFactory(slug="home", country="KR")
    add_partnerships(home, 200)
    peaks = []
    for more in (0, 1800):
        add_partnerships(home, more, start=200)
        tracemalloc.start()
        response = api_client.get("/api/v1/partnerships/?format=xlsx")
        body = response.getvalue()
        peaks.append(tracemalloc.get_traced_memory()[1] - len(body) * 2)
        tracemalloc.stop()
    assert response["Content-Type"] == exports.CONTENT_TYPES["xlsx"]
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    csv_rows = list(
        csv.reader(io.StringIO(api_client.get("/api/v1/partnerships/?format=csv").getvalue().decode("utf-8-sig")))
    )
    assert len(rows) == 2001 and rows[0] == tuple(csv_rows[0])
    assert rows[1][:3] == (int(csv_rows[1][0]), "home", csv_rows[1][2])  # ids stay numbers
    assert peaks[1] < peaks[0] * 1.5 + 512 * 1024, peaks


def test_an_xlsx_cell_is_never_a_formula(client):
    PartnershipFactory(partner__slug="evil", status_reason='=HYPERLINK("http://x")')
    response = client.get("/cities/", {"format": "xlsx"})
    assert response.status_code == HTTPStatus.OK
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "evil" in values
    assert not any(isinstance(value, str) and value.startswith("=") for value in values)


def test_an_xlsx_export_is_streamed_and_keeps_text_and_numbers_exactly(api_client):
    PartnershipFactory(partner__slug="almaty", status_reason=' <a & b> "부산"\x01 ')
    response = api_client.get("/api/v1/partnerships/?format=xlsx")
    assert isinstance(response, StreamingHttpResponse)
    pieces = list(response.streaming_content)
    assert pieces[0].startswith(b"PK\x03\x04")  # a ZIP, sent in pieces (one here: the file is small)
    sheet = load_workbook(io.BytesIO(b"".join(pieces)), read_only=True).active
    header, row = list(sheet.iter_rows(values_only=True))
    values = dict(zip(header, row, strict=False))  # read-only rows end at their last filled cell
    assert sheet.title == "partnerships"  # the list, as the file and the page name it
    assert values["status_reason"] == ' <a & b> "부산" '  # spaces kept, XML-escaped, the control character dropped
    assert isinstance(values["id"], int) and values["partner"] == "almaty"


def test_a_calendar_written_as_text_parses_back_to_every_value(client):
    title = 'Signing; Busan, Almaty\\ "부산광역시 알마티" ' * 4 + "\nsecond line\x07"
    EventFactory(
        slug="signing", title_en=title, venue="Hall, 2F", start_time=datetime.time(10), time_zone="Asia/Almaty"
    )
    EventFactory(slug="visit", start_precision="month", city__name_en="Almaty")
    body = client.get("/events/calendar.ics").getvalue()
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))  # folded at 75 octets (RFC 5545 3.1)
    events = {str(e["UID"]).split("@")[0]: e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    signing, visit = events["event-signing"], events["event-visit"]
    assert str(signing["SUMMARY"]) == title.replace("\x07", "")  # escaped and unfolded back; the BEL dropped
    assert str(signing["LOCATION"]) == f"Hall, 2F, {City.objects.get(events__slug='signing').name}"
    assert signing.decoded("DTSTART") == datetime.datetime(2015, 3, 1, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Almaty"))
    assert "DTEND" not in signing
    assert (visit.decoded("DTSTART"), visit.decoded("DTEND")) == (datetime.date(2015, 3, 1), datetime.date(2015, 4, 1))
    assert str(visit["DESCRIPTION"]) == "Date known only to the month: March 2015."


def test_export_file_names_carry_the_filters_and_the_as_of_date(client, api_client):
    PartnershipFactory()
    today = timezone.localdate().isoformat()
    response = api_client.get("/api/v1/partnerships/", {"format": "csv", "country": ["kz", "jp"], "kind": "sister"})
    assert (
        response["Content-Disposition"] == f'attachment; filename="partnerships_country-kz-jp_kind-sister_{today}.csv"'
    )
    response = client.get("/cities/", {"format": "xlsx", "in_force_on": "2022-09-21", "page": "2"})
    assert response["Content-Disposition"] == 'attachment; filename="cities_2022-09-21.xlsx"'


def test_anonymous_exports_have_their_own_rate_on_pages_and_api(client, api_client, settings, manager):
    settings.REGISTRY_EXPORT_ANON_RATE = "2/minute"
    PartnershipFactory()
    assert api_client.get("/api/v1/partnerships/?format=csv").status_code == HTTPStatus.OK
    assert client.get("/cities/?format=csv").status_code == HTTPStatus.OK
    api = api_client.get("/api/v1/partnerships/?format=geojson")
    page = client.get("/events/calendar.ics")
    assert (api.status_code, page.status_code) == (HTTPStatus.TOO_MANY_REQUESTS,) * 2
    assert int(api["Retry-After"]) > 0 and int(page["Retry-After"]) > 0
    assert api.json()["code"] == "throttled"
    # A page's refusal is a page of the site, linking back to where the download was asked.
    assert page["Content-Type"].startswith("text/html") and 'href="/events/"' in page.text
    refused = client.get("/ko/cities/", {"country": "kz", "format": "csv"})
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS and int(refused["Retry-After"]) > 0
    assert "<h1>내려받기 요청이 너무 많습니다</h1>" in refused.text and "분당 파일 2개" in refused.text
    assert 'href="/ko/cities/?country=kz"' in refused.text
    # JSON reads are not exports and keep their own rate; signed-in staff are not counted.
    assert api_client.get("/api/v1/partnerships/").status_code == HTTPStatus.OK
    assert token_client(manager).get("/api/v1/partnerships/?format=csv").status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/partnerships/?format=csv", 0),
        ("/cities/?format=xlsx", 1),  # the home city, whose partners the list shows (home_city())
        ("/events/calendar.ics", 0),
    ],
)
def test_a_streamed_export_answers_if_none_match_with_304_until_an_edit(
    client, url, queries, django_assert_num_queries
):
    partnership = PartnershipFactory(partner__slug="almaty")
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == HTTPStatus.OK and etag.startswith('W/"')
    b"".join(first.streaming_content)
    with django_assert_num_queries(queries):  # no row is read for a 304
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again["ETag"], again.content) == (HTTPStatus.NOT_MODIFIED, etag, b"")
    partnership.status_reason = "Renewed in 2024"
    partnership.save()  # every change raises the data generation
    edited = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert edited.status_code == HTTPStatus.OK and edited["ETag"] != etag


def test_the_export_etag_names_the_reader(client, manager):
    PartnershipFactory()
    anonymous = client.get("/cities/?format=csv")["ETag"]
    client.force_login(manager)
    assert client.get("/cities/?format=csv")["ETag"] != anonymous


def test_an_xlsx_text_over_excels_limit_is_cut_with_a_note_and_a_short_one_is_kept():
    cut = exports.xlsx_cell("부" * 20_000 + "x" * 20_000)  # 40,000 characters
    assert len(cut) <= 32_767
    kept = cut.split("…")[0]
    assert kept == "부" * 20_000 + "x" * (len(kept) - 20_000)
    assert cut == f"{kept}… [cut: {40_000 - len(kept):,} more characters; see the CSV]"
    with translation.override("ko"):
        assert exports.xlsx_cell("x" * 40_000).endswith("자 더 있음; 전체는 CSV에]")
    for short in ("Busan", "x" * 32_767, ""):  # at the limit: whole
        assert exports.xlsx_cell(short) == short
    # Excel counts UTF-16 code units: a character beyond U+FFFF is two, and is never split.
    emoji = exports.xlsx_cell("😀" * 20_000)
    assert len(emoji.encode("utf-16-le")) // 2 <= 32_767 and emoji.startswith("😀" * 16_000)


def test_a_city_with_a_thousand_partnerships_fits_its_xlsx_cell_and_the_csv_keeps_it_whole(client, home):
    partners = City.objects.bulk_create(
        City(slug=f"partner-city-number-{n:04}", name_en=f"Partner {n}", country="JP", latitude=35, longitude=139)
        for n in range(1_000)
    )
    Partnership.objects.bulk_create(
        Partnership(
            city=home, partner=partner, kind="sister", established_on=datetime.date(2000, 1, 1), publication="published"
        )
        for partner in partners
    )
    query = {"show": "all", "q": "Home"}
    text = client.get("/cities/", {**query, "format": "csv"}).getvalue().decode("utf-8-sig")
    whole = next(row for row in csv.DictReader(io.StringIO(text)) if row["slug"] == "home")["partnerships"]
    assert len(whole) > 40_000 and whole.endswith("sister partner-city-number-0999 2000-01-01 active")
    response = client.get("/cities/", {**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    header, *cells = sheet.iter_rows(values_only=True)
    cell = dict(zip(header, next(row for row in cells if row[0] == "home"), strict=True))["partnerships"]
    assert len(cell) <= 32_767
    assert cell == whole[: cell.index("…")] + f"… [cut: {len(whole) - cell.index('…'):,} more characters; see the CSV]"


def test_a_format_only_the_api_writes_redirects_a_page_to_the_api_list_with_its_filters(client, home):
    PartnershipFactory(city=home, partner__slug="almaty", partner__country="KZ")
    PartnershipFactory(city=home, partner__slug="osaka", partner__country="JP")
    response = client.get("/ko/cities/", {"country": "kz", "format": "geojson", "page": "2", "show": "all"})
    assert response.status_code == HTTPStatus.FOUND
    # No page, nor the page's own show; the page's language (the browser's may differ).
    assert response["Location"] == "/api/v1/cities/?country=kz&format=geojson&lang=ko"
    # Without show=all the page lists the home city's partners, which no API list holds: no redirect.
    partners = client.get("/cities/", {"country": "kz", "format": "geojson"})
    assert partners.status_code == HTTPStatus.BAD_REQUEST
    assert partners.context["format_error"] == "Unknown format “geojson”; this page's rows download as csv, xlsx."
    features = json.loads(client.get(response["Location"]).getvalue())["features"]
    assert [feature["id"] for feature in features] == ["almaty"]
    assert client.get("/events/", {"format": "ics"})["Location"] == "/api/v1/events/?format=ics&lang=en"
    assert client.get("/delegations/", {"format": "json"})["Location"] == "/api/v1/delegations/?format=json&lang=en"
    # A format neither the page nor the API's list writes is the page, refused as the API refuses it.
    refused = client.get("/ko/cities/", {"show": "all", "format": "GEOJSON"})
    assert refused.status_code == HTTPStatus.BAD_REQUEST and refused.context["object_list"]
    assert "알 수 없는 형식 “GEOJSON”" in refused.text and "csv, xlsx, geojson, json." in refused.text
    for path, fmt, offered in [("/agreements/", "ics", "csv, xlsx, json"), ("/countries/", "geojson", "csv, xlsx")]:
        response = client.get(path, {"format": fmt})
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert response.context["format_error"] == f"Unknown format “{fmt}”; this page's rows download as {offered}."
    assert client.get("/cities/", {"format": ""}).status_code == HTTPStatus.OK
