"""Expected JSON fragments shared by the API tests: the shipped Busan and Almaty records."""

BUSAN = {
    "slug": "busan",
    "name_en": "Busan",
    "name_ko": "부산",
    "name_native": "부산광역시",
    "country": "KR",
    "region": "asia",
    "subregion": "eastern-asia",
    "latitude": 35.1797,
    "longitude": 129.0761,
}

ALMATY = {
    "slug": "almaty",
    "name_en": "Almaty",
    "name_ko": "알마티",
    "name_native": "Алматы",
    "country": "KZ",
    "region": "asia",
    "subregion": "central-asia",
    "latitude": 43.2333,
    "longitude": 76.95,
}


def almaty_partnership(pk: int) -> dict:
    """The Busan–Almaty partnership as nested in agreements and events."""
    return {
        "id": pk,
        "city": BUSAN,
        "partner": ALMATY,
        "kind": "friendship",
        "status": "active",
        "established_on": "2022-09-14",
        "established_precision": "day",
    }
