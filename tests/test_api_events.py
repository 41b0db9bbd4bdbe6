"""/api/v1/events/: exact JSON for the signing ceremony, year-precision events, iCalendar."""

from http import HTTPStatus

import pytest
from icalendar import Calendar

from registry.models import Partnership

from .api_expected import (
    AGREEMENT_SOURCES,
    ALMATY,
    ALMATY_SOURCES,
    ARTICLE_SOURCE,
    BFIC_SOURCE,
    NOTES_SOURCE,
    almaty_partnership,
)

BUSAN_COM_0915 = "http://busan.com/view/busan/view.php?code=2022091516300062707"
NEWSIS_0921 = "https://www.newsis.com/view/?id=NISX20220921_0002020412"


def source(url: str) -> dict:
    """The source with ``url`` as the API lists it (one of Almaty's)."""
    return next(s for s in ALMATY_SOURCES if s["url"] == url)


pytestmark = pytest.mark.django_db


def test_signing_ceremony_is_exact(shipped_data, api_client):
    PARTNERSHIP_ID = Partnership.objects.get(partner__slug="almaty").pk
    response = api_client.get("/api/v1/events/busan-almaty-signing-ceremony-2022/")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "slug": "busan-almaty-signing-ceremony-2022",
        "title_en": "Signing ceremony of the Busan–Almaty friendly cooperation city agreement",
        "title_ko": "부산–알마티 우호협력도시 협정 체결식",
        "kind": "signing_ceremony",
        "start_on": "2022-09-14",
        "start_precision": "day",
        "start_time": None,
        "time_zone": "",
        "end_on": None,
        "city": ALMATY,
        "venue": "Almaty City Hall",
        "venue_ko": "알마티시청",
        "partnership": almaty_partnership(PARTNERSHIP_ID),
        "agreement": {
            "slug": "busan-almaty-friendly-cooperation-city-agreement",
            "title_en": "Friendly cooperation city agreement between Busan and Almaty",
            "title_ko": "부산광역시–알마티시 우호협력도시 협정",
            "kind": "friendship_city",
            "signed_on": "2022-09-14",
            "signed_precision": "day",
        },
        "delegation": {
            "slug": "eurasia-citizens-campaign-2022",
            "name_en": "2022 Eurasia Citizens Campaign",
            "name_ko": "2022 유라시아 시민대장정",
            "kind": "citizens",
        },
        "participants": [
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
                "person": {"slug": "ahn-seong-min", "name_en": "Ahn Seong-min", "name_ko": "안성민"},
                "role": "Chairman of Busan Metropolitan Council",
                "role_ko": "부산광역시의회 의장",
                "organization": {
                    "slug": "busan-metropolitan-council",
                    "name_en": "Busan Metropolitan Council",
                    "name_ko": "부산광역시의회",
                    "kind": "council",
                    "country": "KR",
                },
            },
            {
                "order": 3,
                "person": None,
                "role": "Business people from Busan",
                "role_ko": "부산 기업인",
                "organization": None,
            },
            {
                "order": 4,
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
            {"order": 5, "person": None, "role": "Other officials", "role_ko": "기타 관계자", "organization": None},
        ],
        "summary_en": "Held during the Eurasia Citizens Campaign. Busan's first friendly cooperation city in Central "
        "Asia.",
        "summary_ko": "유라시아 시민대장정 중 개최. 부산의 첫 중앙아시아 우호협력도시.",
        "publication": "published",
        "sources": AGREEMENT_SOURCES,
        # The venue: the sources differ (busan_partners.md §4 item 11).
        "claims": [
            {
                "fact": "venue",
                "value": "Almaty City Hall",
                "preferred": True,
                "note_en": "Busan's press release of 2022-09-21.",
                "note_ko": "부산시 2022-09-21 보도자료.",
                "sources": [NOTES_SOURCE, ARTICLE_SOURCE],
            },
            {
                "fact": "venue",
                "value": "Caspian University",
                "preferred": False,
                "note_en": "busan.com (2022-09-15) and Newsis (2022-09-21).",
                "note_ko": "busan.com(2022-09-15)과 뉴시스(Newsis, 2022-09-21).",
                "sources": [NOTES_SOURCE, source(BUSAN_COM_0915), source(NEWSIS_0921)],
            },
            {
                "fact": "venue",
                "value": "Temporary city hall of Almaty",
                "preferred": False,
                "note_en": "BFIC news (2022-11-01).",
                "note_ko": "부산국제교류재단(BFIC) 소식(2022-11-01).",
                "sources": [NOTES_SOURCE, BFIC_SOURCE],
            },
        ],
        "created_at": "2022-09-21T00:00:00Z",
        "updated_at": "2022-09-21T00:00:00Z",
    }


def test_anniversary_known_to_the_year_is_shown_as_the_year(shipped_data, api_client):
    body = api_client.get("/api/v1/events/korea-kazakhstan-diplomatic-relations-30th-anniversary/").json()
    assert (body["start_on"], body["start_precision"]) == ("2022", "year")


def test_icalendar_feed_has_all_day_events_and_spans_imprecise_dates(shipped_data, api_client):
    response = api_client.get("/api/v1/events/?format=ics&country=kz")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.getvalue())
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    ceremony = events["event-busan-almaty-signing-ceremony-2022@city-diplomacy-registry"]
    assert ceremony.decoded("dtstart").isoformat() == "2022-09-14"
    assert ceremony.decoded("dtend").isoformat() == "2022-09-15"
    consultations = events["event-busan-trade-delegation-almaty-export-consultations-2022@city-diplomacy-registry"]
    assert consultations.decoded("dtstart").isoformat() == "2022-09-01"
    assert consultations.decoded("dtend").isoformat() == "2022-10-01"
    assert "known only to the month" in str(consultations["description"])


def test_filters_kind_and_dates(shipped_data, api_client):
    body = api_client.get("/api/v1/events/?kind=signing_ceremony&established_after=2022-09-01").json()
    assert [row["slug"] for row in body["results"]] == ["busan-almaty-signing-ceremony-2022"]


def test_icalendar_survives_the_last_representable_year(db, api_client):
    from .factories import EventFactory

    EventFactory(slug="far", start_on="9999-01-01", start_precision="year", end_on="9999-12-31")
    response = api_client.get("/api/v1/events/?format=ics")
    assert response.status_code == HTTPStatus.OK
    [event] = Calendar.from_ical(response.getvalue()).walk("VEVENT")
    assert event.decoded("dtstart").isoformat() == "9999-01-01"
