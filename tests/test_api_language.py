"""API errors in the reader's language (issue 13): ``Accept-Language: ko`` gives problem+json
``title``, ``detail`` and field messages in Korean (DRF's own Korean catalogue and ours), English
by default; ``code`` is the same in both; ``Content-Language`` and ``Vary: Accept-Language`` say
so to caches."""

from http import HTTPStatus

import pytest

from .conftest import token_client
from .factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def error(client, path, language=None, method="get", **kwargs):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = getattr(client, method)(path, **kwargs, **headers)
    assert response["Content-Type"] == "application/problem+json", response.content[:200]
    assert "Accept-Language" in response["Vary"]
    return response, response.json()


def test_an_invalid_filter_is_explained_in_korean_when_asked_and_english_by_default(api_client):
    response, english = error(api_client, "/api/v1/cities/?region=atlantis")
    assert response["Content-Language"] == "en"
    assert (english["title"], english["detail"]) == ("Bad Request", "Invalid input.")
    assert english["errors"]["region"][0]["message"].startswith("“atlantis” is not a UN M49 region")

    response, korean = error(api_client, "/api/v1/cities/?region=atlantis", "ko-KR,ko;q=0.9,en;q=0.5")
    assert response["Content-Language"] == "ko"
    assert (korean["title"], korean["detail"]) == ("잘못된 요청", "유효하지 않은 입력입니다.")
    assert korean["errors"]["region"][0]["message"].startswith("“atlantis”은(는) UN M49 지역이 아닙니다")
    assert (korean["code"], korean["errors"]["region"][0]["code"]) == (english["code"], "invalid_choice")


@pytest.mark.parametrize(
    ("path", "method", "status", "english", "korean"),
    [
        ("/api/v1/cities/nowhere/", "get", 404, "No city matches the given query.", "도시 기록을 찾을 수 없습니다"),
        ("/api/v1/nowhere/", "get", 404, "No such API endpoint; see /api/v1/.", "API 엔드포인트가 없습니다"),
        ("/api/v1/cities/", "post", 401, "Authentication credentials were not provided.", "자격 인증 데이터가"),
        ("/api/v1/network/", "delete", 405, 'Method "DELETE" not allowed.', '메서드 "DELETE"는 허용되지 않습니다.'),
        ("/api/v1/cities/?q=%00", "get", 400, "Invalid input.", "유효하지 않은 입력입니다."),
    ],
)
def test_every_kind_of_error_speaks_korean(api_client, path, method, status, english, korean):
    _, body = error(api_client, path, method=method)
    assert (body["status"], body["detail"]) == (status, english) or body["detail"].startswith(english[:20])
    response, body = error(api_client, path, "ko", method=method)
    assert body["status"] == status and korean in body["detail"] and body["title"] != "Not Found"
    hangul = next(character for character in korean if ord(character) > 127)
    assert b"\\u" not in response.content and hangul.encode() in response.content  # UTF-8, not "\uc694…"


def test_a_field_rule_of_a_write_is_in_korean(superuser):
    client = token_client(superuser)
    response, body = error(client, "/api/v1/cities/", "ko", method="post", data={"bogus": 1}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert body["errors"]["bogus"] == [{"message": "알 수 없는 필드입니다.", "code": "unknown_field"}]
    assert body["errors"]["name_en"] == [{"message": "이 필드는 필수 항목입니다.", "code": "required"}]  # together
    response, body = error(client, "/api/v1/cities/", "ko", method="post", data={}, format="json")
    assert body["errors"]["name_en"] == [{"message": "이 필드는 필수 항목입니다.", "code": "required"}]


def test_a_413_before_the_view_is_in_korean(api_client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 10
    response, body = error(api_client, "/api/v1/cities/", "ko", method="post", data="x" * 20, content_type="text/plain")
    assert (response.status_code, response["Content-Language"]) == (413, "ko")
    assert body["detail"] == "요청 본문이 너무 큽니다. 한도는 0 MB입니다."
    assert b"\\u" not in response.content and body["detail"].encode() in response.content


def test_options_names_every_field_of_a_form_in_korean(superuser):
    """``OPTIONS`` (the browsable API's forms) labels each field in the reader's language: the
    declared ones (country, sources, dates, UN M49 region, change reason) said “Country”,
    “Sources”, “Established on”, “Region” in Korean (helper-80)."""
    client = token_client(superuser)
    english = client.options("/api/v1/cities/", HTTP_ACCEPT_LANGUAGE="en").json()["actions"]["POST"]
    korean = client.options("/api/v1/cities/", HTTP_ACCEPT_LANGUAGE="ko").json()["actions"]["POST"]
    assert {name: korean[name]["label"] for name in ("country", "region", "subregion", "sources")} == {
        "country": "국가",
        "region": "UN M49 지역",
        "subregion": "UN M49 하위 지역",
        "sources": "출처",
    }
    assert (english["country"]["label"], english["region"]["label"]) == ("Country", "UN M49 region")
    partnership = client.options("/api/v1/partnerships/", HTTP_ACCEPT_LANGUAGE="ko").json()["actions"]["POST"]
    still_english = {
        name: field["label"]
        for name, field in partnership.items()
        if field["label"].isascii() and field["label"] not in ("ID", "URL")
    }
    assert still_english == {}
    assert (partnership["predecessor"]["label"], partnership["successor"]["label"]) == ("이전 관계", "후속 관계")


@pytest.mark.parametrize("name", ["sign", "upgrade", "suspend", "resume", "renew", "end"])
def test_options_of_a_partnership_action_describes_the_action_s_input(superuser, name):
    """An action takes ``on``, ``reason``, ``reason_ko`` and ``sources``; its ``OPTIONS`` described the whole
    partnership form (adversarial probe)."""
    partnership = PartnershipFactory()
    client = token_client(superuser)
    url = f"/api/v1/partnerships/{partnership.pk}/{name}/"
    korean = client.options(url, HTTP_ACCEPT_LANGUAGE="ko").json()["actions"]["POST"]
    assert {field: value["label"] for field, value in korean.items()} == {
        "on": "날짜",
        "reason": "사유",
        "reason_ko": "사유(한국어)",
        "sources": "출처",
    }


@pytest.fixture
def ceremony(db):
    from .factories import EventFactory

    return EventFactory(slug="ceremony", title_en="Signing ceremony", title_ko="서명식")


@pytest.mark.parametrize("lang", ["ko", "ko-KR"])
def test_lang_outranks_the_header_on_every_read(api_client, ceremony, lang):
    """``?lang=`` names the answer's language whatever the browser's: a link keeps its language."""
    korean = api_client.get(f"/api/v1/events/?lang={lang}", HTTP_ACCEPT_LANGUAGE="en")
    english = api_client.get("/api/v1/events/?lang=en", HTTP_ACCEPT_LANGUAGE="ko")
    assert (korean["Content-Language"], english["Content-Language"]) == ("ko", "en")
    calendar = api_client.get(f"/api/v1/events/?format=ics&lang={lang}", HTTP_ACCEPT_LANGUAGE="en").getvalue()
    assert "X-WR-CALNAME:도시 외교 등록부: 행사" in calendar.decode() and "SUMMARY:서명식" in calendar.decode()
    english_calendar = api_client.get("/api/v1/events/?format=ics", HTTP_ACCEPT_LANGUAGE="en").getvalue().decode()
    assert "X-WR-CALNAME:City Diplomacy Registry: events" in english_calendar
    record = api_client.get(f"/api/v1/cities/{ceremony.city.slug}/?lang={lang}")
    assert record.status_code == HTTPStatus.OK and record["Content-Language"] == "ko"
    network = api_client.get(f"/api/v1/network/national/?lang={lang}")
    assert network.status_code == HTTPStatus.OK and network["Content-Language"] == "ko"


def test_a_language_the_site_has_not_is_a_400_on_the_parameter_in_the_readers_language(api_client):
    response, english = error(api_client, "/api/v1/cities/?lang=fr")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert english["errors"]["lang"] == [
        {"message": "“fr” is not a language of this site; lang takes en, ko.", "code": "invalid_choice"}
    ]
    for path in ("/api/v1/cities/", "/api/v1/cities/almaty/", "/api/v1/schema/"):  # helper-86: the last won
        response, repeated = error(api_client, f"{path}?lang=ko&lang=en")
        assert repeated["errors"]["lang"][0]["code"] == "repeated_parameter", path
    _, korean = error(api_client, "/api/v1/cities/?lang=", "ko")
    assert korean["errors"]["lang"][0]["message"].startswith("이 사이트에 없는 언어입니다")


@pytest.mark.parametrize(
    ("page", "fmt"), [("/ko/events/", "ics"), ("/ko/cities/?show=all", "geojson"), ("/events/", "ics")]
)
def test_a_pages_download_sent_on_to_the_api_keeps_the_pages_language(client, ceremony, page, fmt):
    """helper-84: ``/ko/events/?format=ics`` went on to the API without the language, and the
    calendar came in the browser's language (English)."""
    separator = "&" if "?" in page else "?"
    redirect = client.get(f"{page}{separator}format={fmt}", HTTP_ACCEPT_LANGUAGE="en" if "/ko/" in page else "ko")
    language = "ko" if page.startswith("/ko/") else "en"
    assert redirect.status_code == HTTPStatus.FOUND and f"lang={language}" in redirect["Location"]
    followed = client.get(redirect["Location"], HTTP_ACCEPT_LANGUAGE="en" if language == "ko" else "ko")
    assert followed.status_code == HTTPStatus.OK and followed["Content-Language"] == language
    assert "lang" not in followed["Content-Disposition"]  # not a filter (helper-87: …_lang-ko_….geojson)


def test_a_records_etag_names_its_language_so_a_korean_revalidation_never_gets_the_english_body(api_client, ceremony):
    """helper-86: an event's calendar had one strong ETag in both languages, so ``If-None-Match``
    in Korean got a 304 for the English calendar."""
    url = f"/api/v1/events/{ceremony.slug}/?format=ics"
    english = api_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    korean = api_client.get(f"{url}&lang=ko", HTTP_IF_NONE_MATCH=english["ETag"])
    assert korean.status_code == HTTPStatus.OK and "SUMMARY:서명식" in korean.getvalue().decode()
    assert korean["ETag"] != english["ETag"] and english["ETag"].endswith('.ics-en"')
    again = api_client.get(f"{url}&lang=ko", HTTP_IF_NONE_MATCH=korean["ETag"])
    assert again.status_code == HTTPStatus.NOT_MODIFIED
