"""UN M49 regions come from the shipped table and CLDR names, not from typed rows."""

import pytest

from registry import regions


def test_kazakhstan_is_in_central_asia():
    assert regions.region_of("KZ").slug == "asia"
    assert regions.subregion_of("kz").slug == "central-asia"
    assert regions.subregion_of("KZ").code == "143"


def test_region_names_in_english_and_korean():
    central_asia = regions.get_region("central-asia")
    assert central_asia.name("en") == "Central Asia"
    assert central_asia.name("ko") == "중앙 아시아"


def test_latin_america_keeps_its_intermediate_region():
    assert regions.subregion_of("MX").slug == "latin-america-and-the-caribbean"
    assert regions.intermediate_region_of("MX").name("en") == "Central America"


def test_unknown_region_and_country():
    with pytest.raises(KeyError):
        regions.get_region("atlantis")
    assert regions.subregion_of("ZZ") is None
    assert regions.subregion_of("AQ") is None


def test_countries_in_a_subregion():
    assert {"KZ", "KG", "TJ", "TM", "UZ"} == regions.countries_in(regions.get_region("143"))


def test_korean_catalogue_translates_every_message():
    from pathlib import Path

    from babel.messages.pofile import read_po
    from django.conf import settings

    path = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="ko")
    untranslated = [
        message.id
        for message in catalog
        if message.id
        and (message.fuzzy or not (message.string[0] if isinstance(message.id, tuple) else message.string))
    ]
    assert untranslated == []


def test_search_folding_ignores_invisible_characters():
    from registry.text import fold

    assert fold("\u200falmaty") == "almaty"
    assert fold("alm\u200baty\u202e") == "almaty"
    assert fold("Valparaíso") == "valparaiso"
