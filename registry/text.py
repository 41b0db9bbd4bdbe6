"""Text helpers shared by models, search and fixtures."""

import re
import unicodedata

from django.utils.translation import get_language

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_./,'’()]+")


def fold(text: str) -> str:
    """Fold ``text`` for search: Unicode NFKD, no combining marks, case-folded, and
    hyphens, dots, apostrophes and spaces collapsed to one space.

    ``"Valparaíso"`` → ``"valparaiso"``; ``"Alma-Ata"`` → ``"alma ata"``; ``"İstanbul"`` →
    ``"istanbul"``. Hangul syllables are recomposed (NFC) so ``"알마티"`` stays searchable
    as typed. Returns ``""`` for empty input.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    # Drop combining marks and invisible format characters (RTL marks, zero-width spaces).
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")
    folded = unicodedata.normalize("NFC", stripped).casefold()
    return _SEPARATORS.sub(" ", folded).strip()


# A search uses at most this many words (more only slows the query down, and a few thousand
# would exceed the database's expression depth).
MAX_SEARCH_WORDS = 8


def search_words(query: str) -> list[str]:
    """The folded words of ``query`` that a search matches, at most :data:`MAX_SEARCH_WORDS`."""
    return fold(query[:1000]).split()[:MAX_SEARCH_WORDS]


def localized(obj, field: str, language: str | None = None) -> str:
    """Return ``obj.<field>_ko`` when the language is Korean and it is filled, else ``<field>_en``."""
    language = (language or get_language() or "en").split("-")[0]
    if language == "ko":
        value = getattr(obj, f"{field}_ko", "")
        if value:
            return value
    return getattr(obj, f"{field}_en", "")


def localized_language(obj, field: str, language: str | None = None) -> str:
    """The BCP 47 tag of what :func:`localized` returns for the same arguments: ``ko`` when it
    gives the Korean value, else ``en`` (the English fallback, to be marked ``lang="en"``)."""
    language = (language or get_language() or "en").split("-")[0]
    return "ko" if language == "ko" and getattr(obj, f"{field}_ko", "") else "en"


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
    (``-118.25``, as spreadsheet libraries render decimals)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES):
        if not (numeric_text_is_number and _is_number(cell)):
            return "'" + cell
    return cell


def restore_formula(cell):
    """Undo :func:`neutralise_formula` on a cell read back from an exported file."""
    if isinstance(cell, str) and cell.startswith("'") and cell[1:].startswith(FORMULA_PREFIXES):
        return cell[1:]
    return cell
