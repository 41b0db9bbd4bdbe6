"""Optimistic locking: an edit based on an older version of a record is refused.

Every registry row has a ``version`` that each save raises by one
(:meth:`registry.models.RegistryModel.save`). An editor says which version it started from
(the admin form in a hidden field; an API client with ``If-Match``, whose record ETags name
the version: :func:`registry.api.views_base.record_etag`); :func:`check_version` locks the row
and raises :class:`VersionConflict` if someone saved it since, with what they changed
(read from the change history).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _

from .dates import time_label


@dataclass
class Change:
    """One field someone else changed: its label and the values before and after (as stored,
    ``None`` for none)."""

    field: str
    old: object
    new: object


@dataclass
class VersionConflict(Exception):
    """Raised when ``expected`` is not the row's ``current`` version.

    ``changes`` lists the fields changed since ``expected``; ``changed_by`` names each author of
    a save since, first to last (user names; empty when the history names none) and
    ``changed_at`` the last save (``None`` when the history does not say).
    """

    expected: int
    current: int
    changes: list[Change] = field(default_factory=list)
    changed_by: tuple[str, ...] = ()
    changed_at: object = None
    #: The user name of the account whose write was refused: among the authors it is "you".
    reader: str | None = None

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        """The explanation for an editor in the admin: who changed what, and to reload the page."""
        return self.explain(_("Reload the page to edit the current version."))

    @property
    def api_message(self) -> str:
        """The explanation for a program (the API's 412): who changed what, and to read the record again."""
        return self.explain(_("Read the record again (GET) for its current version and ETag."))

    @property
    def never_existed(self) -> bool:
        """Whether ``expected`` is later than the stored version: no save ever made it (versions
        count up from 1), so nobody changed the record "meanwhile" (a tag edited by hand, a form
        field altered, a tag of another record)."""
        return self.expected > self.current

    def explain(self, advice: str) -> str:
        """Who changed the record and when, the fields they changed (an empty value as “(empty)”),
        then ``advice``; for a version that never existed (:attr:`never_existed`), that it never
        did, and ``advice``."""
        if self.never_existed:
            return _(
                "This record never had version %(expected)d (its current version is %(current)d), so your "
                "changes were not saved. %(advice)s"
            ) % {"expected": self.expected, "current": self.current, "advice": advice}
        if not self.changed_by:
            who = _("someone else")
        elif self.changed_by == (self.reader,):  # the reader's own save (another window, a program)
            who = _("you (in another window or program)")
        else:
            who = ", ".join(_("you") if name == self.reader else name for name in self.changed_by)
        when = time_label(self.changed_at) if self.changed_at else ""
        if not self.changes and self.changed_at is None:  # no history says who or what (rows written in bulk)
            return _(
                "This record was saved by someone else after you read it, so your changes were not saved. %(advice)s"
            ) % {"advice": advice}
        if not self.changes:  # saved since, its values back to those read: "Their changes: no field values" puzzled
            return _(
                "This record was saved by %(who)s (%(when)s) after you read it, so your changes were not saved; "
                "none of its fields differs from what you read (a change undone, or one to its related rows). "
                "%(advice)s"
            ) % {"who": who, "when": when, "advice": advice}
        summary = "; ".join(f"{c.field}: {shown(c.old)} → {shown(c.new)}" for c in self.changes)
        return _(
            "This record was changed by %(who)s (%(when)s) while you were editing it, so your changes "
            "were not saved. Their changes: %(changes)s. %(advice)s"
        ) % {"who": who, "when": when, "changes": summary, "advice": advice}


def shown(value) -> str:
    """A value in a conflict's list of changes: quoted, or “(empty)” for none or blank."""
    if value is None or value == "":
        return _("(empty)")
    return f"“{value}”"


def current_version(instance: models.Model, *, lock: bool = False) -> int | None:
    """The version stored for ``instance`` (``None`` if the row is gone); ``lock`` takes a
    row lock (``SELECT … FOR UPDATE``) until the transaction ends, where the database has them."""
    qs = type(instance)._base_manager.filter(pk=instance.pk)
    if lock:
        qs = qs.select_for_update()
    return qs.values_list("version", flat=True).first()


def changes_since(instance: models.Model, version: int) -> tuple[list[Change], tuple[str, ...], object]:
    """Fields changed since ``version``, who changed them (each author of a save since, by user
    name, first to last; empty when the history names none) and when the last
    save was, from the change history. It named only the last author, so a 412 gave an editor
    the changes of the manager's import before them (new-user probe)."""
    history = instance.history.order_by("-history_date", "-history_id")
    latest = history.first()
    if latest is None:  # rows written in bulk (``bulk_create``) have no history
        return [], (), None
    base = history.filter(version=version).first() or latest.prev_record
    changes = []
    if base is not None and base.pk != latest.pk:
        delta = latest.diff_against(base, excluded_fields=["version", "updated_at", "search_text"])
        for change in delta.changes:
            label = str(type(instance)._meta.get_field(change.field).verbose_name)
            changes.append(Change(label, change.old, change.new))
    since = history.filter(history_id__gt=base.pk) if base is not None else history.filter(pk=latest.pk)
    authors = []
    for record in since.order_by("history_id").select_related("history_user"):
        name = record.history_user.get_username() if record.history_user else None
        if name and name not in authors:
            authors.append(name)
    return changes, tuple(authors), latest.history_date


def check_version(instance: models.Model, expected: int, reader=None) -> None:
    """Raise :class:`VersionConflict` unless the stored version of ``instance`` is ``expected``;
    ``reader`` (the account writing, optional) is named "you" among the authors since.

    Call inside the transaction that saves the edit: the row stays locked until it ends.
    """
    current = current_version(instance, lock=True)
    if current is None or current == expected:
        return
    if expected > current:  # never saved: no history to read (VersionConflict.never_existed)
        raise VersionConflict(expected, current)
    changes, who, when = changes_since(instance, expected)
    name = reader.get_username() if getattr(reader, "is_authenticated", False) else None
    raise VersionConflict(expected, current, changes, who, when, reader=name)
