"""Names in any script: queries and names compared through their anyascii transliteration
(registry/text.py, CityQuerySet.search), the same on SQLite and PostgreSQL (issue 15)."""

from http import HTTPStatus

import pytest

from registry import text
from registry.models import City, CityName

from .factories import CityFactory, PartnershipFactory


def test_transliterate_folds_after_anyascii():
    assert text.transliterate("Алма-Ата") == "alma ata"
    assert text.transliterate("Ташкент") == "tashkent"
    assert text.transliterate("Αθήνα") == "athina"
    assert text.transliterate("") == ""


def test_fold_of_ascii_text_is_the_full_unicode_fold():
    """ASCII text takes a short way through :func:`text.fold` (no normalisation): every ASCII
    character alone and between letters folds as the NFKD/NFC/casefold path folds it."""
    import unicodedata

    def unicode_fold(value: str) -> str:
        decomposed = unicodedata.normalize("NFKD", value)
        kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")
        return text._SEPARATORS.sub(" ", unicodedata.normalize("NFC", kept).casefold()).strip()

    for code in range(128):
        for value in (chr(code), f"Ab{chr(code)}Cd", f" {chr(code)}-X. "):
            assert text.fold(value) == unicode_fold(value), repr(value)
    assert text.fold("St. PETER'S  Alma-Ata") == "st peter s alma ata"


def test_search_forms_are_the_folded_name_and_its_transliteration():
    assert text.search_forms("Тошкент") == ["тошкент", "toshkent"]
    assert text.search_forms("Valparaíso") == ["valparaiso"]  # already ASCII once folded: one form
    assert text.search_forms("") == []


def test_search_terms_give_each_word_both_forms_and_a_vowel_key_from_four_letters():
    assert text.search_terms("Алма-Ата") == [["алма", "alma", "<ａｌｍａ>"], ["ата", "ata"]]
    assert text.search_terms("tashkent") == [["tashkent", "<ｔａｓｈｋａｎｔ>"]]


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("Тошкент", "<ｔａｓｈｋａｎｔ>"),
        ("tashkent", "<ｔａｓｈｋａｎｔ>"),
        ("Київ", "<ｋａｖ>"),
        ("Kyiv", "<ｋａｖ>"),
        ("Tallinn", "<ｔａｌａｎ>"),  # doubled letters made single
        ("tashkend", "<ｔａｓｈｋａｎｄ>"),
        ("Brno", "<ｂｒｎａ>"),
        ("Bern", "<ｂａｒｎ>"),
        ("ata", ""),  # under four letters: no key
        ("2022", ""),  # not letters
    ],
)
def test_vowel_key_folds_vowel_runs_of_words_of_four_letters_or_more(word, key):
    assert text.vowel_key(word) == key


def test_search_text_keeps_the_vowel_keys_on_their_own_line_after_the_names():
    assert text.search_text(["Tashkent City", "Тошкент"]) == (
        "tashkent city\nтошкент\ntoshkent\n<ｔａｓｈｋａｎｔ><ｃａｔａ>\n<ｔａｓｈｋａｎｔ>"
    )


@pytest.fixture
def cities(db):
    almaty = CityFactory(slug="almaty", name_en="Almaty", name_native="Алматы", country="KZ")
    CityName.objects.create(city=almaty, name="Alma-Ata", kind=CityName.Kind.FORMER, used_until=1993)
    tashkent = CityFactory(slug="uz-capital", name_en="", name_native="Ташкент", country="UZ")
    toshkent = CityFactory(slug="uz-latin", name_en="", name_native="Тошкент", country="UZ")
    athens = CityFactory(slug="athens", name_en="Athens", country="GR")
    CityName.objects.create(city=athens, name="Αθήνα", kind=CityName.Kind.ALIAS)
    CityFactory(slug="astana", name_en="Astana", country="KZ")
    return {"almaty": almaty, "tashkent": tashkent, "toshkent": toshkent, "athens": athens}


def slugs(query):
    return sorted(City.objects.search(query).values_list("slug", flat=True))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Алма-Ата", ["almaty"]),  # Cyrillic query, Latin former name
        ("алма ата", ["almaty"]),
        ("Alma-Ata", ["almaty"]),
        ("almaty", ["almaty"]),  # Latin query, stored in English and as Алматы
        ("Алматы", ["almaty"]),
        ("tashkent", ["uz-capital", "uz-latin"]),  # Latin query; Тошкент through its vowel key
        ("TASHKENT", ["uz-capital", "uz-latin"]),
        ("toshkent", ["uz-capital", "uz-latin"]),
        ("Тошкент", ["uz-capital", "uz-latin"]),
        ("tashkend", []),  # a near miss: another consonant
        ("athina", ["athens"]),  # alias in Greek script
        ("Αθήνα", ["athens"]),
        ("Афины", []),  # a different name is not a transliteration
    ],
)
def test_a_query_in_one_script_finds_a_name_stored_in_another(cities, query, expected):
    assert slugs(query) == expected


def test_every_word_must_match(cities):
    assert slugs("Алма-Ата astana") == []


def test_former_names_and_aliases_in_more_than_one_script(cities):
    almaty = cities["almaty"]
    CityName.objects.create(city=almaty, name="Верный", kind=CityName.Kind.FORMER, used_until=1921)
    CityName.objects.create(city=almaty, name="Verny", kind=CityName.Kind.FORMER, used_until=1921)
    assert slugs("vernyi") == ["almaty"]  # the Cyrillic spelling's transliteration
    assert slugs("Верный") == ["almaty"]
    almaty.names.get(name="Верный").delete()
    assert slugs("vernyi") == ["almaty"]  # "Verny" has the same vowel key, "<ｖａｒｎａ>"
    almaty.names.get(name="Verny").delete()
    assert slugs("vernyi") == []  # the search text follows the names


def test_cities_page_and_api_search_in_any_script(cities, client, api_client, home):
    PartnershipFactory(city=home, partner=cities["almaty"])
    PartnershipFactory(city=home, partner=cities["tashkent"])
    page = client.get("/cities/", {"q": "Алма-Ата"})
    assert page.status_code == HTTPStatus.OK
    assert 'href="/cities/almaty/"' in page.content.decode()
    assert 'href="/cities/uz-capital/"' not in page.content.decode()
    body = api_client.get("/api/v1/cities/", {"q": "tashkent"}).json()
    assert [city["slug"] for city in body["results"]] == ["uz-capital"]  # Тошкент has no partnership


def test_tashkent_finds_a_city_stored_only_as_toshkent_without_false_friends(db):
    toshkent = CityFactory(slug="uz-1", name_en="", name_native="Тошкент", country="UZ")
    CityFactory(slug="brno", name_en="Brno", country="CZ")
    CityFactory(slug="tashkend-town", name_en="Tashkend", country="UZ")
    CityFactory(slug="parkent", name_en="Parkent", country="UZ")
    assert slugs("tashkent") == ["uz-1"]
    assert slugs("Bern") == []  # "<ｂａｒｎ>" is not "<ｂｒｎａ>"
    assert slugs("Tashkenti") == []  # the key is a whole word
    CityFactory(slug="almaty", name_en="Almaty", country="KZ")
    assert slugs("ata") == []  # a name's letters never match inside a key (almata)
    toshkent.name_native = "Самарқанд"
    toshkent.save()
    assert slugs("tashkent") == []  # recomputed on save
    assert slugs("samarqand") == ["uz-1"]


def test_duplicate_detection_ignores_vowel_keys(db):
    CityFactory(slug="tashkent-a", name_en="Tashkent", country="UZ")
    CityFactory(slug="toshkent-b", name_en="Toshkent", country="UZ")
    assert City.objects.possible_duplicate_ids() == set()  # same key, different names
    assert slugs("tashkent") == ["tashkent-a", "toshkent-b"]


def test_a_hangul_words_romanization_matches_only_at_the_start_of_a_word(db):
    """울란 was romanized "ullan" and met inside 카사블랑카's "kasabeullangka": Casablanca was found
    for Ulaanbaatar's first syllables (new-user probe). The Hangul itself still matches anywhere,
    and a Korean word still finds a city known only by its English name."""
    CityFactory(slug="ulaanbaatar", name_en="Ulaanbaatar", name_ko="울란바토르", country="MN")
    CityFactory(slug="casablanca", name_en="Casablanca", name_ko="카사블랑카", country="MA")
    CityFactory(slug="busan", name_en="Busan", name_ko="", country="KR")
    assert slugs("울란") == ["ulaanbaatar"]
    assert slugs("블랑카") == ["casablanca"]  # inside a Hangul name
    assert slugs("부산") == ["busan"]  # romanized, at the start of the English name
    assert text.search_terms("울란")[0][:2] == ["울란", " ullan"]


def test_kana_keeps_its_sound_marks(db):
    """A kana letter with a sound mark is another letter (プ "pu", フ "fu"): folding dropped the
    mark with the accents, so プサン was searched as フサン, "fusan", and found nothing (adversarial
    probe). The half-width forms fold to the same letters; an accent is still dropped."""
    assert text.fold("プサン") == "プサン"
    assert text.fold("ﾌﾟｻﾝ") == "プサン"
    assert text.fold("ガ") != text.fold("カ")
    # the spacing mark is the combining one typed apart
    assert text.fold("フ゜サン") == text.fold("フ\u309aサン") == "プサン"
    # a mark on no letter is no word: it was read as "`", found inside Bandar Abbas's "bndr`bs" (probe)
    assert text.fold("゜") == text.fold("ﾟ") == text.fold("\u309a") == ""
    assert text.search_terms("゜") == []
    assert text.fold("Valparaíso") == "valparaiso"
    city = CityFactory(slug="kagoshima", name_en="Kagoshima", name_native="鹿児島市", country="JP")
    CityName.objects.create(city=city, name="かごしま")
    city.refresh_search_text()
    assert slugs("かごしま") == ["kagoshima"]
    assert slugs("ｶｺﾞｼﾏ") == slugs("カゴシマ") == ["kagoshima"]  # katakana: the same romanization
    assert slugs("かこしま") == []  # ko, not go


def test_the_migration_refolds_stored_kana(db):
    """Migration 0034 writes again the search text of a city stored with the old fold (the kana's
    sound marks dropped), so its name is found as typed; a city whose text is current is left as it is."""
    from importlib import import_module

    from django.apps import apps
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    migration = import_module("registry.migrations.0034_kana_sound_marks_in_search_text")
    kana = CityFactory(slug="minato", name_en="Harbour Town", name_native="ぷさん", country="JP")
    CityFactory(slug="busan", name_en="Busan", country="KR")
    City.objects.filter(pk=kana.pk).update(search_text="harbour town\nふさん\nfusan\nminato")
    assert slugs("ぷさん") == []
    with CaptureQueriesContext(connection) as queries:
        migration.refresh_changed_search_text(apps, None)
    assert slugs("ぷさん") == ["minato"]
    updates = [query["sql"] for query in queries if query["sql"].startswith("UPDATE")]
    assert len(updates) == 1  # Busan's text is current: not written again


def test_the_ascii_shortcuts_of_the_text_rules_answer_as_the_rules_do():
    """``is_visible``, ``hiding_character`` and ``lone_surrogate`` answer an ASCII text without
    reading it character by character (the imports' usual case): the same answers as the
    character rules, for each ASCII character alone, between spaces and beside a letter."""
    import unicodedata

    def shows(char):
        return (
            not char.isspace()
            and char not in text._BLANK_CHARACTERS
            and unicodedata.category(char) not in text._INVISIBLE_CATEGORIES
        )

    for char in map(chr, range(128)):  # one test, not 128: each case is microseconds
        for sample in (char, f" {char}\t", f"{char}a", char * 3):
            assert text.is_visible(sample) == any(shows(c) for c in sample), repr(sample)
            assert text.hiding_character(sample) is None and text._HIDING_CHARACTERS.search(sample) is None
            assert text.lone_surrogate(sample) is None, repr(sample)
    assert text.is_visible(" \u200b\x7f") is False and text.is_visible("\x00a") is True
    assert text.hiding_character("a\u202eb") == "U+202E RIGHT-TO-LEFT OVERRIDE"
