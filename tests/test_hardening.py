"""Nothing breaks, nothing leaks (issue 13): hostile characters, sizes and depths never make a
500; every API error is RFC 9457 problem+json; limits use the trusted client address; writes
need staff status; tokens expire; a race's 409 names the field, not the database's text.
Run on SQLite and on PostgreSQL (which refuses NUL in text)."""

import codecs
import datetime
import json
import os
import subprocess
import sys
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from registry.api.throttling import client_address
from registry.models import City

from .conftest import token_client
from .factories import CityFactory, UserFactory

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code"}


def assert_problem(response, status, code=None):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert PROBLEM_KEYS <= set(body), body
    assert body["status"] == status and body["title"] == HTTPStatus(status).phrase and body["type"] == "about:blank"
    if code:
        assert body["code"] == code, body
    return body


# --------------------------------------------------------------------------- NUL, surrogates, size


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cities/%00/",
        "/api/v1/partnerships/%00/",
        "/api/v1/events/a%00b/",
        "/api/v1/cities/%ED%A0%80/",
        "/api/v1/cities/" + "x" * 10_000 + "/",
    ],
)
def test_a_slug_no_record_can_have_is_a_problem_404(api_client, path):
    assert_problem(api_client.get(path), 404, "not_found")


@pytest.mark.parametrize("path", ["/cities/%00/", "/events/%00/", "/admin/registry/city/%00/history/"])
def test_nul_in_a_page_or_admin_path_is_a_404(staff_client, path):
    assert staff_client.get(path).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("query", ["q=%00", "country=K%00", "publication__exact=%00", "%00=1"])
def test_nul_in_an_admin_list_filter_is_a_400(staff_client, query):
    assert staff_client.get(f"/admin/registry/city/?{query}").status_code == HTTPStatus.BAD_REQUEST


def test_nul_in_an_api_query_parameter_names_the_parameter(api_client):
    body = assert_problem(api_client.get("/api/v1/cities/?search=a%00"), 400, "null_characters_not_allowed")
    assert list(body["errors"]) == ["search"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"name_en": "A\\u0000B", "country": "KZ"}', "name_en"),
        ('{"name_en": "A\\ud800", "country": "KZ"}', "name_en"),
        ('{"name_en": "Ab", "country": "\\udfff"}', "country"),
        ('{"name_en": "Ab", "admin_level": "\\ud800"}', "admin_level"),
    ],
)
def test_nul_or_a_lone_surrogate_in_a_json_body_is_a_400_on_its_field(superuser, body, field):
    response = token_client(superuser).post("/api/v1/cities/", body, content_type="application/json")
    errors = assert_problem(response, 400, "null_characters_not_allowed")["errors"]
    assert errors == {
        field: [
            {"message": "NUL characters and lone surrogates are not allowed.", "code": "null_characters_not_allowed"}
        ]
    }
    assert not City.objects.filter(name_en__startswith="A").exists()


def test_nul_in_a_referenced_slug_of_a_write_body_is_a_400(superuser, home):
    body = json.dumps({"city": "home", "partner": "al\x00maty", "kind": "sister", "established_on": "2000"})
    response = token_client(superuser).post("/api/v1/partnerships/", body, content_type="application/json")
    assert assert_problem(response, 400)["errors"]["partner"][0]["code"] == "null_characters_not_allowed"


def test_deeply_nested_json_is_a_400_not_a_500(superuser):
    body = '{"name_en": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = token_client(superuser).post("/api/v1/cities/", body, content_type="application/json")
    assert_problem(response, 400)


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('{"name_en": "Ab", "country": "KZ", "name_en": "Cd"}', "name_en"),
        ('{"name_en": "Ab", "country": "KZ", "names": [{"name": "X", "name": "Y", "kind": "alias"}]}', "name"),
    ],
)
def test_a_key_given_twice_in_a_json_object_is_a_400_naming_it(superuser, body, key):
    """helper-85: ``{"on": "2022-01-01", …, "on": "2023"}`` was taken, the last value silently winning."""
    client = token_client(superuser)
    response = client.post("/api/v1/cities/", body, content_type="application/json")
    problem = assert_problem(response, 400, "repeated_key")
    assert f"the key “{key}” is given twice" in problem["detail"]
    assert not City.objects.filter(name_en__in=["Ab", "Cd"]).exists()
    korean = client.post("/api/v1/cities/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ko")
    assert f"“{key}”" in korean.json()["detail"] and "두 번" in korean.json()["detail"]


@pytest.mark.parametrize("key", ["\\ud800", "x\\udc00y", "a\\u0000"])
def test_a_repeated_key_that_no_record_can_hold_is_a_400_not_a_500(superuser, key):
    """helper-86: the message quoted the key, and a lone surrogate cannot be encoded (500)."""
    body = f'{{"{key}": 1, "{key}": 2}}'
    response = token_client(superuser).post("/api/v1/cities/", body, content_type="application/json")
    assert assert_problem(response, 400, "null_characters_not_allowed")


def test_malformed_json_is_still_drfs_parse_error(superuser):
    response = token_client(superuser).post("/api/v1/cities/", '{"name_en": ', content_type="application/json")
    assert assert_problem(response, 400, "parse_error")["detail"].startswith("JSON parse error - ")


# --------------------------------------------------------------------------- problem+json everywhere


def test_unknown_api_path_405_and_unsupported_format_are_problems(api_client):
    assert_problem(api_client.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_problem(api_client.post("/api/v1/network/", {}, format="json"), 405)
    body = assert_problem(api_client.get("/api/v1/cities/?format=docx"), 400, "invalid_choice")
    assert body["errors"]["format"][0]["message"].startswith("Unknown format “docx”")


def test_a_server_error_under_the_api_is_a_problem_without_a_traceback(api_client, monkeypatch):
    from registry.api import views

    def broken(self):
        raise RuntimeError("/secret/server/path.py")

    monkeypatch.setattr(views.CityViewSet, "base_queryset", broken)
    api_client.raise_request_exception = False
    response = api_client.get("/api/v1/cities/")
    body = assert_problem(response, 500, "server_error")
    assert "secret" not in response.content.decode() and body["instance"] == "/api/v1/cities/"


def test_a_body_over_the_upload_limit_is_a_problem_413(api_client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 100
    response = api_client.post("/api/v1/cities/", {"name_en": "x" * 200}, format="json")
    assert_problem(response, 413, "request_too_large")


def test_a_model_rule_keeps_its_code_and_never_uses_all(superuser):
    response = token_client(superuser).post(
        "/api/v1/cities/", {"name_en": "Lat only", "country": "KZ", "latitude": "10.0"}, format="json"
    )
    errors = assert_problem(response, 400)["errors"]
    assert "__all__" not in errors and all(item["code"] != "invalid" for items in errors.values() for item in items)


def test_a_weak_etag_in_if_match_does_not_match(superuser):
    CityFactory(slug="almaty", name_en="Almaty", country="KZ")
    client = token_client(superuser)
    etag = client.get("/api/v1/cities/almaty/")["ETag"]
    response = client.patch("/api/v1/cities/almaty/", {"notes": "x"}, format="json", HTTP_IF_MATCH=f"W/{etag}")
    assert_problem(response, 412, "precondition_failed")
    assert client.patch("/api/v1/cities/almaty/", {"notes": "x"}, format="json", HTTP_IF_MATCH=etag).status_code == 200


# --------------------------------------------------------------------------- who writes, from where


def test_a_user_without_staff_status_cannot_write_even_with_the_permission(editor):
    editor.is_staff = False
    editor.save()
    response = token_client(editor).post("/api/v1/cities/", {"name_en": "Sneaky", "country": "KZ"}, format="json")
    assert_problem(response, 403, "permission_denied")
    assert not City.objects.filter(name_en="Sneaky").exists()


def test_unticking_staff_status_demotes_a_token_that_wrote_before(editor):
    client = token_client(editor)
    assert client.post("/api/v1/cities/", {"name_en": "First", "country": "KZ"}, format="json").status_code == 201
    editor.is_staff = False
    editor.save()
    assert client.post("/api/v1/cities/", {"name_en": "Second", "country": "KZ"}, format="json").status_code == 403
    assert client.get("/api/v1/cities/").status_code == 200  # reading stays open


def test_an_expired_token_is_refused(editor, settings):
    settings.REGISTRY_API_TOKEN_DAYS = 30
    token = Token.objects.create(user=editor)
    Token.objects.filter(pk=token.pk).update(created=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=31))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert_problem(client.get("/api/v1/cities/"), 401, "token_expired")


def test_the_anonymous_throttle_ignores_a_forged_x_forwarded_for(api_client, settings):
    settings.REGISTRY_API_ANON_RATE = "2/minute"
    codes = [api_client.get("/api/v1/cities/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_the_anonymous_rate_counts_in_windows_of_the_clock(rf, settings, monkeypatch):
    """``2/minute``: two requests in a clock minute, the third refused with the seconds left in
    that minute, and two more in the next minute."""
    from django.contrib.auth.models import AnonymousUser

    from registry.api.throttling import AnonReadThrottle

    settings.REGISTRY_API_ANON_RATE = "2/minute"
    request = rf.get("/api/v1/cities/", REMOTE_ADDR="203.0.113.5")
    request.user = AnonymousUser()

    def ask(at: float) -> tuple[bool, float | None]:
        monkeypatch.setattr(AnonReadThrottle, "timer", staticmethod(lambda: at))
        throttle = AnonReadThrottle()
        allowed = throttle.allow_request(request, None)
        return allowed, None if allowed else throttle.wait()

    minute = 1_800_000_000.0  # a multiple of 60
    assert [ask(minute + 15), ask(minute + 40), ask(minute + 45.5)] == [(True, None), (True, None), (False, 14.5)]
    assert [ask(minute + 60), ask(minute + 119), ask(minute + 119.5)] == [(True, None), (True, None), (False, 1.0)]


def test_behind_one_proxy_the_client_is_the_address_the_proxy_appended(rf, settings):
    settings.REGISTRY_NUM_PROXIES = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.1")
    assert client_address(request) == "203.0.113.7"
    assert client_address(rf.get("/", HTTP_X_FORWARDED_FOR="junk", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"
    settings.REGISTRY_NUM_PROXIES = 0
    assert client_address(request) == "10.0.0.1"


def test_login_lockout_counts_the_trusted_address(client, settings):
    from axes.helpers import get_client_ip_address

    request = client.get("/admin/login/", HTTP_X_FORWARDED_FOR="6.6.6.6").wsgi_request
    assert get_client_ip_address(request) == "127.0.0.1"


def test_production_cookies_and_csp_base_uri(settings):
    # The cookie names are read at import time; check the production values in a subprocess.

    code = "from django.conf import settings as s; print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME)"
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "k" * 10 + "abcdefghij" * 5,
        "DJANGO_SETTINGS_MODULE": "diplomacy.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.split() == ["__Host-sessionid", "__Host-csrftoken"]
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["base-uri"] == ["'none'"]


@pytest.mark.parametrize("key", ["short-key", "a" * 60])
def test_production_refuses_a_weak_secret_key(key, settings):
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": key}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "SECRET_KEY must be at least 50 characters" in result.stderr


# --------------------------------------------------------------------------- imports' encodings

KOREAN_CSV = "slug,name_en,name_ko,country,admin_level,confidence\r\nsuwon-x,Suwon X,수원,KR,city,high\r\n"


def preview_city_csv(client, data: bytes, file_format: str = "csv"):
    """A registry manager's preview of ``data`` uploaded as a CSV of cities in the admin (as
    another format with ``file_format``, e.g. ``"xlsx"``)."""
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name="Registry managers"))
    client.force_login(manager)
    url = reverse("admin:registry_city_import")
    choices = client.get(url).context["form"].fields["format"].choices
    index = next(value for value, label in choices if label == file_format)
    upload = SimpleUploadedFile("cities.csv", data, content_type="text/csv")
    return client.post(url, {"import_file": upload, "format": index, "resource": 0})


@pytest.mark.parametrize(
    "data",
    [
        KOREAN_CSV.encode("cp949"),  # Korean Excel's "CSV"
        codecs.BOM_UTF8 + KOREAN_CSV.encode("utf-8"),
        KOREAN_CSV.encode("utf-16"),  # with its byte-order mark
        KOREAN_CSV.replace(",", "\t").encode("utf-16"),  # Excel's "Unicode text"
    ],
    ids=["cp949", "utf-8-bom", "utf-16", "utf-16-tabs"],
)
def test_a_csv_saved_by_korean_excel_imports(client, data):
    preview = preview_city_csv(client, data)
    assert preview.status_code == HTTPStatus.OK
    assert not preview.context["form"].errors
    confirm = preview.context["confirm_form"]
    assert confirm is not None, preview.context["result"]
    client.post(reverse("admin:registry_city_process_import"), confirm.initial)
    assert City.objects.get(slug="suwon-x").name_ko == "수원"


def test_bytes_in_no_known_encoding_are_refused_with_a_message(client):
    # \xff\xfe is a UTF-16 byte-order mark; an odd number of bytes after it is not UTF-16
    response = preview_city_csv(client, b"slug\r\n\xff\xfe\xfa\x81\x00\xc8")
    assert "not text in UTF-8, UTF-16 or CP949" in response.text


def test_a_csv_chosen_as_xlsx_is_refused_naming_the_format(client):
    """The library said only "'BadZipFile' encountered while trying to read file." (a new user)."""
    response = preview_city_csv(client, b"slug,name_en\r\nx,X\r\n", file_format="xlsx")
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["import_file"] == [
        "The file is not an XLSX workbook: choose the format it is in (a .csv file is csv)."
    ]
    assert "BadZipFile" not in response.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"slug,name_en\r\nx,X,extra\r\n", "Row 2 has more cells than the first row has column names"),
        (b"slug,name_en\r\nx," + b"y" * 140_000 + b"\r\n", "Row 2 has a cell longer than 131,072 characters"),
        # a cell with a line break is one row, as a spreadsheet numbers it; an empty line is a row
        (b'slug,name_en\r\na,"A\r\nB"\r\n\r\nb,B\r\nx,X,extra\r\n', "Row 5 has more cells than the first"),
        (b"slug,name_en\r\na,A\r\nx," + b"y" * 140_000 + b"\r\nb,B\r\n", "Row 3 has a cell longer than 131,072"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_naming_the_rule_and_the_row(client, data, message):
    """helper-89: both errors named no row, and the manager searched a file of thousands for it."""
    response = preview_city_csv(client, data)
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["import_file"][0].startswith(message)
    assert not City.objects.filter(slug="x").exists()


def _workbook(*rows) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_formula_without_a_saved_value_is_refused_naming_its_cell(client):
    """A workbook written by a program carries formulas without their values: ``=2*3`` read as an
    empty population and was imported as none, without a word (adversarial probe)."""
    data = _workbook(
        ["slug", "name_en", "country", "population"],
        ["plain", "Plain", "KZ", 5],
        ["formula-town", "Formula Town", "KZ", "=2*3"],
    )
    response = preview_city_csv(client, data, file_format="xlsx")
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["import_file"] == [
        "Row 3, column “population”: the formula =2*3 has no value saved in the file. Open the file in a "
        "spreadsheet application and save it, or paste the values instead of the formulas."
    ]
    assert not City.objects.filter(slug__in=["plain", "formula-town"]).exists()


def test_an_xlsx_without_formulas_reads_as_before():
    from registry.imports import XLSX

    data = _workbook(["slug", "name_en", "population"], ["a", "A", 5], ["b", "B", None])
    dataset = XLSX().create_dataset(data)
    assert dataset.headers == ["slug", "name_en", "population"]
    assert [list(row) for row in dataset] == [["a", "A", 5], ["b", "B", None]]


# --------------------------------------------------------------------------- documents

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_replacing_or_clearing_a_document_removes_the_old_file(settings, tmp_path, django_capture_on_commit_callbacks):
    from registry.models import Agreement

    from .factories import AgreementFactory

    settings.MEDIA_ROOT = tmp_path
    agreement = AgreementFactory(document=SimpleUploadedFile("first.pdf", PDF))
    first = tmp_path / agreement.document.name
    assert first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        agreement = Agreement.objects.get(pk=agreement.pk)
        agreement.document = SimpleUploadedFile("second.pdf", PDF)
        agreement.save()
    second = tmp_path / agreement.document.name
    assert not first.exists() and second.exists()
    with django_capture_on_commit_callbacks(execute=True):
        agreement.document = ""
        agreement.save()
    assert not second.exists()


# --------------------------------------------------------------------------- backups


@pytest.mark.parametrize(
    "content",
    [
        b"not json at all",
        b'[{"model": "registry.nosuchmodel", "fields": {}}]',
        b'[{"model": "registry.city"}]',
        b"\xff\xfe",
    ],
)
def test_import_registry_of_a_malformed_file_is_a_clean_error(tmp_path, content):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "backup.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="is not a snapshot from export_registry, nothing was restored"):
        call_command("import_registry", str(path))
    assert not City.objects.exists()


def test_partnership_actions_need_staff_status_and_the_office(editor, office):
    """The actions (sign, upgrade, suspend, …) are writes like any other: an account without staff
    status gets a 403, and an office may act only on its own cities' partnerships."""
    from registry.models import Partnership

    from .factories import PartnershipFactory

    others = PartnershipFactory()  # between two cities of no office
    editor.is_staff = False
    editor.save()
    body = {"on": "2020-01-01", "reason": "Dispute"}
    response = token_client(editor).post(f"/api/v1/partnerships/{others.pk}/suspend/", body, format="json")
    assert_problem(response, 403, "permission_denied")
    response = token_client(office).post(f"/api/v1/partnerships/{others.pk}/renew/", body, format="json")
    assert response.status_code == 403 and "the office of Office Home" in response.json()["detail"]
    assert Partnership.objects.get(pk=others.pk).status == "active" and not others.stages.exists()


def test_a_partnership_created_with_public_remarks_is_no_server_error(manager):
    """The serializer lists remarks_en/remarks_ko as writable; creating with them once gave a 500."""
    CityFactory(slug="home-side", country="KR")
    CityFactory(slug="far-side", country="JP")
    body = {"city": "home-side", "partner": "far-side", "kind": "sister", "established_on": "2016-12-02"}
    body |= {"remarks_en": "Shown to the public", "remarks_ko": "공개 설명"}
    response = token_client(manager).post("/api/v1/partnerships/", body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["remarks_en"], response.json()["remarks_ko"]) == ("Shown to the public", "공개 설명")


def test_the_import_page_lists_its_columns_after_a_file_it_cannot_read(client):
    """helper-92: after a file error, "This importer will import the following fields:" was
    followed by nothing (the library lists the columns only for a file it read)."""
    response = preview_city_csv(client, b"slug,name_en\r\nx,X\r\n", file_format="xlsx")
    assert response.context["form"].errors["import_file"]
    listed = response.text.split("This importer will import the following fields:")[1].split("</p>")[0]
    assert "<code>slug, name_en, name_ko" in " ".join(listed.split())
