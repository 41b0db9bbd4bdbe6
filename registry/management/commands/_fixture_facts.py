"""Facts for the shipped fixtures (read by ``build_fixtures`` beside this file; the leading
underscore keeps Django from listing this module as a command) that do not come from ``busan_partners.csv``.

``build_fixtures`` turns these into ``fixtures/*.json`` with natural keys. Every fact of
the 2022-09-21 article is here and cites :data:`ARTICLE`; where the research notes
(``busan_partners.md``) add or contradict a detail, the row says so and cites them too.
Totals (how many cities in how many countries) are never stored: they are computed.
"""

ARTICLE = "busan-almaty-2022-09-21"
NOTES = "busan-partners-research-2022"
BFIC = "bfic-2022-11-01-almaty"

SOURCES = [
    {
        "slug": ARTICLE,
        "title": "Busan signs a friendly cooperation city agreement with Almaty, Kazakhstan",
        "publisher": "Busan Metropolitan City (press release, English text)",
        "url": "",
        "published_on": "2022-09-21",
        "language": "en",
        "notes": "The article the registry's first data is built from "
        "(shared/data/article-2022-09-21-busan-almaty.txt). The same release ran in busan.com, "
        "Newsis, ccnewsq.com and pluskorea.net on 2022-09-21.",
    },
    {
        "slug": NOTES,
        "title": "Busan Metropolitan City – international partner cities as of September 2022 (research notes)",
        "publisher": "City Diplomacy Registry research",
        "url": "",
        "published_on": "2026-11-01",
        "language": "en",
        "notes": "shared/data/busan_partners.csv and busan_partners.md: Busan's partner cities with kinds, "
        "dates, coordinates and per-row sources, researched from public records.",
    },
    {
        "slug": BFIC,
        "title": "Busan–Almaty friendly cooperation city agreement (BFIC news)",
        "publisher": "Busan Foundation for International Cooperation",
        "url": "http://bfic.kr/new/contents/d2.asp?num=17980&pageno=20&pmode=view",
        "published_on": "2022-11-01",
        "language": "ko",
        "notes": "Ceremony on 14 September 2022 at the temporary city hall of Almaty.",
    },
]

COOPERATION_FIELDS = [
    ("economy", "economy", "경제"),
    ("culture", "culture", "문화"),
    ("tourism", "tourism", "관광"),
    ("film", "film", "영화"),
    ("digital-industry", "digital industry", "디지털 산업"),
    ("medical-care", "medical care", "의료"),
    ("trade", "trade and commerce", "통상"),
    ("education", "education", "교육"),
    ("sport", "sport", "체육"),
    ("environment", "environment", "환경"),
    ("port-and-logistics", "port and logistics", "항만·물류"),
    ("human-exchange", "human exchange", "인적 교류"),
]

# The home city, described at the end of busan_partners.md.
HOME_CITY = {
    "slug": "busan",
    "name_en": "Busan",
    "name_ko": "부산",
    "name_native": "부산광역시",
    "country": "KR",
    "admin_level": "metropolitan_city",
    # A metropolitan city is its own first-level subdivision: ISO 3166-2 KR-26 Busan-gwangyeoksi
    # (registry/data/iso_3166_2.csv, from the iso-codes project; see the README there).
    "subdivision": "KR-26",
    "latitude": "35.17970",
    "longitude": "129.07610",
    "coordinates_source": "Wikipedia article coordinates (busan_partners.md §8)",
    "confidence": "high",
    "notes": "Busan Metropolitan City, the registry's home city. Romanized “Pusan” until the 2000 "
    "Revised Romanization of Korean.",
    "names": [{"name": "Pusan", "kind": "alias", "used_until": 2000, "notes": "McCune–Reischauer romanization"}],
    "sources": [NOTES],
}

# Cities on the Eurasia Citizens Campaign's itinerary that are not partners.
OTHER_CITIES = [
    {
        "slug": "bishkek",
        "name_en": "Bishkek",
        "name_ko": "비슈케크",
        "name_native": "Бишкек",
        "country": "KG",
        "latitude": "42.87460",
        "longitude": "74.56980",
        "names": [{"name": "Frunze", "kind": "former", "used_from": 1926, "used_until": 1991}],
    },
    {
        "slug": "tashkent",
        "name_en": "Tashkent",
        "name_ko": "타슈켄트",
        "name_native": "Toshkent",
        "country": "UZ",
        "latitude": "41.31110",
        "longitude": "69.27970",
        "names": [],
    },
    {
        "slug": "brussels",
        "name_en": "Brussels",
        "name_ko": "브뤼셀",
        "name_native": "Bruxelles / Brussel",
        "country": "BE",
        "latitude": "50.84670",
        "longitude": "4.35250",
        "names": [],
    },
    {
        "slug": "paris",
        "name_en": "Paris",
        "name_ko": "파리",
        "name_native": "Paris",
        "country": "FR",
        "latitude": "48.85670",
        "longitude": "2.35220",
        "names": [],
    },
]
for _city in OTHER_CITIES:
    _city.update(
        admin_level="city",
        confidence="high",
        coordinates_source="Wikipedia article coordinates",
        notes="On the itinerary of the 2022 Eurasia Citizens Campaign (article of 2022-09-21).",
        sources=[ARTICLE],
    )

# Extra facts about Almaty from busan_partners.md §6, merged into its CSV row.
ALMATY_EXTRA = {
    "population": 2030285,
    "population_year": 2021,
    "notes_suffix": " Population 2,030,285 at the national census of 1 September 2021 (Astana Times, "
    "2023-10-31, citing the Bureau of National Statistics). Kazakhstan's largest city; capital of the "
    "Kazakh SSR and of Kazakhstan 1929–1997. The renaming years differ between sources (1921 or 1922; "
    "1993 or 1994).",
}

ORGANIZATIONS = [
    {
        "slug": "busan-metropolitan-city",
        "name_en": "Busan Metropolitan City",
        "name_ko": "부산광역시",
        "kind": "government",
        "city": "busan",
        "country": "KR",
        "sources": [ARTICLE],
    },
    {
        "slug": "busan-metropolitan-council",
        "name_en": "Busan Metropolitan Council",
        "name_ko": "부산광역시의회",
        "kind": "council",
        "city": "busan",
        "country": "KR",
        "notes": "The article calls it the Busan City Council.",
        "sources": [ARTICLE, NOTES],
    },
    {
        "slug": "akimat-of-almaty",
        "name_en": "Akimat of Almaty",
        # No source gives a Korean name: the Kazakh word transliterated (아키마트, the city administration).
        "name_ko": "알마티시 아키마트",
        "name_native": "Алматы қаласының әкімдігі",
        "kind": "government",
        "city": "almaty",
        "country": "KZ",
        "notes": "The city administration of Almaty, headed by the akim (mayor).",
        "sources": [ARTICLE],
    },
    {
        "slug": "almaty-city-corporate-investment-bureau",
        "name_en": "Almaty City Corporate Investment Bureau",
        # As the shipped Korean texts name it (the business agreement's title and outcome).
        "name_ko": "알마티시 기업투자청",
        "kind": "agency",
        "city": "almaty",
        "country": "KZ",
        "sources": [ARTICLE],
    },
]

PEOPLE = [
    {
        "slug": "lee-seong-kwon",
        "name_en": "Lee Seong-kwon",
        "name_ko": "이성권",
        "notes": "Deputy Mayor (Economic Vice Mayor) of Busan in 2022. BFIC spells the name Lee Sung-kwon.",
        "sources": [ARTICLE, BFIC],
    },
    {
        "slug": "ahn-seong-min",
        "name_en": "Ahn Seong-min",
        "name_ko": "안성민",
        "notes": "Chairman of Busan Metropolitan Council in 2022.",
        "sources": [ARTICLE],
    },
]

PARTNERSHIP_ALMATY = ["busan", "almaty", "friendship", "2022-09-14"]
# The fields of cooperation the 2022 agreement names, also recorded on the partnership.
ALMATY_FIELDS = ["economy", "culture", "tourism", "film", "digital-industry", "medical-care"]

AGREEMENTS = [
    {
        "slug": "busan-almaty-friendly-cooperation-city-agreement",
        "title_en": "Friendly cooperation city agreement between Busan and Almaty",
        "title_ko": "부산광역시–알마티시 우호협력도시 협정",
        "kind": "friendship_city",
        "partnership": PARTNERSHIP_ALMATY,
        "parties": ["busan-metropolitan-city", "akimat-of-almaty"],
        "signed_on": "2022-09-14",
        "signed_precision": "day",
        "place": "almaty",
        "venue": "Almaty City Hall",
        "venue_ko": "알마티시청",
        "fields": ALMATY_FIELDS,
        "summary_en": "The two cities agreed to promote mutual prosperity and development as friendly and "
        "cooperative cities, expand human exchanges, and expand mutual cooperation in fields such as "
        "economy, culture, tourism, film, digital industry and medical care. Signed to mark the 30th "
        "anniversary of diplomatic relations between Korea and Kazakhstan and to open markets in the "
        "northern regions, including Central Asia, giving Busan's businesses a foothold in Almaty, "
        "Kazakhstan's largest city. Signed on 14 September 2022 and announced on 21 September 2022. "
        "Venue: Almaty City Hall per the press release; busan.com (2022-09-15) and Newsis name Caspian "
        "University, and BFIC the temporary city hall. BFIC names the signatories as Economic Vice "
        "Mayor Lee Sung-kwon and a deputy akim of Almaty.",
        "summary_ko": "두 도시는 우호협력도시로서 상호 번영과 발전을 도모하고 인적 교류를 확대하며 경제, 문화, "
        "관광, 영화, 디지털 산업, 의료 등 다양한 분야에서 상호 협력을 확대하기로 했다.",
        "sources": [ARTICLE, BFIC, NOTES],
        "signatories": [
            {
                "order": 1,
                "person": "lee-seong-kwon",
                "role": "Deputy Mayor of Busan",
                "role_ko": "부산광역시 부시장",
                "organization": "busan-metropolitan-city",
            },
            {
                "order": 2,
                "person": None,
                "role": "Deputy Mayor of Almaty",
                "role_ko": "알마티시 부시장",
                "organization": "akimat-of-almaty",
            },
        ],
    },
    {
        "slug": "busan-trade-delegation-almaty-investment-bureau-business-agreement",
        "title_en": "Business agreement on commercial activity with the Almaty City Corporate Investment Bureau",
        "title_ko": "알마티시 기업투자청 상업 분야 업무협약",
        "kind": "business",
        "partnership": None,
        "parties": ["almaty-city-corporate-investment-bureau"],
        "signed_on": "2022-09-01",
        "signed_precision": "month",
        "place": "almaty",
        "venue": "",
        "fields": ["trade"],
        "summary_en": "Signed by the Busan trade delegation that travelled with the Eurasia Citizens Campaign, "
        "in the field of commercial activity.",
        "summary_ko": "유라시아 시민대장정과 함께한 부산 무역사절단이 상업 분야에서 체결한 업무협약.",
        "sources": [ARTICLE],
        "signatories": [
            {
                "order": 1,
                "person": None,
                "role": "Busan trade delegation",
                "role_ko": "부산 무역사절단",
                "organization": None,
            },
            {
                "order": 2,
                "person": None,
                "role": "Representative",
                "role_ko": "대표",
                "organization": "almaty-city-corporate-investment-bureau",
            },
        ],
    },
]


# BCP 47 language tag of each shipped city's native name (City.name_native_language): the
# language the name in busan_partners.csv's partner_city_local column (or above) is written in.
# "mul" where the name gives two languages; zh-Hans/zh-Hant follow the script of the name.
NATIVE_NAME_LANGUAGES = {
    "almaty": "kk",  # Алматы: Kazakh, the state language (Russian spells it the same)
    "auckland": "mul",  # Auckland / Tāmaki Makaurau: English and Māori
    "bandar-abbas": "fa",
    "bangkok": "th",
    "barcelona": "ca",
    "beijing": "zh-Hans",
    "bishkek": "ky",
    "brussels": "mul",  # Bruxelles / Brussel: French and Dutch
    "busan": "ko",
    "casablanca": "ar",
    "cebu-province": "ceb",  # Lalawigan sa Sugbo: Cebuano
    "chicago": "en",
    "chongqing": "zh-Hans",
    "dubai": "ar",
    "fukuoka": "ja",
    "hokkaido": "ja",
    "guangzhou": "zh-Hans",
    "ho-chi-minh-city": "vi",
    "istanbul": "tr",
    "kaohsiung": "zh-Hant",
    "los-angeles": "en",
    "montreal": "fr",
    "mumbai": "mr",  # मुंबई: Marathi
    "nagasaki-prefecture": "ja",
    "osaka": "ja",
    "panama-city": "es",
    "paris": "fr",
    "phnom-penh": "km",
    "rio-de-janeiro": "pt",
    "saint-petersburg": "ru",
    "shanghai": "zh-Hans",
    "shenzhen": "zh-Hans",
    "shimonoseki": "ja",
    "surabaya": "id",
    "tashkent": "uz",
    "thessaloniki": "el",
    "tianjin": "zh-Hans",
    "tijuana": "es",
    "ulaanbaatar": "mn",
    "valparaiso": "es",
    "victoria": "en",
    "vladivostok": "ru",
    "western-cape": "mul",  # Western Cape / Wes-Kaap: English and Afrikaans
    "yangon": "my",
}
