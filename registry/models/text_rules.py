"""The rule of every stored text and of a change reason: which characters a text may hold.

A record's texts are checked by :meth:`registry.models.base.RegistryModel.clean_fields`
through :func:`check_text`; a change reason, wherever it is typed, by :func:`validate_reason`.
The characters themselves are told apart in :mod:`registry.text`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..text import control_character, hiding_character, lone_surrogate


def check_text(value: str, *, lines: bool, hiding: bool) -> None:
    """Refuse a text no page or file shows as typed, with a ``ValidationError`` naming the
    character: a lone surrogate (code ``lone_surrogate``), a control character (``control_character``;
    with ``lines``, tabs and line breaks allowed) and, unless ``hiding``, a character that hides
    or reorders the text around it (``hiding_character``: a right-to-left override shows "ytiC"
    for "City"). The rule of every text a record stores (:meth:`RegistryModel.clean_fields`: a
    long text with ``lines`` and ``hiding``, a short one with neither) and of a change reason
    (:func:`validate_reason`)."""
    if surrogate := lone_surrogate(value):
        message = _("The text holds a lone surrogate (%(character)s), half of a character: remove it.")
        raise ValidationError(message, code="lone_surrogate", params={"character": surrogate})
    if control := control_character(value, lines=lines):
        message = _("The text holds the control character %(character)s, which no page or file shows: remove it.")
        raise ValidationError(message, code="control_character", params={"character": control})
    if not hiding and (hidden := hiding_character(value)):
        message = _(
            "The text holds the invisible character %(character)s, which hides or reorders the "
            "text around it: remove it."
        )
        raise ValidationError(message, code="hiding_character", params={"character": hidden})


def validate_reason(value: str) -> None:
    """The validator of a change reason wherever it is typed (the admin's “Reason for the change”
    and an action's reasons, the API's ``change_reason``, ``reason``, ``reason_ko`` and
    ``X-Change-Reason``): :func:`check_text` with line breaks allowed and no character that
    hides or reorders the text, as a history line shows it (a reason holding U+0007 or a
    right-to-left override was stored, helper-110). Raises ``ValidationError``."""
    check_text(value, lines=True, hiding=False)
