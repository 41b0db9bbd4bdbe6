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
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = unicodedata.normalize("NFC", stripped).casefold()
    return _SEPARATORS.sub(" ", folded).strip()


def localized(obj, field: str, language: str | None = None) -> str:
    """Return ``obj.<field>_ko`` when the language is Korean and it is filled, else ``<field>_en``."""
    language = (language or get_language() or "en").split("-")[0]
    if language == "ko":
        value = getattr(obj, f"{field}_ko", "")
        if value:
            return value
    return getattr(obj, f"{field}_en", "")
