"""The reason of an API write: the body's field (``change_reason`` on every write, ``reason`` on a
partnership action) or the ``X-Change-Reason`` request header — the one home of that rule
(:func:`resolve_change_reason`), called by ``RegistrySerializer`` and ``PartnershipActionSerializer``.

The header's encoding (documented in the OpenAPI, :data:`HEADER_DESCRIPTION`): UTF-8, either as
raw bytes, or percent-encoded after ``UTF-8''`` as in RFC 8187 (``UTF-8''Typo%20%ED%95%9C``), for
clients that send only ASCII headers. Bytes that are not UTF-8 and control characters (U+0000–U+001F,
U+007F–U+009F) are refused (400), never stored as mojibake.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote_to_bytes

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from ..models.text_rules import validate_reason

# Longest change reason a write may give (the body's ``change_reason``, the ``X-Change-Reason``
# header, an action's ``reason``), as the admin's "Reason for the change" field.
CHANGE_REASON_MAX = 2000
HEADER = "X-Change-Reason"
# RFC 8187 ext-value with the UTF-8 charset and no language: UTF-8''<attr-char or %XX>*
EXTENDED = re.compile(r"UTF-8''((?:[A-Za-z0-9!#$&+.^_`|~-]|%[0-9A-Fa-f]{2})*)\Z", re.IGNORECASE | re.ASCII)
HEADER_DESCRIPTION = (
    f"Why this change is made, kept in the record's history (at most {CHANGE_REASON_MAX} characters); the same as "
    "the body's `change_reason` (an action's `reason`): give either, or both equal. UTF-8, as raw bytes or "
    "percent-encoded after `UTF-8''` (RFC 8187: `UTF-8''%ED%95%9C%EA%B8%80` is 한글); bytes that are not UTF-8 "
    "and control characters are refused (400)."
)


def error(field: str, message: str, code: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [serializers.ErrorDetail(message, code)]})


def header_reason(request, field: str) -> str:
    """The ``X-Change-Reason`` header of ``request`` as text, stripped (``""`` without one).

    The server hands header bytes over as Latin-1 text (PEP 3333); they are read back as UTF-8,
    or, after ``UTF-8''``, percent-decoded as UTF-8. Raises ``ValidationError`` on ``field``
    (400) with code ``header_encoding`` (not UTF-8, or a malformed ``UTF-8''`` value) or
    ``control_character``."""
    raw = request.META.get("HTTP_X_CHANGE_REASON", "") if request is not None else ""
    raw = raw.strip(" \t")  # HTTP's whitespace only: str.strip() would also take U+0085, a UTF-8 byte
    if not raw:
        return ""
    extended = EXTENDED.match(raw)
    try:
        if extended:
            text = unquote_to_bytes(extended.group(1)).decode("utf-8")
        elif raw.lower().startswith("utf-8''"):
            raise ValueError
        else:
            text = raw.encode("latin-1").decode("utf-8")
    except (UnicodeError, ValueError):
        message = f"The {HEADER} header is not UTF-8 text (raw, or percent-encoded after UTF-8'' as in RFC 8187)."
        raise error(field, message, "header_encoding") from None
    if any(unicodedata.category(character) == "Cc" for character in text):
        raise error(field, f"The {HEADER} header contains a control character.", "control_character")
    return text.strip()


def resolve_change_reason(request, body: str | None, field: str = "change_reason") -> str:
    """The reason of this write: ``body`` (the body's ``field``) or the ``X-Change-Reason`` header,
    stripped (``""`` without either). Both are limited to :data:`CHANGE_REASON_MAX` characters;
    given both, they must be equal. Raises ``ValidationError`` on ``field`` (400): codes
    ``change_reason_differs``, ``max_length`` and those of :func:`header_reason`."""
    header = header_reason(request, field)
    body = (body or "").strip()
    if header and body and header != body:
        message = f"The body's {field} and the {HEADER} header differ: give one, or both equal."
        raise error(field, message, "change_reason_differs")
    if len(header) > CHANGE_REASON_MAX:
        message = f"Ensure the {HEADER} header has no more than {CHANGE_REASON_MAX} characters."
        raise error(field, message, "max_length")
    try:
        validate_reason(header)  # the body's is its field's validator
    except DjangoValidationError as refused:
        raise error(field, f"The {HEADER} header: {refused.messages[0]}", refused.code) from None
    return body or header
