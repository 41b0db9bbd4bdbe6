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


def test_korean_catalogue_holds_every_message_of_the_code(tmp_path):
    """Every message the code and templates mark is in ``locale/ko`` (so the test above sees it):
    ``makemessages`` run on a copy of the sources adds none. Messages added without it were shown
    in English on Korean pages ("This file is not waiting to be imported…"), and "New" on an
    import's page fell back to a library's Korean, "생성" ("created"), before anything was written
    (new-user probe)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from babel.messages.pofile import read_po
    from django.conf import settings

    base = Path(settings.BASE_DIR)
    for name in ("diplomacy", "registry", "templates", "locale"):
        shutil.copytree(base / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(base / "manage.py", tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ko", "-v0"], cwd=tmp_path, check=True, timeout=120
    )

    def messages(root):
        with (root / "locale" / "ko" / "LC_MESSAGES" / "django.po").open("rb") as handle:
            return {message.id if isinstance(message.id, str) else message.id[0] for message in read_po(handle)}

    assert messages(tmp_path) - messages(base) == set()


def test_search_folding_ignores_invisible_characters():
    from registry.text import fold

    assert fold("\u200falmaty") == "almaty"
    assert fold("alm\u200baty\u202e") == "almaty"
    assert fold("Valparaíso") == "valparaiso"


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/ko"])
def test_the_region_filter_lists_the_regions_in_the_order_of_their_names_in_the_pages_language(
    client, shipped_data, prefix
):
    """helper-92: the Korean cities page listed them in the order of their English names
    (아프리카, 아메리카 대륙, 아시아, 오스트랄라시아, 카리브 제도…), the countries in 가나다 order.
    Each is followed by its number of cities ("Asia (27)"), which the order does not read."""
    import re

    page = client.get(f"{prefix}/cities/", {"show": "all"}).text
    select = re.search(r'<select name="region"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    labels = [label for value, label in re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', select[1])]
    names = [re.fullmatch(r"(.+) \(\d+\)", label)[1] for label in labels]
    assert len(names) > 20 and names == sorted(names)
    assert ("아시아" in names) == (prefix == "/ko")


def test_the_korean_catalogue_calls_a_delegation_by_one_name():
    """A delegation is 대표단 on every Korean page; the delegations' date filter and ordering help
    said 사절단 (helper-106). A trade delegation keeps the set Korean term for one, 무역사절단."""
    from pathlib import Path

    from babel.messages.pofile import read_po
    from django.conf import settings

    with (Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalogue = list(read_po(handle))
    said = [
        message.id
        for message in catalogue
        if "delegation" in str(message.id).lower() and "사절단" in str(message.string).replace("무역사절단", "")
    ]
    assert said == []
    assert sum("대표단" in str(message.string) for message in catalogue) > 10
