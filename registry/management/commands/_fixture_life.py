"""The life of the shipped relations and the sources of each fact, for the shipped fixtures (read by
``build_fixtures`` beside :mod:`_fixture_facts`; the leading underscore keeps Django from listing this
module as a command): stages, upgrades, relations never signed, and claims where sources differ.
Every row cites the research notes (``busan_partners.md``) or the article, by the slugs in
:mod:`_fixture_facts`; nothing here is invented.
"""

from ._fixture_facts import ARTICLE, BFIC, NOTES

# Dated stages where busan_partners.md (§3, §4) gives the facts; each cites the URL of its source
# (a URL of the CSV row, so it is the same Source) and the research notes. Nothing else is invented:
# relations without such facts have no stages and show their signature date only.
PRIMORYE24 = "https://primorye24.ru/news/post/55064-vladivostok-i-pusan-prolongirovali-pobratimskie-otnosheniya"
GRANDCULTURE_CHONGQING = "http://www.grandculture.net/busan/toc/GC04205890"
BUSAN_FRIENDSHIP_LIST = "https://www.busan.go.kr/eng/FriendshipCities"
BUSAN_FUKUOKA = "http://m.busan.go.kr/fukuoka"

# Partnerships that an upgrade ended: the row of the CSV (partner slug, kind, date) follows this one.
PREDECESSORS = [
    {
        "partner": "fukuoka",
        "kind": "friendship",
        "established_on": "1989-10-24",
        "ended_on": "2007-02-02",
        "status_reason": "Upgraded to a sister city.",
        "status_reason_ko": "자매도시로 격상.",
        "notes": "Administrative exchange agreement city (행정교류협정도시) since 1989-10-24, counted beside the "
        "sister cities in Busan's counts of 2001–2002 (16 cities: 15 sister + 1 administrative agreement); "
        "a sister city from 2007-02-02, after Korea abolished the one-sister-city-per-country rule in Jan 2004.",
        "sources": [BUSAN_FUKUOKA],
    },
]

# Relations that never reached signature (busan_partners.md §5, "Deliberately NOT counted"): shipped as
# partnerships with status "proposed" and no established date, so they are never counted. The notes name
# their sources (news1, Asiae, Busan's 2021 "Lights On" events) without addresses: the notes are the citation.
# No coordinates: the research notes give none for Hokkaido.
UNSIGNED = [
    {
        "city": {
            "slug": "hokkaido",
            "name_en": "Hokkaido",
            "name_ko": "홋카이도",
            "name_native": "北海道",
            "country": "JP",
            "admin_level": "prefecture",
            "confidence": "medium",
            "notes": "Japanese prefecture. An exchange letter of intent with Busan (2005-12-14), never followed by "
            "a signed relation (busan_partners.md §5).",
            "names": [],
            "sources": [NOTES],
        },
        "kind": "friendship",
        "confidence": "medium",
        "notes": "Only an exchange letter of intent (2005-12-14). Busan still “hopes to conclude a formal "
        "friendly-cooperation relationship” in January 2026 (news1, Asiae). It appears in Busan's 2021 "
        "“Lights On” events but is not in the 38 partner cities of 2022 (busan_partners.md §5).",
        "sources": [NOTES],
    },
]

# (partner slug, partnership kind, established_on) → stages (kind, date, precision, note in English, note in
# Korean, source URLs).
STAGES = {
    ("fukuoka", "friendship", "1989-10-24"): [
        ("signed", "1989-10-24", "day", "Administrative exchange agreement.", "행정교류협정 체결.", [BUSAN_FUKUOKA]),
        (
            "upgraded",
            "2007-02-02",
            "day",
            "Upgraded to a sister city after Korea abolished the one-sister-city-per-country rule (Jan 2004).",
            "한국이 1국 1자매도시 원칙을 폐지(2004년 1월)한 뒤 자매도시로 격상.",
            [BUSAN_FUKUOKA],
        ),
    ],
    ("fukuoka", "sister", "2007-02-02"): [
        (
            "signed",
            "2007-02-02",
            "day",
            "Sister city agreement, following the 1989 agreement.",
            "1989년 협정에 이은 자매도시 협정.",
            [BUSAN_FUKUOKA],
        ),
    ],
    ("hokkaido", "friendship", None): [
        (
            "letter_of_intent",
            "2005-12-14",
            "day",
            "Exchange letter of intent; no relation was signed after it (research notes §5).",
            "교류 의향서. 이후 체결된 관계는 없음(조사 노트 §5).",
            [],
        ),
    ],
    ("vladivostok", "sister", "1992-06-30"): [
        (
            "signed",
            "1992-06-30",
            "day",
            "First signed (partner-side report).",
            "최초 체결(상대 도시 측 보도).",
            [PRIMORYE24],
        ),
        (
            "renewed",
            "2012-06-30",
            "day",
            "Sister city relation renewed (partner-side report).",
            "자매도시 관계 갱신(상대 도시 측 보도).",
            [PRIMORYE24],
        ),
    ],
    ("chongqing", "friendship", "2010-12-02"): [
        (
            "letter_of_intent",
            "2010-10-04",
            "day",
            "Letter of intent (Encyclopedia of Korean Local Culture).",
            "의향서(한국향토문화전자대전).",
            [GRANDCULTURE_CHONGQING],
        ),
        (
            "signed",
            "2010-12-02",
            "day",
            "Date in Busan's lists; the Encyclopedia of Korean Local Culture gives an agreement signed in "
            "writing by both mayors on 2010-10-12.",
            "부산시 목록상의 날짜. 한국향토문화전자대전에는 2010-10-12 양 시장이 서면으로 서명한 협정으로 나온다.",
            [BUSAN_FRIENDSHIP_LIST],
        ),
    ],
}

# The sources of each fact (busan_partners.md §3, §4): each claimed value with its sources; the preferred one
# is the value the registry holds (the CSV's). One value: the sources that support that fact (a citation of
# it); two or more: the sources disagree. (partner slug, kind, established_on) → claims (fact, value,
# preferred, note in English, note in Korean, sources). A note quoting a source's own English words keeps the
# quotation in English in the Korean note.
BUSAN_SISTER_LIST = "https://www.busan.go.kr/eng/bssister"
BUSAN_COM_0915 = "http://busan.com/view/busan/view.php?code=2022091516300062707"
NEWSIS_0921 = "https://www.newsis.com/view/?id=NISX20220921_0002020412"
CLAIMS = {
    ("almaty", "friendship", "2022-09-14"): [
        (
            "established_on",
            "2022-09-14",
            True,
            "Signed on 14 September 2022; the date is the same in every source (research notes §4 item 11).",
            "2022년 9월 14일 체결. 날짜는 모든 출처에서 같음(조사 노트 §4 11항).",
            [ARTICLE, BUSAN_COM_0915, NEWSIS_0921, BFIC],
        ),
        (
            "kind",
            "friendship",
            True,
            "A friendly cooperation city (우호협력도시), Busan's twelfth; such agreements need no council approval.",
            "부산의 열두 번째 우호협력도시. 우호협력도시 협정은 시의회 동의가 필요 없음.",
            [ARTICLE, BUSAN_COM_0915],
        ),
    ],
    ("vladivostok", "sister", "1992-06-30"): [
        (
            "established_on",
            "1992-06-30",
            True,
            "Busan's list; the partner side (Primorye24) gives the same first signature, renewed 2012-06-30.",
            "부산시 목록. 상대 도시 측(Primorye24)도 같은 최초 체결일을 전하며, 2012-06-30 갱신됨.",
            [BUSAN_SISTER_LIST, PRIMORYE24],
        ),
    ],
    ("barcelona", "sister", "1983-10-25"): [
        (
            "established_on",
            "1983-10-25",
            True,
            "Busan's list; Ajuntament de Barcelona: 25 October 1983.",
            "부산시 목록. Ajuntament de Barcelona(바르셀로나 시청): 1983년 10월 25일.",
            [
                BUSAN_SISTER_LIST,
                "https://ajuntament.barcelona.cat/relacionsinternacionalsicooperacio/es/relaciones-internacionales/"
                "barcelona-en-el-mundo/asia-pacifico/busan",
            ],
        ),
    ],
    ("bangkok", "friendship", "2011-07-11"): [
        (
            "kind",
            "friendship",
            True,
            "Busan classes it as a friendly cooperation city.",
            "부산시는 우호협력도시로 분류함.",
            [BUSAN_FRIENDSHIP_LIST],
        ),
        (
            "kind",
            "sister",
            False,
            "Bangkok's International Affairs Division calls it a “Sister City Agreement” (11 July 2011).",
            "방콕시 국제업무부(International Affairs Division)는 “Sister City Agreement”(2011년 7월 11일)라고 부름.",
            ["http://iad.bangkok.go.th/en/showsister_cities?id=46"],
        ),
    ],
    ("los-angeles", "sister", "1967-12-18"): [
        (
            "established_on",
            "1967-12-18",
            True,
            "Busan's list and Busan's Los Angeles page.",
            "부산시 목록과 부산시 로스앤젤레스 페이지.",
            [BUSAN_SISTER_LIST],
        ),
        (
            "established_on",
            "1971-04-05",
            False,
            "City of Los Angeles sister city page (archived 2009): “Sister City since April 5, 1971”.",
            "로스앤젤레스시 자매도시 페이지(2009년 보관본): “Sister City since April 5, 1971”.",
            ["http://web.archive.org/web/20090502011637/http://www.lacity.org/SisterCities/html/07.htm"],
        ),
    ],
    ("surabaya", "sister", "1994-08-29"): [
        (
            "established_on",
            "1994-08-29",
            True,
            "Busan's list (January 2022).",
            "부산시 목록(2022년 1월).",
            [BUSAN_SISTER_LIST],
        ),
        (
            "established_on",
            "1994-08-24",
            False,
            "Busan's English Surabaya page.",
            "부산시 영문 수라바야 페이지.",
            ["https://www.busan.go.kr/eng/Surabaya"],
        ),
        (
            "established_on",
            "1994-11-10",
            False,
            "Surabaya-side writings: memorandum signed 10 Nov 1994.",
            "수라바야 측 기록: 1994년 11월 10일 양해각서 서명.",
            [],
        ),
    ],
    ("chongqing", "friendship", "2010-12-02"): [
        ("established_on", "2010-12-02", True, "Busan's lists.", "부산시 목록.", [BUSAN_FRIENDSHIP_LIST]),
        (
            "established_on",
            "2010-10-12",
            False,
            "Encyclopedia of Korean Local Culture: agreement signed in writing by both mayors.",
            "한국향토문화전자대전: 양 시장이 서면으로 서명한 협정.",
            [GRANDCULTURE_CHONGQING],
        ),
    ],
}

# The Almaty signing venue (busan_partners.md §4 item 11): the sources disagree; the registry holds the
# press release's "Almaty City Hall". The date (14 September 2022) is the same in all of them.
EVENT_CLAIMS = {
    "busan-almaty-signing-ceremony-2022": [
        (
            "venue",
            "Almaty City Hall",
            True,
            "Busan's press release of 2022-09-21.",
            "부산시 2022-09-21 보도자료.",
            [ARTICLE],
        ),
        (
            "venue",
            "Caspian University",
            False,
            "busan.com (2022-09-15) and Newsis (2022-09-21).",
            "busan.com(2022-09-15)과 뉴시스(Newsis, 2022-09-21).",
            [BUSAN_COM_0915, NEWSIS_0921],
        ),
        (
            "venue",
            "Temporary city hall of Almaty",
            False,
            "BFIC news (2022-11-01).",
            "부산국제교류재단(BFIC) 소식(2022-11-01).",
            [BFIC],
        ),
    ],
}
