"""The "Changes" column of every registry admin's history page (:class:`LabelledHistoryHelper`,
used by :class:`registry.admin_base.RegistryAdmin`), in the words of the change form; split from
:mod:`registry.admin_base` so that neither module passes ~600 lines."""

import dataclasses

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from .dates import iso_partial

EMPTY = "—"  # an empty value (None, "", no related object) in the history


class LabelledHistoryHelper(HistoricalRecordContextHelper):
    """The "Changes" column of every registry admin's history page, in the words of the change
    form: a choice's label ("friendship city → sister city"), a related record's name (also
    for many-to-many fields and records deleted since, via simple-history's ``DeletedObject``),
    "yes"/"no" for a boolean, a date at ISO 8601 to the precision stored beside it in each
    version (``2025-06`` for a month, as the forms and the API write it; it showed ``2025-06-01``
    beside "Precision: month", helper-92), and "—" for an empty value, never "None"."""

    def context_for_delta_changes(self, delta):
        self.versions = (delta.old_record, delta.new_record)  # each side's precision of a date
        return super().context_for_delta_changes(delta)

    def format_delta_change(self, change):
        formatted = super().format_delta_change(change)
        precision = precision_field_of(self.model, change.field)
        versions = getattr(self, "versions", None)
        if precision is None or versions is None:
            return formatted
        old, new = (
            iso_partial(value, getattr(version, precision)) or EMPTY if version is not None else EMPTY
            for value, version in ((change.old, versions[0]), (change.new, versions[1]))
        )
        return dataclasses.replace(formatted, old=old, new=new)

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if isinstance(value, list):
            return ", ".join(self.label(field, item) for item in value) or EMPTY
        return self.label(field, value)

    @staticmethod
    def label(field, value):
        """``value`` of model ``field`` as the change form shows it (``str``)."""
        if value is None or value == "" or (isinstance(value, DeletedObject) and value.pk is None):
            return EMPTY
        if isinstance(value, DeletedObject):  # deleted since: its name in its last history record
            history = getattr(value.model, "history", None)
            last = (
                history.filter(**{value.model._meta.pk.attname: value.pk}).order_by("-history_date").first()
                if history is not None
                else None
            )
            name = str(last.instance) if last is not None else f"#{value.pk}"
            return str(_("%(name)s (deleted)") % {"name": name})
        if field.flatchoices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)


def precision_field_of(model: type[models.Model], name: str) -> str | None:
    """The name of the field holding the precision of ``model``'s date field ``name``, by the
    registry's naming (``established_on`` → ``established_precision``, a stage's ``on`` →
    ``precision``), or ``None`` for a date stored to the day (``expires_on``, an event's
    ``end_on``) or a field that is no date."""
    if not isinstance(model._meta.get_field(name), models.DateField) or not name.endswith("on"):
        return None
    precision = f"{name.removesuffix('on')}precision"
    try:
        model._meta.get_field(precision)
    except FieldDoesNotExist:
        return None
    return precision
