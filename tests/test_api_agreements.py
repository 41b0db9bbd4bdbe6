"""/api/v1/agreements/: exact JSON for the Busan–Almaty agreement, month-precision dates."""

from http import HTTPStatus

import pytest

from registry.models import Partnership

from .api_expected import AGREEMENT_SOURCES, ALMATY, almaty_partnership

pytestmark = pytest.mark.django_db


def test_busan_almaty_agreement_is_exact(shipped_data, api_client):
    PARTNERSHIP_ID = Partnership.objects.get(partner__slug="almaty").pk
    response = api_client.get("/api/v1/agreements/busan-almaty-friendly-cooperation-city-agreement/")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "slug": "busan-almaty-friendly-cooperation-city-agreement",
        "title_en": "Friendly cooperation city agreement between Busan and Almaty",
        "title_ko": "부산광역시–알마티시 우호협력도시 협정",
        "kind": "friendship_city",
        "partnership": almaty_partnership(PARTNERSHIP_ID),
        "parties": [
            {
                "slug": "akimat-of-almaty",
                "name_en": "Akimat of Almaty",
                "name_ko": "알마티시 아키마트",
                "kind": "government",
                "country": "KZ",
            },
            {
                "slug": "busan-metropolitan-city",
                "name_en": "Busan Metropolitan City",
                "name_ko": "부산광역시",
                "kind": "government",
                "country": "KR",
            },
        ],
        "signed_on": "2022-09-14",
        "signed_precision": "day",
        "place": ALMATY,
        "venue": "Almaty City Hall",
        "venue_ko": "알마티시청",
        "fields": [
            {"slug": "culture", "name_en": "culture", "name_ko": "문화"},
            {"slug": "digital-industry", "name_en": "digital industry", "name_ko": "디지털 산업"},
            {"slug": "economy", "name_en": "economy", "name_ko": "경제"},
            {"slug": "film", "name_en": "film", "name_ko": "영화"},
            {"slug": "medical-care", "name_en": "medical care", "name_ko": "의료"},
            {"slug": "tourism", "name_en": "tourism", "name_ko": "관광"},
        ],
        "signatories": [
            {
                "order": 1,
                "person": {"slug": "lee-seong-kwon", "name_en": "Lee Seong-kwon", "name_ko": "이성권"},
                "role": "Deputy Mayor of Busan",
                "role_ko": "부산광역시 부시장",
                "organization": {
                    "slug": "busan-metropolitan-city",
                    "name_en": "Busan Metropolitan City",
                    "name_ko": "부산광역시",
                    "kind": "government",
                    "country": "KR",
                },
            },
            {
                "order": 2,
                "person": None,
                "role": "Deputy Mayor of Almaty",
                "role_ko": "알마티시 부시장",
                "organization": {
                    "slug": "akimat-of-almaty",
                    "name_en": "Akimat of Almaty",
                    "name_ko": "알마티시 아키마트",
                    "kind": "government",
                    "country": "KZ",
                },
            },
        ],
        "summary_en": "The two cities agreed to promote mutual prosperity and development as friendly and cooperative "
        "cities, expand human exchanges, and expand mutual cooperation in fields such as economy, culture, "
        "tourism, film, digital industry and medical care. Signed to mark the 30th anniversary of "
        "diplomatic relations between Korea and Kazakhstan and to open markets in the northern regions, "
        "including Central Asia, giving Busan's businesses a foothold in Almaty, Kazakhstan's largest "
        "city. Signed on 14 September 2022 and announced on 21 September 2022. Venue: Almaty City Hall per "
        "the press release; busan.com (2022-09-15) and Newsis name Caspian University, and BFIC the "
        "temporary city hall. BFIC names the signatories as Economic Vice Mayor Lee Sung-kwon and a deputy "
        "akim of Almaty.",
        "summary_ko": "두 도시는 우호협력도시로서 상호 번영과 발전을 도모하고 인적 교류를 확대하며 경제, 문화, 관광, 영화, 디지털 산업, 의료 등 다양한 분야에서 상호 협력을 확대하기로 했다.",
        "document": None,
        "entry_into_force_on": None,
        "expires_on": None,
        "automatic_renewal": False,
        "term_years": None,
        "notice_period_days": None,
        "status": "in_force",
        "superseded_by": None,
        "current_status": "in_force",
        "current_term_end": None,
        "current_notice_deadline": None,
        "publication": "published",
        "sources": AGREEMENT_SOURCES,
        "claims": [],
        "created_at": "2022-09-21T00:00:00Z",
        "updated_at": "2022-09-21T00:00:00Z",
    }


def test_month_only_signing_date_stays_a_month(shipped_data, api_client):
    body = api_client.get("/api/v1/agreements/busan-trade-delegation-almaty-investment-bureau-business-agreement/")
    assert body.json()["signed_on"] == "2022-09"
    assert body.json()["signed_precision"] == "month"


def test_filters_country_and_field(shipped_data, api_client):
    body = api_client.get("/api/v1/agreements/?country=KZ&field=economy").json()
    assert [row["slug"] for row in body["results"]] == ["busan-almaty-friendly-cooperation-city-agreement"]
    # A slug naming no field selects nothing (as a draft field's does); a non-slug is refused.
    response = api_client.get("/api/v1/agreements/?field=no-such-field")
    assert (response.status_code, response.json()["count"]) == (HTTPStatus.OK, 0)
    response = api_client.get("/api/v1/agreements/?field=no such field")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert [e["code"] for e in response.json()["errors"]["field"]] == ["invalid"]


def test_an_agreement_signed_in_the_future_is_refused_as_a_partnership_is(shipped_data, editor):
    """``signed_on: "2099"`` was stored, and the agreement shown in force (new-user probe): a
    signing is recorded once it has happened (``date_in_future``), in the API and imports alike."""
    import datetime

    import tablib

    from registry.resources import AgreementResource

    from .conftest import token_client

    url = "/api/v1/agreements/busan-almaty-friendly-cooperation-city-agreement/"
    client = token_client(editor)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    for written in ("2099", tomorrow):
        response = client.patch(url, {"signed_on": written}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
        assert response.status_code == HTTPStatus.BAD_REQUEST, response.json()
        assert [error["code"] for error in response.json()["errors"]["signed_on"]] == ["date_in_future"]
    this_year = str(datetime.date.today().year)  # the year is under way: its first day has happened
    response = client.patch(url, {"signed_on": this_year}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == HTTPStatus.OK, response.json()
    rows = tablib.Dataset(
        ["busan-almaty-friendly-cooperation-city-agreement", tomorrow, "day"],
        headers=["slug", "signed_on", "signed_precision"],
    )
    (row,) = AgreementResource().import_data(rows, dry_run=True).invalid_rows
    assert row.field_specific_errors["signed_on"] == ["This date is in the future: record it once it has happened."]


def test_a_control_character_in_a_text_is_refused_naming_it(shipped_data, editor, client):
    """``summary_en: "Control \\u0001 char"`` was stored, and the Atom feed, which cannot carry it,
    answered 500 to everyone (adversarial probe). A long text keeps its tabs and line breaks."""
    from .conftest import token_client

    url = "/api/v1/agreements/busan-almaty-friendly-cooperation-city-agreement/"
    writer = token_client(editor)
    for field, text in (
        ("summary_en", "Control \u0001 char"),
        ("title_en", "Title \u0085 x"),
        ("title_en", "Tab\there"),
    ):
        response = writer.patch(url, {field: text}, format="json", HTTP_IF_MATCH=writer.get(url)["ETag"])
        assert response.status_code == HTTPStatus.BAD_REQUEST, response.json()
        [error] = response.json()["errors"][field]
        control = next(c for c in text if ord(c) < 32 or 127 <= ord(c) < 160)
        assert error["code"] == "control_character" and f"U+{ord(control):04X}" in error["message"]
    kept = "Line one\n\tLine two"
    response = writer.patch(url, {"summary_en": kept}, format="json", HTTP_IF_MATCH=writer.get(url)["ETag"])
    assert response.status_code == HTTPStatus.OK and response.json()["summary_en"] == kept
    assert client.get("/feed.atom").status_code == HTTPStatus.OK
