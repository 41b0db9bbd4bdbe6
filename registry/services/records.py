"""Saving, deleting and restoring any record with its history: the one way every writer saves a row
(:func:`save_record`, validated with ``full_clean()`` and recorded once in the history)."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Page, Paginator
from django.db import models, transaction
from django.db.models import Max
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import change_reasons
from ..cache import one_change
from ..models import (
    HISTORY,
)
from ..models.search import admin_search
from ..text import given_reason, slug_of


def unique_slug(model: type[models.Model], text: str, taken: set[str] | None = None) -> str:
    """A slug for ``text`` (:func:`registry.text.slug_of`: ``"Busan–Shymkent"`` → ``"busan-shymkent"``;
    Django's ``slugify`` alone dropped the dash), for a record a service makes without a slug from
    its writer (the guided entry's, a Wikidata source), not yet used by ``model`` nor in ``taken`` (the
    slugs given to records built in the same call and not written yet; the new slug is added to
    it): ``"almaty"``, then ``"almaty-2"`` …; the model's name when ``text`` gives none."""
    base = slug_of(text, max_length=100) or model._meta.model_name
    slug, number = base, 1
    while (taken is not None and slug in taken) or model._default_manager.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    if taken is not None:
        taken.add(slug)
    return slug


@transaction.atomic
def save_record(*, instance: models.Model, data: Mapping[str, Any], reason: str = "") -> models.Model:
    """Set ``data`` on ``instance`` and save it with its many-to-many relations.

    ``data`` maps field names to values; values of many-to-many fields (e.g. ``sources``,
    ``fields``, ``parties``) are iterables of related rows and replace the current set.
    ``reason`` (optional ``str``) is the change reason kept in the history; it is also what
    makes a change that only a *correction* may make acceptable (a published partnership's
    kind or established date, :meth:`Partnership.clean`).
    The row is validated with ``full_clean()`` first; nothing is saved if any part fails.
    A stored record that ``data`` leaves as it is (every column as ``full_clean()`` leaves it, every
    many-to-many set) is not saved: no new version, no history record (a ``PATCH {}`` moved the
    ETag and added an empty "Changed" to the history, so a stale ``If-Match`` got a 412 listing no
    change; new-user probe).
    """
    stored = None if instance._state.adding else {f.attname: getattr(instance, f.attname) for f in columns(instance)}
    reason = given_reason(reason)
    if reason:
        instance._change_reason = reason
        instance.correction_reason = reason
    many_names = {field.name for field in instance._meta.many_to_many}
    many: dict[str, Iterable[models.Model]] = {}
    for name, value in data.items():
        if name in many_names:
            many[name] = list(value)
        else:
            setattr(instance, name, value)
    instance.full_clean()
    if stored is not None and not changes(instance, stored, many):
        return instance
    created = instance._state.adding
    # One history record for the whole write, taken after the many-to-many rows are set, so it
    # holds them and its diff shows what changed (a PATCH of only ``sources`` included).
    instance.skip_history_when_saving = True
    try:
        instance.save()
        for name, rows in many.items():
            getattr(instance, name).set(rows)
    finally:
        del instance.skip_history_when_saving
    HISTORY.create_historical_record(instance, "+" if created else "~")
    return instance


def columns(instance: models.Model) -> list[models.Field]:
    """The columns a change of ``instance`` may set: every concrete field but those each save
    writes (the ``version``, an ``auto_now`` time)."""
    return [
        field
        for field in instance._meta.concrete_fields
        if field.name != "version" and not getattr(field, "auto_now", False)
    ]


def changes(instance: models.Model, stored: Mapping[str, Any], many: Mapping[str, Iterable]) -> bool:
    """Whether ``instance`` differs from ``stored`` (attname → value, :func:`columns`) or any
    many-to-many set of ``many`` (field name → rows or primary keys) from the stored one."""
    if any(getattr(instance, name) != value for name, value in stored.items()):
        return True
    return any(
        {getattr(row, "pk", row) for row in rows} != set(getattr(instance, name).values_list("pk", flat=True))
        for name, rows in many.items()
    )


def historic_relations(record: models.Model) -> dict[str, list[int]]:
    """The many-to-many values a history record kept: field name → primary keys of the related
    rows (e.g. ``{"sources": [3, 7], "fields": [2]}``), one query per field."""
    from simple_history.utils import get_m2m_reverse_field_name

    values = {}
    for field in record._history_m2m_fields:
        target = get_m2m_reverse_field_name(field)
        values[field.name] = sorted(getattr(record, field.name).values_list(f"{target}_id", flat=True))
    return values


def delete_record(*, instance: models.Model) -> None:
    """Delete ``instance`` with the rows it owns (``CASCADE``), in one transaction; rows that
    others refer to raise ``ProtectedError`` and stay. The data generation moves once for all
    of them (:func:`registry.cache.one_change`), not once per row: a city deleted with its
    names and partnerships sent one signal, and 1–4 cache round trips, per row; the anonymous
    readers' generation only if it was public (:func:`delete_records`)."""
    with transaction.atomic():
        with one_change(public=_any_public(type(instance)._default_manager.filter(pk=instance.pk))):
            instance.delete()


def delete_records(*, queryset: models.QuerySet) -> tuple[int, dict[str, int]]:
    """Delete the records of ``queryset`` with the rows they own, in one transaction, as
    :func:`delete_record` deletes one (the admin's “Delete selected”); returns Django's count
    ``(rows deleted, {"registry.City": n, …})``. Raises ``ProtectedError`` (nothing deleted)
    when another row refers to one of them. Each row still gets its history record, but the
    data generation moves once: deleting 1,000 imported cities one signal per row took 4.1 s,
    3.1 s of them on the cache (file-based), and 1.1 s with one move (``/tmp`` script, SQLite).
    When none of them is public (:meth:`~registry.models.base.RegistryQuerySet.public`: drafts,
    a city only drafts name) the anonymous readers' generation stays: what is deleted with them
    (an event's participants, a partnership's stages) is seen only with them. A model with a
    ``delete()`` of its own has each record deleted through it (Django's “Delete selected”
    skipped it: a former name deleted so stayed in its city's search text)."""
    with transaction.atomic(using=queryset.db):
        with one_change(public=_any_public(queryset)):
            if queryset.model.delete is models.Model.delete:
                return queryset.delete()
            # A model with a delete() of its own (a former name refreshes its city's search
            # text, a cited source refuses): each record through it, as the change form deletes.
            total, counts = 0, Counter()
            for record in queryset:
                deleted, per_model = record.delete()
                total += deleted
                counts.update(per_model)
            return total, dict(counts)


def _any_public(queryset: models.QuerySet) -> bool | None:
    """Whether a row of ``queryset`` is one an anonymous reader sees (its model's ``public()``);
    ``None`` for a model without that rule (each row's signal then says)."""
    return queryset.public().exists() if hasattr(queryset, "public") else None


# Rows owned by a parent and deleted with it (CASCADE): restored with it.
OWNED_CHILDREN = {
    "city": [("cityname", "city")],
    "partnership": [("partnershipstage", "partnership")],
    "agreement": [("signatory", "agreement")],
    "event": [("eventparticipant", "event")],
    "delegation": [("delegationmember", "delegation"), ("itinerarystop", "delegation"), ("outcome", "delegation")],
}
# Children deleted up to this long before their parent count as deleted with it.
CASCADE_WINDOW = datetime.timedelta(minutes=1)


@dataclass
class DeletedRecord:
    """A row that is deleted now, with its last historical record before the deletion.

    ``label`` is its name as that record gives it (``str()`` of the row as it was; "City 176"
    when that name reads a row deleted since). A row owned by a parent (``OWNED_CHILDREN``: a
    city's former name, a delegation's itinerary stop) also names that parent: ``owner`` is the
    parent row when it exists (``None`` when it is deleted too), ``owner_label`` its name either
    way ('Busan'; for a parent deleted since its name as last recorded, 'Pusan-si', or 'City 176'
    without one; ``""`` for a row no parent owns)."""

    model: type[models.Model]
    pk: int
    deleted_at: datetime.datetime
    deleted_by: str | None
    label: str
    history_id: int
    owner: models.Model | None = None
    owner_label: str = ""


def owner_field(model: type[models.Model]) -> models.ForeignKey | None:
    """The foreign key by which a parent owns the rows of ``model`` (``OWNED_CHILDREN``: a former
    name's ``city``), or ``None`` for a model no parent owns."""
    for children in OWNED_CHILDREN.values():
        for child, fk in children:
            if child == model._meta.model_name:
                return model._meta.get_field(fk)
    return None


def deleted_records(
    model: type[models.Model],
    *,
    page: int | str = 1,
    per_page: int = 100,
    search: str = "",
    search_fields: Iterable[str] = (),
) -> Page:
    """The rows of ``model`` that are deleted now (their last history entry is a deletion and no
    row has their key), the latest deletion first and each row once (a row deleted, restored and
    deleted again: its last deletion), as one page of Django's paginator (``Page`` of
    :class:`DeletedRecord`; its ``paginator`` counts them all). ``page`` is a number, or any text
    Django's ``Paginator.get_page`` reads (the first page; the last for a number past it).
    Every deleted row can be found: the list stopped at the latest 200 deletions, so after
    deleting 300 events together a hundred of them could not be restored from it (helper-105).

    ``search`` narrows them as the admin's search of the same model does (:func:`search_history`
    over ``search_fields``, the model admin's): "pusan" finds the deleted former name Pusan."""
    history = model.history.model
    key = model._meta.pk.attname
    latest = (
        history.objects.filter(history_type="-").order_by().values(key).annotate(last=Max("history_id")).values("last")
    )
    deletions = (
        history.objects.filter(history_id__in=latest)
        .exclude(**{f"{key}__in": model._base_manager.values("pk")})
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    if search.strip():
        deletions = search_history(deletions, search, search_fields)
    shown = Paginator(deletions, per_page).get_page(page)
    shown.object_list = _deleted_page(model, shown.object_list)
    return shown


def search_history(queryset: models.QuerySet, search: str, search_fields: Iterable[str]) -> models.QuerySet:
    """``queryset`` (history records of a model) narrowed as the admin's change list of the model
    narrows its rows (:meth:`registry.admin_base.RegistryAdmin.get_search_results`): the admin's
    search of ``search_fields`` (a model admin's), the case of every script ignored alike on both
    databases (:func:`registry.models.search.admin_search`; a field the history records cannot
    follow, such as a city's ``names__name``, left out), or the model's own word search
    (``search_condition`` of its queryset, where it has one: a city by its folded names), run
    over the history records, whose columns are the model's; a record a parent owns
    (:func:`owner_field`) is also found by its parent's word search over the parent's history, so
    a deleted city's former names by the city's name."""
    model = queryset.model.instance_type
    found = admin_search(queryset, search, search_fields)
    word_search = getattr(model._default_manager, "search_condition", None)
    condition = word_search(search) if word_search is not None else None
    if condition is not None:
        found |= queryset.filter(condition)
    fk = owner_field(model)
    owner_search = getattr(fk.related_model._default_manager, "search_condition", None) if fk else None
    if owner_search is not None and (named := owner_search(search)) is not None:
        # A record owned by a row as any of its history records names it, deleted since or not
        # (a deleted city's former names by the city's name: the search fields follow the living).
        owners = fk.related_model.history.filter(named).values(fk.related_model._meta.pk.attname)
        found |= queryset.filter(**{f"{fk.attname}__in": owners})
    return found


def _deleted_page(model: type[models.Model], records: Iterable) -> list[DeletedRecord]:
    """The :class:`DeletedRecord` of each of ``records`` (deletions' history records of ``model``),
    their living owners read in one query (:func:`owner_field`), the names of those deleted too
    in another (:func:`called_many`)."""
    records = list(records)
    fk = owner_field(model)
    owners, gone = {}, {}
    if fk is not None:
        parent_pks = {getattr(record, fk.attname) for record in records} - {None}
        owners = fk.related_model._base_manager.in_bulk(parent_pks)
        gone = last_names(fk.related_model, parent_pks - owners.keys())
    page = []
    for record, name in zip(records, _recorded_names(records), strict=True):
        user = record.history_user
        label = name or f"{capfirst(model._meta.verbose_name)} {record.id}"
        deleted = DeletedRecord(
            model, record.id, record.history_date, user.get_username() if user else None, label, record.history_id
        )
        if fk is not None and (parent_pk := getattr(record, fk.attname)) is not None:
            deleted.owner = owners.get(parent_pk)
            if deleted.owner is not None:
                deleted.owner_label = str(deleted.owner)
            else:  # under the owner's heading ("City"): its name, or "City 176" without one
                deleted.owner_label = gone[parent_pk] or f"{capfirst(fk.related_model._meta.verbose_name)} {parent_pk}"
        page.append(deleted)
    return page


def _recorded_names(records: list) -> list[str | None]:
    """``str()`` of the row each of ``records`` (history records of one model) kept, ``None`` for
    one whose name reads a row deleted since (a partnership's city; it was a 500). The rows their
    foreign keys name are read in one query per model they name (a page of 100 deleted
    partnerships read their 200 cities one query at a time), a row deleted since left to fail."""
    instances = [record.instance for record in records]
    if not instances:
        return []
    keys = [field for field in type(instances[0])._meta.concrete_fields if field.many_to_one]
    wanted: dict[type[models.Model], set] = {}
    for field in keys:
        wanted.setdefault(field.related_model, set()).update(getattr(i, field.attname) for i in instances)
    found = {related: related._base_manager.in_bulk(pks - {None}) for related, pks in wanted.items()}
    for instance in instances:
        for field in keys:
            row = found[field.related_model].get(getattr(instance, field.attname))
            if row is not None:
                field.set_cached_value(instance, row)
    names = []
    for instance in instances:
        try:
            names.append(str(instance))
        except ObjectDoesNotExist:
            names.append(None)
    return names


def called(model: type[models.Model], pk: int) -> str:
    """The row ``pk`` of ``model`` as it was last called, for a message about a row that may be
    deleted: 'City “Zedville”' from its latest history record, or 'City 176' when it has none (a
    model without history) or its name reads a row deleted since. One query
    (:func:`called_many`)."""
    return called_many(model, [pk])[pk]


def called_many(model: type[models.Model], pks: Iterable[int]) -> dict[int, str]:
    """:func:`called` of each of ``pks`` (keys of ``model``'s rows), keyed by key, in one query
    whatever their number (:func:`last_names`)."""
    name = capfirst(model._meta.verbose_name)
    return {
        pk: f"{name} “{recorded}”" if recorded else f"{name} {pk}" for pk, recorded in last_names(model, pks).items()
    }


def last_names(model: type[models.Model], pks: Iterable[int]) -> dict[int, str | None]:
    """Each of ``pks`` (keys of ``model``'s rows) as its latest history record names it
    ("Zedville"), ``None`` without one (a model without history) or when that name reads a row
    deleted since: every row's latest record read in one query (the deleted list names a page of
    former names of deleted cities so), the rows their names read in one query per model
    (:func:`_recorded_names`)."""
    pks = set(pks)
    history = getattr(model, "history", None)
    last = []
    if history is not None and pks:
        latest = history.filter(id__in=pks).order_by().values("id").annotate(last=Max("history_id")).values("last")
        last = list(history.filter(history_id__in=latest))
    recorded = dict.fromkeys(pks)
    recorded.update(zip((record.id for record in last), _recorded_names(last), strict=True))
    return recorded


def deleted_since(count: int) -> str:
    """The refusal of a restore while ``count`` rows it names are deleted since ("%(records)s"
    names them): one parent is "it", as a former name's city ("restore them first" named one city,
    helper-110)."""
    return ngettext(
        "%(records)s deleted since: restore it first.", "%(records)s deleted since: restore them first.", count
    )


def _existing_relations(model: type[models.Model], record: models.Model | None) -> dict[str, list[int]]:
    """:func:`historic_relations` of ``record`` (none without one), refused with a
    ``ValidationError`` on the field (code ``related_deleted``) naming each related row deleted
    since as it was called (:func:`called_many`: a source the record cited, 'Source “Busan press
    release”'): setting it was a foreign key error at the commit (a 500)."""
    relations = historic_relations(record) if record is not None else {}
    errors = {}
    for name, pks in relations.items():
        related = model._meta.get_field(name).related_model
        missing = sorted(set(pks) - set(related._base_manager.filter(pk__in=pks).values_list("pk", flat=True)))
        if missing:
            message = deleted_since(len(missing))
            names = called_many(related, missing)
            label = ", ".join(names[pk] for pk in missing)
            errors[name] = ValidationError(message, code="related_deleted", params={"records": label})
    if errors:
        raise ValidationError(errors)
    return relations


def _refuse_deleted_parents(instance: models.Model) -> None:
    """Refuse, with a ``ValidationError`` on the field (code ``related_deleted``, the wording of
    :func:`_existing_relations`), to restore ``instance`` while a row its foreign keys name is
    deleted (a former name whose city was deleted since), naming that row as it was called
    (:func:`called`): the form's check said "City: city instance with id 176 is not a valid
    choice." (fresh-clone probe, helper-106)."""
    errors = {}
    for field in instance._meta.concrete_fields:
        related = field.related_model
        value = getattr(instance, field.attname) if field.is_relation and field.many_to_one else None
        if value is None or related._base_manager.filter(pk=value).exists():
            continue
        message = deleted_since(1)
        errors[field.name] = ValidationError(
            message, code="related_deleted", params={"records": called(related, value)}
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def restore_deleted(*, model: type[models.Model], pk: int) -> models.Model:
    """Restore the deleted row ``pk`` of ``model`` as it was when deleted, with the rows it
    owned that were deleted with it (a city's former names, a delegation's itinerary, ...).

    Raises ``LookupError`` if ``pk`` was never deleted or exists, ``ValidationError`` if
    the restored row would now break a rule (e.g. its slug has been reused); then nothing
    is restored.
    """
    if model._base_manager.filter(pk=pk).exists():
        message = _("%(record)s %(id)s exists; there is nothing to restore.")
        raise LookupError(message % {"record": capfirst(model._meta.verbose_name), "id": pk})
    record = model.history.model.objects.filter(id=pk, history_type="-").order_by("-history_date").first()
    if record is None:
        message = _("%(record)s %(id)s was never deleted.")
        raise LookupError(message % {"record": capfirst(model._meta.verbose_name), "id": pk})
    # The deletion's own record holds no many-to-many rows (Django removes them first): the last
    # record before it does.
    before = (
        model.history.model.objects.filter(id=pk, history_date__lte=record.history_date)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    instance = record.instance
    _refuse_deleted_parents(instance)
    instance._change_reason = change_reasons.written(change_reasons.RESTORED)
    # A restored row comes back as the actions recorded it (a suspended partnership with its
    # suspension stage, restored below): the rules that reserve a change to an action pass it.
    instance.recorded_by_action = True
    save_record(instance=instance, data=_existing_relations(model, before))
    for child_name, fk in OWNED_CHILDREN.get(model._meta.model_name, []):
        child_model = apps.get_model("registry", child_name)
        child_history = child_model.history.model.objects.filter(
            **{f"{fk}_id": pk},
            history_type="-",
            history_date__gte=record.history_date - CASCADE_WINDOW,
            history_date__lte=record.history_date,
        )
        for child_record in child_history.order_by("history_date"):
            if child_model._base_manager.filter(pk=child_record.id).exists():
                continue
            child_before = (
                child_model.history.model.objects.filter(id=child_record.id)
                .exclude(history_type="-")
                .order_by("-history_date", "-history_id")
                .first()
            )
            child = child_record.instance
            child.recorded_by_action = True  # as the parent above
            save_record(instance=child, data=_existing_relations(child_model, child_before))
    return instance
