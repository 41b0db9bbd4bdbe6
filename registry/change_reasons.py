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
from django.utils.translation import get_language, gettext, gettext_noop, override

# An action's change, with the reason its author gave (services.partnerships.STAGE_CHANGES).
SIGNED = gettext_noop("Signed: %(reason)s")
ENDED = gettext_noop("Ended: %(reason)s")
SUSPENDED = gettext_noop("Suspended: %(reason)s")
RESUMED = gettext_noop("Resumed: %(reason)s")
RENEWED = gettext_noop("Renewed: %(reason)s")
UPGRADED = gettext_noop("Upgraded: %(reason)s")
# The same, given the reason in both languages (the action's ``reason`` and ``reason_ko``): stored
# with both, shown with the reader's (:data:`IN_BOTH`, :func:`action_written`).
SIGNED_IN_BOTH = gettext_noop("Signed: %(reason)s (in Korean: %(reason_ko)s)")
ENDED_IN_BOTH = gettext_noop("Ended: %(reason)s (in Korean: %(reason_ko)s)")
SUSPENDED_IN_BOTH = gettext_noop("Suspended: %(reason)s (in Korean: %(reason_ko)s)")
RESUMED_IN_BOTH = gettext_noop("Resumed: %(reason)s (in Korean: %(reason_ko)s)")
RENEWED_IN_BOTH = gettext_noop("Renewed: %(reason)s (in Korean: %(reason_ko)s)")
UPGRADED_IN_BOTH = gettext_noop("Upgraded: %(reason)s (in Korean: %(reason_ko)s)")
#: An action's change with both reasons → its change with one, as a reader is shown it: the
#: reason in the reader's language (:func:`shown`).
IN_BOTH = {
    SIGNED_IN_BOTH: SIGNED,
    ENDED_IN_BOTH: ENDED,
    SUSPENDED_IN_BOTH: SUSPENDED,
    RESUMED_IN_BOTH: RESUMED,
    RENEWED_IN_BOTH: RENEWED,
    UPGRADED_IN_BOTH: UPGRADED,
}
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

# Those with both reasons first: "Suspended: %(reason)s" matches them too.
TEMPLATES = (
    *IN_BOTH,
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


def action_written(template: str, reason: str, reason_ko: str) -> str:
    """The change reason of an action (``template``: :data:`SIGNED` … :data:`UPGRADED`) as
    :func:`written` stores it, with what its author typed: ``reason`` (English) and ``reason_ko``
    (Korean), either of which may be empty (not both). Given both, the template of :data:`IN_BOTH`
    keeps both ("Suspended: Budget freeze (in Korean: 예산 동결)"), and :func:`shown` gives each
    reader the reason in their language ("중단: 예산 동결" on the Korean history page); given one,
    that one ("Suspended: 예산 동결", shown so on both pages). The Korean history page read
    "중단: Budget freeze" for a reason given in both, and a Korean-only reason was lost (helper-97)."""
    reason, reason_ko = (reason or "").strip(), (reason_ko or "").strip()
    if reason and reason_ko:
        both = next(key for key, value in IN_BOTH.items() if value == template)
        return written(both, reason=reason, reason_ko=reason_ko)
    return written(template, reason=reason or reason_ko)


def shown(reason: str | None) -> str | None:
    """A stored change reason in the active language: one the registry wrote from a template of
    :data:`TEMPLATES`, in any of ``settings.LANGUAGES`` (those stored in the author's language
    before :func:`written`), is written again in the reader's, with the same values; anything else
    (a reason a person typed, ``None``) is returned as stored. An action's change with both
    reasons (:data:`IN_BOTH`) is shown with the one in the reader's language."""
    if not reason:
        return reason
    for template, pattern in _patterns():
        match = pattern.fullmatch(reason)
        if match and template in IN_BOTH:  # the reason in the reader's language
            korean = (get_language() or "").split("-")[0] == "ko"
            return gettext(IN_BOTH[template]) % {"reason": match["reason_ko" if korean else "reason"]}
        if match:
            return gettext(template) % match.groupdict()
    return reason


# What each placeholder of :data:`TEMPLATES` matches in a stored reason: a version number, a time
# as ``registry.dates.time_label`` writes it (``2026-12-06 16:46 KST``, the same in every
# language); a file name any text but its quotes; a reason any text. A typed reason that only
# began as a template ("Reverted to version 2 of yesterday. Also fixed typos.") was read as one
# and garbled (helper-95).
PLACEHOLDERS = {
    "version": r"[0-9]+",
    "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}(?: [^ ]+)?",
    "url": r"[^ ]+",
    "retrieved": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    # A file's name between its quotes: "Imported from the file “a.csv” and fixed “b”" is typed
    # (helper-100: it read in Korean as "파일 “a.csv” and fixed “b”에서 가져옴").
    "file": r"[^“”]*",
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
