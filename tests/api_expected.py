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


# The three sources described by hand in registry/management/commands/_fixture_facts.py, as the API lists them.
NOTES_SOURCE = {
    "slug": "busan-partners-research-2022",
    "title": "Busan Metropolitan City – international partner cities as of September 2022 (research notes)",
    "publisher": "City Diplomacy Registry research",
    "url": "",
    "published_on": "2026-11-01",
}
ARTICLE_SOURCE = {
    "slug": "busan-almaty-2022-09-21",
    "title": "Busan signs a friendly cooperation city agreement with Almaty, Kazakhstan",
    "publisher": "Busan Metropolitan City (press release, English text)",
    "url": "",
    "published_on": "2022-09-21",
}
BFIC_SOURCE = {
    "slug": "bfic-2022-11-01-almaty",
    "title": "Busan–Almaty friendly cooperation city agreement (BFIC news)",
    "publisher": "Busan Foundation for International Cooperation",
    "url": "http://bfic.kr/new/contents/d2.asp?num=17980&pageno=20&pmode=view",
    "published_on": "2022-11-01",
}
# What the 2022 agreement and ceremony cite.
AGREEMENT_SOURCES = [NOTES_SOURCE, ARTICLE_SOURCE, BFIC_SOURCE]

# The sources Almaty cites in the shipped data, as the API lists them.
ALMATY_SOURCES = [
    NOTES_SOURCE,
    ARTICLE_SOURCE,
    BFIC_SOURCE,
    {
        "slug": "busancom-viewbusanviewphp-c7c6a8f9",
        "title": "busan.com/view/busan/view.php?code=2022091516300062707",
        "publisher": "Busan Ilbo",
        "url": "http://busan.com/view/busan/view.php?code=2022091516300062707",
        "published_on": None,
    },
    {
        "slug": "busancom-viewbusanviewphp-f4d50533",
        "title": "busan.com/view/busan/view.php?code=2022092111002676658",
        "publisher": "Busan Ilbo",
        "url": "http://busan.com/view/busan/view.php?code=2022092111002676658",
        "published_on": None,
    },
    {
        "slug": "ccnewsqcom-htmlviewhtml-6aed5679",
        "title": "ccnewsq.com/html/view.html?idx=329567",
        "publisher": "ccnewsq.com",
        "url": "http://ccnewsq.com/html/view.html?idx=329567",
        "published_on": None,
    },
    {
        "slug": "enwikipediaorg-wikialmaty-fb292a43",
        "title": "en.wikipedia.org/wiki/Almaty",
        "publisher": "Wikipedia",
        "url": "https://en.wikipedia.org/wiki/Almaty",
        "published_on": None,
    },
    {
        "slug": "newsiscom-view-0189e564",
        "title": "newsis.com/view?id=NISX20220921_0002020412",
        "publisher": "Newsis",
        "url": "https://www.newsis.com/view/?id=NISX20220921_0002020412",
        "published_on": None,
    },
    {
        "slug": "pluskoreanet-290860-a4b16ed4",
        "title": "pluskorea.net/290860",
        "publisher": "pluskorea.net",
        "url": "http://pluskorea.net/290860",
        "published_on": None,
    },
]
