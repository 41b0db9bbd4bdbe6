"""Writes that touch several tables, each inside one transaction.

Called by the API (and usable by imports and management commands). Every function validates
with the model's ``full_clean()`` before saving, so the database constraints are reported as
validation errors on their fields; a race that still trips a constraint raises ``IntegrityError``
and the transaction rolls back whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction


@transaction.atomic
def save_record(*, instance: models.Model, data: Mapping[str, Any]) -> models.Model:
    """Set ``data`` on ``instance`` and save it with its many-to-many relations.

    ``data`` maps field names to values; values of many-to-many fields (e.g. ``sources``,
    ``fields``, ``parties``) are iterables of related rows and replace the current set.
    The row is validated with ``full_clean()`` first; nothing is saved if any part fails.
    """
    many_names = {field.name for field in instance._meta.many_to_many}
    many: dict[str, Iterable[models.Model]] = {}
    for name, value in data.items():
        if name in many_names:
            many[name] = value
        else:
            setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    for name, rows in many.items():
        getattr(instance, name).set(rows)
    return instance


@transaction.atomic
def delete_record(*, instance: models.Model) -> None:
    """Delete ``instance``; rows that others refer to raise ``ProtectedError`` and stay."""
    instance.delete()
