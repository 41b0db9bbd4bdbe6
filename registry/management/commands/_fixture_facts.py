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

DELEGATIONS = [
    {
        "slug": "eurasia-citizens-campaign-2022",
        "name_en": "2022 Eurasia Citizens Campaign",
        "name_ko": "2022 유라시아 시민대장정",
        "kind": "citizens",
        # The article does not say who organised the campaign, so no organizer is recorded.
        "organizer": None,
        "leader": None,
        "travelled_with": None,
        "purpose_en": "Mark the 30th anniversary of Korea–Kazakhstan diplomatic relations, pioneer markets in "
        "the northern regions including Central Asia, promote the Busan World Expo 2030, and create "
        "practical economic, cultural and human exchanges with Central Asian cities.",
        "purpose_ko": "한–카자흐스탄 수교 30주년을 기념하고 중앙아시아를 비롯한 북방 지역 시장을 개척하며, "
        "2030 부산세계박람회 유치를 홍보하고 중앙아시아 도시들과 경제·문화·인적 교류의 실질적 성과를 만든다.",
        "start_on": None,
        "end_on": None,
        "sources": [ARTICLE],
        "members": [
            {
                "order": 1,
                "person": "lee-seong-kwon",
                "role": "Deputy Mayor of Busan",
                "role_ko": "부산광역시 부시장",
                "organization": "busan-metropolitan-city",
            },
            {
                "order": 2,
                "person": "ahn-seong-min",
                "role": "Chairman of Busan Metropolitan Council",
                "role_ko": "부산광역시의회 의장",
                "organization": "busan-metropolitan-council",
            },
            {"order": 3, "person": None, "role": "Business people", "role_ko": "기업인", "organization": None},
            {"order": 4, "person": None, "role": "Other officials", "role_ko": "기타 관계자", "organization": None},
        ],
        "itinerary": [
            {
                "order": 1,
                "city": "almaty",
                "arrive_on": None,
                "depart_on": None,
                "purpose_en": "Signing of the friendly cooperation city agreement (14 September 2022).",
                "purpose_ko": "우호협력도시 협정 체결(2022년 9월 14일).",
            },
            {
                "order": 2,
                "city": "bishkek",
                "arrive_on": None,
                "depart_on": None,
                "purpose_en": "Busan World Expo 2030 promotion; economic, cultural and human exchanges.",
                "purpose_ko": "2030 부산세계박람회 유치 홍보, 경제·문화·인적 교류.",
            },
            {
                "order": 3,
                "city": "tashkent",
                "arrive_on": None,
                "depart_on": None,
                "purpose_en": "Busan World Expo 2030 promotion; economic, cultural and human exchanges.",
                "purpose_ko": "2030 부산세계박람회 유치 홍보, 경제·문화·인적 교류.",
            },
            {
                "order": 4,
                "city": "brussels",
                "arrive_on": None,
                "depart_on": None,
                "purpose_en": "Busan World Expo 2030 promotion.",
                "purpose_ko": "2030 부산세계박람회 유치 홍보.",
            },
            {
                "order": 5,
                "city": "paris",
                "arrive_on": None,
                "depart_on": None,
                "purpose_en": "Busan World Expo 2030 promotion.",
                "purpose_ko": "2030 부산세계박람회 유치 홍보.",
            },
        ],
        "outcomes": [],
    },
    {
        "slug": "busan-trade-delegation-almaty-2022",
        "name_en": "Busan trade delegation to Almaty, 2022",
        "name_ko": "2022 부산 무역사절단 (알마티)",
        "kind": "trade",
        "organizer": None,
        "leader": None,
        "travelled_with": "eurasia-citizens-campaign-2022",
        "purpose_en": "Export consultations with local buyers and business cooperation in Almaty.",
        "purpose_ko": "알마티 현지 바이어와의 수출 상담과 비즈니스 협력.",
        "start_on": None,
        "end_on": None,
        "sources": [ARTICLE],
        "members": [
            {"order": 1, "person": None, "role": "Busan businesses", "role_ko": "부산 기업", "organization": None}
        ],
        "itinerary": [
            {
                "order": 1,
                "city": "almaty",
                "arrive_on": None,
                "depart_on": None,
                "purpose_en": "Business agreement and export consultations.",
                "purpose_ko": "업무협약 체결과 수출 상담.",
            },
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
                "agreement": "busan-trade-delegation-almaty-investment-bureau-business-agreement",
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
    },
]

EVENTS = [
    {
        "slug": "busan-almaty-signing-ceremony-2022",
        "title_en": "Signing ceremony of the Busan–Almaty friendly cooperation city agreement",
        "title_ko": "부산–알마티 우호협력도시 협정 체결식",
        "kind": "signing_ceremony",
        "start_on": "2022-09-14",
        "start_precision": "day",
        "end_on": None,
        "city": "almaty",
        "venue": "Almaty City Hall",
        "venue_ko": "알마티시청",
        "partnership": PARTNERSHIP_ALMATY,
        "agreement": "busan-almaty-friendly-cooperation-city-agreement",
        "delegation": "eurasia-citizens-campaign-2022",
        "summary_en": "Held during the Eurasia Citizens Campaign. Busan's first friendly cooperation city in "
        "Central Asia.",
        "summary_ko": "유라시아 시민대장정 중 개최. 부산의 첫 중앙아시아 우호협력도시.",
        "sources": [ARTICLE, BFIC, NOTES],
        "participants": [
            {
                "order": 1,
                "person": "lee-seong-kwon",
                "role": "Deputy Mayor of Busan",
                "role_ko": "부산광역시 부시장",
                "organization": "busan-metropolitan-city",
            },
            {
                "order": 2,
                "person": "ahn-seong-min",
                "role": "Chairman of Busan Metropolitan Council",
                "role_ko": "부산광역시의회 의장",
                "organization": "busan-metropolitan-council",
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
                "organization": "akimat-of-almaty",
            },
            {"order": 5, "person": None, "role": "Other officials", "role_ko": "기타 관계자", "organization": None},
        ],
    },
    {
        "slug": "busan-almaty-agreement-announcement-2022",
        "title_en": "Busan announces its friendly cooperation city agreement with Almaty",
        "title_ko": "부산시, 알마티와 우호협력도시 협정 체결 발표",
        "kind": "announcement",
        "start_on": "2022-09-21",
        "start_precision": "day",
        "end_on": None,
        "city": "busan",
        "venue": "",
        "partnership": PARTNERSHIP_ALMATY,
        "agreement": "busan-almaty-friendly-cooperation-city-agreement",
        "delegation": None,
        "summary_en": "Press release of Busan Metropolitan City announcing the agreement signed on 14 September.",
        "summary_ko": "9월 14일 체결한 협정을 알리는 부산시 보도자료.",
        "sources": [ARTICLE],
        "participants": [],
    },
    {
        "slug": "korea-kazakhstan-diplomatic-relations-30th-anniversary",
        "title_en": "30th anniversary of diplomatic relations between Korea and Kazakhstan",
        "title_ko": "한–카자흐스탄 수교 30주년",
        "kind": "anniversary",
        "start_on": "2022-01-01",
        "start_precision": "year",
        "end_on": None,
        "city": None,
        "venue": "",
        "partnership": None,
        "agreement": "busan-almaty-friendly-cooperation-city-agreement",
        "delegation": None,
        "summary_en": "Korea and Kazakhstan established diplomatic relations in 1992; the Busan–Almaty "
        "agreement commemorates the 30th anniversary.",
        "summary_ko": "1992년 수교.",
        "sources": [ARTICLE],
        "participants": [],
    },
    {
        "slug": "busan-trade-delegation-almaty-export-consultations-2022",
        "title_en": "Export consultations of the Busan trade delegation in Almaty",
        "title_ko": "부산 무역사절단 알마티 수출상담회",
        "kind": "export_consultation",
        "start_on": "2022-09-01",
        "start_precision": "month",
        "end_on": None,
        "city": "almaty",
        "venue": "",
        "partnership": None,
        "agreement": "busan-trade-delegation-almaty-investment-bureau-business-agreement",
        "delegation": "busan-trade-delegation-almaty-2022",
        "summary_en": "Export consultations with 65 local buyers to promote contracts worth more than "
        "USD 3.85 million.",
        "summary_ko": "현지 바이어 65곳과 385만 달러 이상의 계약 추진을 위한 수출 상담.",
        "sources": [ARTICLE],
        "participants": [
            {"order": 1, "person": None, "role": "Busan businesses", "role_ko": "부산 기업", "organization": None}
        ],
    },
    {
        "slug": "busan-world-expo-2030-promotion-eurasia-2022",
        "title_en": "Busan World Expo 2030 promotion on the Eurasia Citizens Campaign",
        "title_ko": "유라시아 시민대장정 2030 부산세계박람회 유치 홍보",
        "kind": "promotion",
        "start_on": "2022-09-01",
        "start_precision": "month",
        "end_on": None,
        "city": None,
        "venue": "",
        "partnership": None,
        "agreement": None,
        "delegation": "eurasia-citizens-campaign-2022",
        "summary_en": "After Almaty the campaign goes through Bishkek, Tashkent, Brussels and Paris to promote "
        "the Busan World Expo 2030 and create economic, cultural and human exchanges with Central "
        "Asian cities.",
        "summary_ko": "알마티 이후 비슈케크, 타슈켄트, 브뤼셀, 파리를 거치며 2030 부산세계박람회 유치를 홍보하고 "
        "중앙아시아 도시들과 경제·문화·인적 교류를 추진.",
        "sources": [ARTICLE],
        "participants": [],
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
