"""/api/v1/delegations/: exact JSON for the trade delegation, ordered itinerary, money."""

from http import HTTPStatus

import pytest

from .api_expected import ALMATY

pytestmark = pytest.mark.django_db


def test_trade_delegation_is_exact(shipped_data, api_client):
    response = api_client.get("/api/v1/delegations/busan-trade-delegation-almaty-2022/")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "slug": "busan-trade-delegation-almaty-2022",
        "name_en": "Busan trade delegation to Almaty, 2022",
        "name_ko": "2022 부산 무역사절단 (알마티)",
        "kind": "trade",
        "organizer": None,
        "leader": None,
        "travelled_with": {
            "slug": "eurasia-citizens-campaign-2022",
            "name_en": "2022 Eurasia Citizens Campaign",
            "name_ko": "2022 유라시아 시민대장정",
            "kind": "citizens",
        },
        "purpose_en": "Export consultations with local buyers and business cooperation in Almaty.",
        "purpose_ko": "알마티 현지 바이어와의 수출 상담과 비즈니스 협력.",
        "start_on": None,
        "end_on": None,
        # computed: none of its own, its event of September 2022 (with_travel_dates)
        "travel_dates": {
            "start": "2022-09",
            "start_precision": "month",
            "end": "2022-09",
            "end_precision": "month",
            "basis": "events",
        },
        "members": [
            {"order": 1, "person": None, "role": "Busan businesses", "role_ko": "부산 기업", "organization": None}
        ],
        "itinerary": [
            {
                "order": 1,
                "city": ALMATY,
                "arrive_on": None,
                "depart_on": None,
                "purpose_en": "Business agreement and export consultations.",
                "purpose_ko": "업무협약 체결과 수출 상담.",
            }
        ],
        "outcomes": [
            {
                "order": 1,
                "kind": "agreement",
                "description_en": "Business agreement in the field of commercial activity with the Almaty City "
                "Corporate Investment Bureau.",
                "description_ko": "알마티시 기업투자청과 상업 분야 업무협약 체결.",
                "amount": None,
                "currency": "",
                "amount_qualifier": "exact",
                "count": None,
                "count_unit": "",
                "count_unit_ko": "",
                "agreement": {
                    "slug": "busan-trade-delegation-almaty-investment-bureau-business-agreement",
                    "title_en": "Business agreement on commercial activity with the Almaty City "
                    "Corporate Investment Bureau",
                    "title_ko": "알마티시 기업투자청 상업 분야 업무협약",
                    "kind": "business",
                    "signed_on": "2022-09",
                    "signed_precision": "month",
                },
            },
            {
                "order": 2,
                "kind": "export_consultation",
                "description_en": "Export consultations to promote contracts with local buyers.",
                "description_ko": "현지 바이어와 수출 상담.",
                "amount": "3850000.00",
                "currency": "USD",
                "amount_qualifier": "more_than",
                "count": 65,
                "count_unit": "local buyers",
                "count_unit_ko": "현지 바이어",
                "agreement": None,
            },
        ],
        "publication": "published",
        "sources": [
            {
                "slug": "busan-almaty-2022-09-21",
                "title": "Busan signs a friendly cooperation city agreement with Almaty, Kazakhstan",
                "publisher": "Busan Metropolitan City (press release, English text)",
                "url": "",
                "published_on": "2022-09-21",
            }
        ],
        "created_at": "2022-09-21T00:00:00Z",
        "updated_at": "2022-09-21T00:00:00Z",
    }


def test_itinerary_is_in_travel_order(shipped_data, api_client):
    body = api_client.get("/api/v1/delegations/eurasia-citizens-campaign-2022/").json()
    assert [stop["city"]["slug"] for stop in body["itinerary"]] == [
        "almaty",
        "bishkek",
        "tashkent",
        "brussels",
        "paris",
    ]


def test_money_is_a_decimal_string_with_currency_and_qualifier(shipped_data, api_client):
    body = api_client.get("/api/v1/delegations/busan-trade-delegation-almaty-2022/").json()
    outcome = body["outcomes"][1]
    assert (outcome["amount"], outcome["currency"], outcome["amount_qualifier"]) == ("3850000.00", "USD", "more_than")
    assert (outcome["count"], outcome["count_unit"]) == (65, "local buyers")


def test_country_filter_matches_any_stop(shipped_data, api_client):
    body = api_client.get("/api/v1/delegations/?country=fr").json()
    assert [row["slug"] for row in body["results"]] == ["eurasia-citizens-campaign-2022"]
