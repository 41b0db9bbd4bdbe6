"""The change reasons the registry writes itself into a record's history (django-simple-history's
``history_change_reason``): an action's "Upgraded: …", a revert, a restore, an import, a Wikidata
proposal taken. The one home of their texts and of the language they are kept in.

They are stored in the registry's language of record, ``settings.LANGUAGE_CODE`` (English),
whoever acts (:func:`written`), and shown in the reader's language (:func:`shown`), as every other
word of the history page is: a Korean manager's upgrade was stored as "격상: …" and read so on the
English page (helper-92). A reason a person typed (the admin's "Reason for the change", the API's
``change_reason``) is kept and shown as typed, unless it is in the very words of one of these
texts ("Upgraded: new agreement"), which say the same in every language.
"""

from __future__ import annotations

import functools
import re

from django.conf import settings
from django.utils.translation import gettext, gettext_noop, override

# An action's change, with the reason its author gave (services.partnerships.STAGE_CHANGES).
SIGNED = gettext_noop("Signed: %(reason)s")
ENDED = gettext_noop("Ended: %(reason)s")
SUSPENDED = gettext_noop("Suspended: %(reason)s")
RESUMED = gettext_noop("Resumed: %(reason)s")
RENEWED = gettext_noop("Renewed: %(reason)s")
UPGRADED = gettext_noop("Upgraded: %(reason)s")
# A record saved as one of its earlier versions without a reason (the admin's history page).
REVERTED = gettext_noop("Reverted to version %(version)s of %(date)s.")
# A deleted record brought back (services.records.restore_deleted).
RESTORED = gettext_noop("Restored after deletion")
# Each record a spreadsheet import writes, with the file's name as uploaded.
IMPORTED = gettext_noop("Imported from the file “%(file)s”")
# A partnership made from a Wikidata proposal, and a date taken from one with the manager's reason
# (services.wikidata), with the statement's address and the day the file was retrieved.
ACCEPTED_FROM_WIKIDATA = gettext_noop("Accepted from Wikidata (%(url)s, retrieved %(retrieved)s).")
TAKEN_FROM_WIKIDATA = gettext_noop("%(reason)s (Wikidata: %(url)s, retrieved %(retrieved)s)")

TEMPLATES = (
    SIGNED,
    ENDED,
    SUSPENDED,
    RESUMED,
    RENEWED,
    UPGRADED,
    REVERTED,
    RESTORED,
    IMPORTED,
    ACCEPTED_FROM_WIKIDATA,
    TAKEN_FROM_WIKIDATA,
)


def written(template: str, **params: object) -> str:
    """``template`` (one of :data:`TEMPLATES`) with ``params``, in the language of record
    (``settings.LANGUAGE_CODE``), as it is stored whatever the active language. A callable
    value is called in that language (a date's label: ``lambda: time_label(day)``)."""
    with override(settings.LANGUAGE_CODE):
        return gettext(template) % {name: value() if callable(value) else value for name, value in params.items()}


def shown(reason: str | None) -> str | None:
    """A stored change reason in the active language: one the registry wrote from a template of
    :data:`TEMPLATES`, in any of ``settings.LANGUAGES`` (those stored in the author's language
    before :func:`written`), is written again in the reader's, with the same values; anything else
    (a reason a person typed, ``None``) is returned as stored."""
    if not reason:
        return reason
    for template, pattern in _patterns():
        match = pattern.fullmatch(reason)
        if match:
            return gettext(template) % match.groupdict()
    return reason


# What each placeholder of :data:`TEMPLATES` matches in a stored reason: a version number, a time
# as ``registry.dates.time_label`` writes it (``2026-12-06 16:46 KST``, the same in every
# language); a reason or a file name is any text. A typed reason that only began as a template
# ("Reverted to version 2 of yesterday. Also fixed typos.") was read as one and garbled (helper-95).
PLACEHOLDERS = {
    "version": r"[0-9]+",
    "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}(?: [^ ]+)?",
    "url": r"[^ ]+",
    "retrieved": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
}


@functools.cache
def _patterns() -> list[tuple[str, re.Pattern]]:
    """Each template of :data:`TEMPLATES` as a pattern, in each language of the site, each
    placeholder matching what :data:`PLACEHOLDERS` says (any text for one it does not name)."""
    patterns = []
    for code, _name in settings.LANGUAGES:
        with override(code):
            for template in TEMPLATES:
                text = re.escape(gettext(template))
                text = re.sub(r"%\\\((\w+)\\\)s", lambda m: f"(?P<{m[1]}>{PLACEHOLDERS.get(m[1], '.*')})", text)
                patterns.append((template, re.compile(text, re.DOTALL)))
    return patterns
