"""Text helpers shared by models, search and fixtures."""

import re
import string
import unicodedata

from anyascii import anyascii
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# A URL typed without its scheme ("example.org/report") is read as https://example.org/report in
# every admin form, the guided entry and the API (Django 6's default for forms.URLField, chosen now).
ASSUMED_URL_SCHEME = "https"

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_./,'’()]+")
# The combining voiced and semi-voiced sound marks of kana (dakuten, handakuten): part of the letter.
_KANA_SOUND_MARKS = frozenset("\u3099\u309a")
_SPACING_KANA_SOUND_MARKS = str.maketrans("\u309b\u309c", "\u3099\u309a")


def fold(text: str) -> str:
    """Fold ``text`` for search: Unicode NFKD, no combining marks, case-folded, and
    hyphens, dots, apostrophes and spaces collapsed to one space.

    ``"Valparaíso"`` → ``"valparaiso"``; ``"Alma-Ata"`` → ``"alma ata"``; ``"İstanbul"`` →
    ``"istanbul"``. Hangul syllables are recomposed (NFC) so ``"알마티"`` stays searchable
    as typed, and so is kana with its sound marks: ``"プサン"`` (pusan) stays ``"プサン"``, not
    ``"フサン"`` (fusan), and the half-width ``"ﾌﾟｻﾝ"`` is ``"プサン"``. Returns ``""`` for empty input.
    """
    if not text:
        return ""
    text = str(text)
    if text.isascii():  # NFKD, NFC and the marks change nothing in ASCII; casefold() is lower() there
        return _SEPARATORS.sub(" ", text.lower()).strip()
    # The spacing sound marks (゛ ゜) are the combining ones typed apart: NFKD would make them a space.
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_SPACING_KANA_SOUND_MARKS))
    # Drop combining marks, invisible format characters (RTL marks, zero-width spaces) and the blank
    # letters (a Hangul filler: "Busanㅤ" is searched as "busan", adversarial probe), but
    # keep the kana sound marks, which NFC puts back: "プサン" is not "フサン". A mark NFC joins
    # to no letter is dropped after it.
    stripped = "".join(
        ch
        for ch in decomposed
        if ch in _KANA_SOUND_MARKS
        or (not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf" and ch not in _BLANK_CHARACTERS)
    )
    folded = "".join(ch for ch in unicodedata.normalize("NFC", stripped) if ch not in _KANA_SOUND_MARKS).casefold()
    return _SEPARATORS.sub(" ", folded).strip()


# What shows nothing on a page: spaces and line breaks, format characters (zero-width space and
# joiner, direction marks, the BOM), controls and marks that combine with nothing.
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cf", "Cc", "Mn", "Me"})
# Letters and symbols that show nothing either: the Hangul fillers (default-ignorable code points
# of category Lo, which a Korean keyboard can type) and the blank braille pattern.
_BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# The ASCII characters of those categories: the controls (U+0000-U+001F, U+007F) and the space.
_ASCII_INVISIBLE = "".join(chr(code) for code in range(0x21)) + "\x7f"


def given_reason(reason: str | None) -> str:
    """``reason`` without its surrounding space, or ``""`` when nothing in it shows
    (:func:`is_visible`): the reason a change or a correction needs (the admin's field, the API's
    ``X-Change-Reason``, an action's). A zero-width space passed for one, so a published
    partnership's cities were swapped with no reason at all (adversarial probe)."""
    reason = (reason or "").strip()
    return reason if is_visible(reason) else ""


def is_visible(text: str) -> bool:
    """Whether ``text`` has a character that shows (``"\u200b \u200f"`` has none): the test of
    a required text, e.g. a name (:meth:`registry.models.base.RegistryModel.clean_fields`)."""
    if text.isascii():  # of ASCII, only the space and the controls (Zs, Cc) show nothing
        return bool(text.strip(_ASCII_INVISIBLE))
    return any(
        not char.isspace() and char not in _BLANK_CHARACTERS and unicodedata.category(char) not in _INVISIBLE_CATEGORIES
        for char in text
    )


# Characters that reorder or hide the text around them on a page: the bidirectional embeddings,
# overrides and isolates, the zero-width space and no-break space (the BOM), the word joiner and
# the invisible operators (U+2060-U+2064), the tag characters (U+E0001, U+E0020-U+E007F) and the
# line and paragraph separators, which break a one-line text, and the Hangul fillers, blank
# letters a Korean keyboard types ("Cafeㅤ" beside "Cafe") (adversarial probes: "A\u2061B"
# and "A\U000E0041B" were stored and listed as "AB", beside a real "AB"). A name or a title
# never needs them; the direction marks (U+200E, U+200F) and the joiners (U+200C, U+200D), which
# some scripts need, are not among them.
_HIDING_CHARACTERS = re.compile(
    "[\u202a-\u202e\u2066-\u2069\u200b\ufeff\u2060-\u2064\u2028\u2029\U000e0001\U000e0020-\U000e007f"
    "\u115f\u1160\u3164\uffa0]"
)


def hiding_character(text: str) -> str | None:
    """The first character of ``text`` that reorders or hides the text around it (a
    right-to-left override, U+202E, shows "ytiC" for "City"; a zero-width space, U+200B, splits a
    word unseen), as ``"U+202E RIGHT-TO-LEFT OVERRIDE"``; ``None`` when there is none. The rule of
    a short text (a name, a title: :meth:`registry.models.base.RegistryModel.clean_fields`)."""
    if text.isascii():  # every one of them is outside ASCII (a name's usual case: no search)
        return None
    found = _HIDING_CHARACTERS.search(text)
    if found is None:
        return None
    char = found.group()
    return f"U+{ord(char):04X} {unicodedata.name(char, '')}".strip()


# Characters no column can store: NUL (PostgreSQL refuses it in text) and lone UTF-16
# surrogates (not encodable as UTF-8). Refused in every request's parameters
# (:mod:`registry.middleware`), in the API's JSON (:mod:`registry.api.parsers`) and, for a
# surrogate, in every text a record stores (:func:`lone_surrogate`); NUL is a control character.
_SURROGATES = "\ud800-\udfff"
UNSTORABLE = re.compile(f"[\x00{_SURROGATES}]")
_LONE_SURROGATE = re.compile(f"[{_SURROGATES}]")


def lone_surrogate(text: str) -> str | None:
    """The first lone surrogate of ``text`` (half of a UTF-16 pair, which only a program can
    put in a string) as ``"U+D800"``, or ``None``."""
    if text.isascii():  # a surrogate is outside ASCII (a name's usual case: no search)
        return None
    found = _LONE_SURROGATE.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


_CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_CHARACTERS_IN_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(text: str, *, lines: bool = False) -> str | None:
    """The first control character of ``text`` (C0 or C1: U+0001, U+007F, U+0085…) as
    ``"U+0001"``, or ``None``; with ``lines`` (a long text) tabs and line breaks are allowed. The
    rule of every text a record stores (:meth:`registry.models.base.RegistryModel.clean_fields`):
    an Atom feed cannot carry one, so a summary holding U+0001 made ``/feed.atom`` a 500 for
    everyone, and the CSV export carried it raw (adversarial probe)."""
    found = (_CONTROL_CHARACTERS_IN_LINES if lines else _CONTROL_CHARACTERS).search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


# A search uses at most this many words (more only slows the query down, and a few thousand
# would exceed the database's expression depth).
MAX_SEARCH_WORDS = 8


def search_words(query: str) -> list[str]:
    """The folded words of ``query`` that a search matches, at most :data:`MAX_SEARCH_WORDS`."""
    return fold(query[:1000]).split()[:MAX_SEARCH_WORDS]


def typed_word_forms(query: str) -> list[list[str]]:
    """For each word of ``query`` (split at the separators :func:`fold` collapses; at most
    :data:`MAX_SEARCH_WORDS` of its first 1,000 characters), the word as typed (NFC) and folded,
    for columns stored as typed: ``"Almatý, Valparaíso"`` → ``[["Almatý", "almaty"],
    ["Valparaíso", "valparaiso"]]``. Words that fold to nothing (punctuation, invisible
    characters) are left out, so a query of only those has none."""
    words = (unicodedata.normalize("NFC", word) for word in _SEPARATORS.split(query[:1000]))
    forms = [list(dict.fromkeys((word, folded))) for word in words if (folded := fold(word))]
    return forms[:MAX_SEARCH_WORDS]


def transliterate(text: str) -> str:
    """``text`` folded (:func:`fold`) after transliteration into ASCII with anyascii, so names
    and queries in different scripts meet: ``"Алма-Ата"`` → ``"alma ata"``, ``"Ташкент"`` →
    ``"tashkent"``, ``"알마티"`` → ``"almati"``, ``"大阪"`` → ``"daban"`` (anyascii's readings,
    character by character: not a translation). Returns ``""`` for empty input."""
    return _folded_forms(text)[1]


def _folded_forms(text: str) -> tuple[str, str]:
    """``text`` folded (:func:`fold`) and transliterated (:func:`transliterate`), the second made
    from the first: what search stores and compares of one name or word, folded once."""
    folded = fold(text)
    return folded, fold(anyascii(folded))


def stored_text(text: str, *, lines: bool = False) -> str:
    """``text`` as the registry stores it: in Unicode's composed form (NFC), so what shows the
    same is one string whatever the keyboard sent (Hangul typed as separate jamo, kana followed by
    a separate sound mark, ``e`` and a combining accent); with ``lines`` (a long text), its line
    breaks as ``\n`` (:func:`one_line_ending`); without spaces or line breaks before or after it
    (``str.strip``), as Django's forms (``strip``) and DRF (``trim_whitespace``) read a text: an
    import kept ``"  pad  "``, which the admin then showed changed on a save that changed nothing
    (helper-91). The rule of every stored text
    (:meth:`registry.models.base.RegistryModel.compose_texts`) and of what the admin's forms read."""
    text = unicodedata.normalize("NFC", text)
    return (one_line_ending(text) if lines else text).strip()


def one_line_ending(text: str) -> str:
    """``text`` with every line break as ``\n`` (``\r\n``, which browsers send from a text
    area, and a lone ``\r``, become ``\n``): how the registry stores a long text."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def slug_of(text: str, max_length: int = 120) -> str:
    """The URL slug a record's name gives (a ``str`` of ASCII letters, digits and hyphens, at most
    ``max_length`` characters; ``""`` when nothing is left): transliterated with anyascii first,
    so a letter of another script is not dropped: ``"Аlmaty"`` (a Cyrillic А) → ``"almaty"``
    (Django's ``slugify`` alone gave ``"lmaty"``; adversarial probe), ``"Almatý"`` → ``"almaty"``,
    ``"부산"`` → ``"busan"``."""
    return slugify(anyascii(text or ""))[:max_length].strip("-")


#: The refusals of a slug made from a record's name (:func:`slug_of`), in the API (on ``slug``,
#: ``field`` the API field's name) and the admin (``field`` the field's label) alike: a name that
#: gives none (``%_``: it said "This field cannot be blank." about a slug never sent), and one
#: another record of the model holds (it said "City with this Slug already exists.").
NAME_GIVES_NO_SLUG = _("“%(name)s” (%(field)s) has no letter or digit to make a slug of: give a slug of your own.")
MADE_SLUG_TAKEN = _(
    "“%(slug)s”, the slug made from %(field)s, is already another %(model)s's: give a slug of your own."
)


def search_forms(text: str) -> list[str]:
    """The forms of ``text`` that search compares: :func:`fold` and, when it differs,
    :func:`transliterate` (``"Тошкент"`` → ``["тошкент", "toshkent"]``); none for empty text."""
    return _distinct_forms(_folded_forms(text))


def _distinct_forms(forms: tuple[str, str]) -> list[str]:
    """The folded form and the transliteration of :func:`_folded_forms`, the second only when it
    differs, without an empty one."""
    return [form for form in dict.fromkeys(forms) if form]


# A word's vowel-folded key is compared only for words of at least this many letters: shorter
# ones ("ata", "new") would meet too many others once their vowels are gone.
VOWEL_KEY_MIN_LETTERS = 4
_VOWEL_RUNS = re.compile(r"[aeiouy]+")
_REPEATS = re.compile(r"(.)\1+")
# Keys are written in fullwidth Latin letters (U+FF41…): :func:`fold` applies NFKD, which turns
# them into ASCII, so no folded name or query word ever contains one, and a key line is never
# matched by a name's letters ("ata" inside the key of "almaty"), nor a name line by a key.
_FULLWIDTH = str.maketrans(string.ascii_lowercase, "".join(chr(0xFF41 + i) for i in range(26)))


def vowel_key(word: str) -> str:
    """The vowel-folded key of one word, wrapped in ``<…>`` so that it only ever matches a whole
    word: the word transliterated (:func:`transliterate`), each run of vowels (a e i o u y)
    replaced by one ``a``, doubled letters made single, in fullwidth letters (see ``_FULLWIDTH``).
    ``"Тошкент"`` and ``"tashkent"`` both give ``"<ｔａｓｈｋａｎｔ>"`` (tashkant), ``"Kyiv"`` and
    ``"Kiev"`` kav; ``"tashkend"`` (tashkand) and ``"Brno"``/``"Bern"`` (brna/barn) stay apart.
    ``""`` for a word of fewer than :data:`VOWEL_KEY_MIN_LETTERS` ASCII letters once
    transliterated, or with other characters."""
    return _vowel_key_of_transliterated(transliterate(word))


def _vowel_key_of_transliterated(ascii_word: str) -> str:
    """:func:`vowel_key` of a word already transliterated (:func:`transliterate` gives it again:
    folded ASCII is its own transliteration)."""
    if len(ascii_word) < VOWEL_KEY_MIN_LETTERS or not (ascii_word.isascii() and ascii_word.isalpha()):
        return ""
    return "<" + _REPEATS.sub(r"\1", _VOWEL_RUNS.sub("a", ascii_word)).translate(_FULLWIDTH) + ">"


def vowel_keys(name: str) -> str:
    """The :func:`vowel_key` of every word of ``name`` run together (``"Tashkent City"`` →
    tashkant and caty), the line :func:`search_text` stores for it; ``""`` when none."""
    return _vowel_keys_of_transliterated(transliterate(name))


def _vowel_keys_of_transliterated(transliterated: str) -> str:
    """:func:`vowel_keys` of a name already transliterated (:func:`transliterate`)."""
    return "".join(dict.fromkeys(_vowel_key_of_transliterated(word) for word in transliterated.split()))


def is_vowel_key_line(line: str) -> bool:
    """Whether a line of a stored search text is a line of :func:`vowel_keys` (not a name)."""
    return line.startswith("<")


def search_text(names) -> str:
    """The stored search column of a record named ``names`` (strings; empty ones skipped):
    every :func:`search_forms` of every name, then the :func:`vowel_keys` of every name, one per
    line, without repeats (a name line never starts with ``<``; see :func:`is_vowel_key_line`)."""
    folded = [_folded_forms(name) for name in names if name]  # each name folded once, not eleven times
    forms = [form for pair in folded for form in _distinct_forms(pair)]
    keys = [keys for keys in (_vowel_keys_of_transliterated(transliterated) for _f, transliterated in folded) if keys]
    return "\n".join(dict.fromkeys([*forms, *keys]))


# Scripts whose letters are whole syllables (or words): their transliteration runs syllables
# together, so inside another name it meets a run of letters that crosses syllables ("울란",
# ullan, inside 카사블랑카's kasabeullangka).
_SYLLABIC_SCRIPTS = ("HANGUL", "CJK", "HIRAGANA", "KATAKANA")


def is_syllabic(word: str) -> bool:
    """Whether ``word`` has a letter of a syllabic or ideographic script (Hangul, Han, kana)."""
    return any(unicodedata.name(char, "").startswith(_SYLLABIC_SCRIPTS) for char in word)


def search_terms(query: str) -> list[list[str]]:
    """For each of the :func:`search_words` of ``query``, the forms a match may contain: the
    folded word, its transliteration and its :func:`vowel_key` when it has one (``"Алма-Ата"`` →
    ``[["алма", "alma", "<ａｌｍａ>"], ["ата", "ata"]]``). A row matches when, for every word, its
    search text contains one of that word's forms. The transliteration of a word in a syllabic
    script (:func:`is_syllabic`) is given with a leading space, ``" ullan"`` for ``"울란"``: it
    matches only at the start of a word of the search text (``"부산"`` finds "busan", ``"울란"``
    not "kasabeullangka")."""
    terms = []
    for word in search_words(query):
        forms = search_forms(word)
        if is_syllabic(word):
            forms = [form if form == fold(word) else f" {form}" for form in forms]
        terms.append([*forms, *filter(None, [vowel_key(word)])])
    return terms


def localized(obj, field: str, language: str | None = None, *, either: bool = False) -> str:
    """Return ``obj.<field>_ko`` when the language is Korean and it is filled, else the English
    column: ``<field>_en``, or ``<field>`` itself where the English column kept its name (a
    signatory's ``role`` beside ``role_ko``, so that the API's field names stay as they were).

    ``either``: a text that may be given in Korean alone (an action's reason and a stage's note,
    :func:`registry.services.partnerships._require_reason` takes either language) is shown in
    Korean on every page when its English column is empty, instead of nothing; a caller that
    passes it marks the text's language with :func:`localized_language` (the same ``either``).
    Found by helper-97: a suspension recorded with a Korean reason alone showed no reason."""
    language = (language or get_language() or "en").split("-")[0]
    korean = getattr(obj, f"{field}_ko", "")
    if language == "ko" and korean:
        return korean
    english = getattr(obj, f"{field}_en") if hasattr(obj, f"{field}_en") else getattr(obj, field, "")
    return english or korean if either else english


def localized_ordering(model, ordering, language: str | None = None) -> list:
    """``ordering`` (field names, ``-`` for descending) as the reader sees the names: on Korean
    pages each English column that has a Korean partner (``name_en`` beside ``name_ko``) sorts
    by the Korean value where it is filled, else the English one (:func:`localized`'s rule),
    so 가나다 order on /ko/. Other languages and other fields: the names unchanged."""
    language = (language or get_language() or "en").split("-")[0]
    if language != "ko":
        return list(ordering)
    result = []
    for item in ordering:
        name = item.lstrip("-") if isinstance(item, str) else ""
        if not name.endswith("_en"):
            result.append(item)
            continue
        try:
            model._meta.get_field(f"{name.removesuffix('_en')}_ko")
        except FieldDoesNotExist:
            result.append(item)
            continue
        shown = Coalesce(NullIf(F(f"{name.removesuffix('_en')}_ko"), Value("")), F(name))
        result.append(shown.desc() if item.startswith("-") else shown.asc())
    return result


def localized_language(obj, field: str, language: str | None = None, *, either: bool = False) -> str:
    """The BCP 47 tag of what :func:`localized` returns for the same arguments: ``ko`` when it
    gives the Korean value, else ``en`` (the English fallback, to be marked ``lang="en"``)."""
    language = (language or get_language() or "en").split("-")[0]
    if not getattr(obj, f"{field}_ko", ""):
        return "en"
    if language == "ko":
        return "ko"
    return "ko" if either and not localized(obj, field, "en") else "en"


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The first characters of a text that neutralise_formula may change (each prefix is one character).
_FORMULA_FIRST = frozenset("".join(FORMULA_PREFIXES) + "'")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def neutralise_formula(cell, *, numeric_text_is_number: bool = False):
    """A spreadsheet cell made safe: text that a spreadsheet would run as a formula gets a
    leading ``'`` (``=HYPERLINK(...)`` → ``'=HYPERLINK(...)``). Non-text values are returned
    unchanged; with ``numeric_text_is_number`` so is text that is a plain number
    (``-118.25``, as spreadsheet libraries render decimals). Text that already starts with
    apostrophes before such a character (``'=' marks …``) gets one more, so that
    :func:`restore_formula` gives it back as it was (it lost its apostrophe on a re-import;
    adversarial probe)."""
    if not isinstance(cell, str) or not cell or cell[0] not in _FORMULA_FIRST:
        return cell  # most cells: one test (an export calls this for each of millions of cells)
    if cell.startswith(FORMULA_PREFIXES) and not (numeric_text_is_number and _is_number(cell)):
        return "'" + cell
    if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_PREFIXES):
        return "'" + cell
    return cell


def restore_formula(cell):
    """Undo :func:`neutralise_formula` on a cell read back from an exported file: one leading
    apostrophe less on text whose apostrophes stand before ``=``, ``+``, ``-``, ``@`` or the rest
    of ``FORMULA_PREFIXES``."""
    if isinstance(cell, str) and cell.startswith("'") and cell[1:].lstrip("'").startswith(FORMULA_PREFIXES):
        return cell[1:]
    return cell
