"""The body of a partnership action (``POST /api/v1/partnerships/{id}/suspend/`` and the others):
split from :mod:`registry.api.serializers` so that neither module passes ~600 lines."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy
from rest_framework import serializers

from ..models import Source
from ..models.text_rules import validate_reason
from ..text import given_reason
from .change_reason import CHANGE_REASON_MAX, resolve_change_reason
from .fields import PartialDateField, StrictCharField, StrictSlugRelatedField
from .serializers import SOURCES_HELP


def reason_field(label, help_text: str) -> StrictCharField:
    """An action's reason in one language: optional text of at most ``CHANGE_REASON_MAX``
    characters (the change reason's limit), blank allowed; :meth:`PartnershipActionSerializer.reasons`
    requires one of the two."""
    return StrictCharField(
        label=label,
        max_length=CHANGE_REASON_MAX,
        required=False,
        allow_blank=True,
        validators=[validate_reason],
        help_text=help_text,
    )


class PartnershipActionSerializer(serializers.Serializer):
    """The body of a partnership action (`POST /api/v1/partnerships/{id}/suspend/` and the
    others): `on`, the date of the stage the action records, written to its precision
    (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`; its form sets `precision`), the `reason` (or the
    `X-Change-Reason` header) in English, its Korean text `reason_ko`, one of them or both, and the
    `sources` (slugs) the stage cites."""

    # Parses only: the action's service (services.PARTNERSHIP_ACTIONS) validates and saves; the
    # reason is resolved as change_reason is on every other write (change_reason.resolve_change_reason).

    on = PartialDateField(
        date_field="on",
        precision_field="precision",
        label=capfirst(gettext_lazy("date")),
        help_text="Date of the stage.",
    )
    reason = reason_field(
        gettext_lazy("Reason"),
        "Why, in English; kept on the stage and in the history (the change reason). Given here, "
        "in the `X-Change-Reason` header (given both, they must be equal) or not at all when `reason_ko` "
        "gives the reason in Korean: at least one of the two.",
    )
    reason_ko = reason_field(
        gettext_lazy("Reason (Korean)"),
        "Why, in Korean: kept on the stage (`note_ko`) and in the history (the change reason, "
        "shown on Korean pages); it alone is enough.",
    )
    sources = StrictSlugRelatedField(
        slug_field="slug",
        queryset=Source.objects.all(),
        many=True,
        required=False,
        label=capfirst(Source._meta.verbose_name_plural),
        help_text=SOURCES_HELP,
    )

    def to_internal_value(self, data):
        """The body's values with its reasons (:meth:`reasons`), or one 400 with every error of
        the body together: each unknown field (code ``unknown_field``), as on every write, each
        field's own, and a missing reason. They came one at a time, so a client needed three
        tries to learn the body (new-user probe: ``{"date": …}`` was answered only with
        ``date: Unknown field``, not with the missing ``on`` and reason too)."""
        errors: dict = {}
        if isinstance(data, dict):
            errors = {key: [serializers.ErrorDetail(gettext("Unknown field."), code="unknown_field")] for key in data}
            for name in self.fields:
                errors.pop(name, None)
        values = None
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if not isinstance(error.detail, dict) or not isinstance(data, dict):
                raise
            errors = {**error.detail, **errors}
        if not ({"reason", "reason_ko"} & errors.keys()):
            try:
                reasons = self.reasons(data if values is None else values)
            except serializers.ValidationError as error:
                errors.update(error.detail)
        if errors:
            raise serializers.ValidationError(errors)
        return {**values, **reasons}

    def reasons(self, attrs) -> dict[str, str]:
        """``{"reason": …, "reason_ko": …}``: the English reason from ``attrs`` (the body's values,
        or the raw body when a field has an error) or the ``X-Change-Reason`` header, and the Korean
        one (``reason_ko``), each stripped (``""`` when not given). Raises ``ValidationError`` when
        neither is given, on both fields naming them (code ``required``), or as
        :func:`resolve_change_reason` does (a header and a body that differ)."""
        reasons = {
            "reason": resolve_change_reason(self.context.get("request"), attrs.get("reason"), "reason"),
            "reason_ko": given_reason(attrs.get("reason_ko")),
        }
        if not (reasons["reason"] or reasons["reason_ko"]):
            message = gettext(
                "Give the reason in the body's reason (or the X-Change-Reason header), in its reason_ko, or both."
            )
            error = [serializers.ErrorDetail(message, code="required")]
            raise serializers.ValidationError({"reason": error, "reason_ko": error})
        return reasons
