"""The API's request parser, set once in ``settings.REST_FRAMEWORK``: strict JSON.

DRF's ``JSONParser`` (which already refuses ``NaN`` and ``Infinity``) plus what no record can
hold, refused with 400 naming the member: a string or key with NUL or a lone surrogate
(``\\u0000``, ``\\ud800``; PostgreSQL refuses NUL in text and no database stores a lone
surrogate), nesting deeper than ``MAX_DEPTH`` (no record is deeper than 4 levels; deeper
input would only exhaust the parser's recursion), and an object with a key given twice (code
``repeated_key``: JSON leaves its meaning open, and Python's parser kept the last value silently)."""

from __future__ import annotations

import codecs

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.settings import api_settings
from rest_framework.utils import json

from ..text import UNSTORABLE

MAX_DEPTH = 32


def unstorable(value, path: str = "", depth: int = 0) -> tuple[str, str] | None:
    """The first problem in a parsed JSON ``value``: ``(member path, rule code)``, or ``None``.
    The path is the top-level member (``partner``), which is what the error is keyed by."""
    if depth > MAX_DEPTH:
        return path, "too_deep"
    if isinstance(value, str):
        return (path, "null_characters_not_allowed") if UNSTORABLE.search(value) else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((None, item) for item in value)
    else:
        return None
    for key, item in items:
        member = path or (key if isinstance(key, str) else "")
        if isinstance(key, str) and UNSTORABLE.search(key):
            return "" if not path else path, "null_characters_not_allowed"
        found = unstorable(item, member, depth + 1)
        if found:
            return found
    return None


class RepeatedKey(Exception):
    """A JSON object gives ``key`` (``args[0]``) twice."""


def without_repeated_keys(pairs: list[tuple[str, object]]) -> dict:
    """``object_pairs_hook`` of :class:`StrictJSONParser`: the object's dict, or
    :class:`RepeatedKey` for its first key given twice."""
    result = {}
    for key, value in pairs:
        if key in result:
            raise RepeatedKey(key)
        result[key] = value
    return result


MESSAGES = {
    "null_characters_not_allowed": _("NUL characters and lone surrogates are not allowed."),
    "too_deep": _("JSON nested deeper than %(depth)s levels is not accepted."),
}


def message(code: str) -> str:
    """The message of a rule ``code`` of :data:`MESSAGES`, in the active language."""
    return str(MESSAGES[code]) % {"depth": MAX_DEPTH} if code == "too_deep" else str(MESSAGES[code])


class StrictJSONParser(JSONParser):
    """JSON as DRF parses it; a body that no record could store is a 400 (see module)."""

    def parse(self, stream, media_type=None, parser_context=None):
        # DRF's JSONParser.parse, with the hook that refuses a repeated key.
        try:
            data = json.load(
                codecs.getreader(get_encoding(parser_context or {}))(stream),
                parse_constant=json.strict_constant if self.strict else None,
                object_pairs_hook=without_repeated_keys,
            )
        except RecursionError:
            raise exceptions.ParseError(message("too_deep"), "too_deep") from None
        except RepeatedKey as error:
            key = str(error.args[0])
            if UNSTORABLE.search(key):  # not quoted in the answer (a lone surrogate cannot be encoded: a 500)
                code = "null_characters_not_allowed"
                raise exceptions.ValidationError(
                    {api_settings.NON_FIELD_ERRORS_KEY: [exceptions.ErrorDetail(message(code), code=code)]}
                ) from None
            text = _("JSON parse error - the key “%(key)s” is given twice in one object; give it once.")
            raise exceptions.ParseError(str(text) % {"key": key[:100]}, "repeated_key") from None
        except ValueError as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
        found = unstorable(data)
        if found:
            member, code = found
            key = member if member and not UNSTORABLE.search(member) else api_settings.NON_FIELD_ERRORS_KEY
            raise exceptions.ValidationError({key: [exceptions.ErrorDetail(message(code), code=code)]})
        return data
