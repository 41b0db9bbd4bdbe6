"""The bulk writes of a confirmed import (:meth:`registry.resource_base.RegistryResource.write`):
which columns a file changed, the many-to-many rows of the history records written in bulk, and
why a row may no longer be written as its preview showed it."""

from __future__ import annotations

from django.db import connections, models, router
from django.utils.translation import gettext as _

from .import_widgets import CHUNK


def changed_columns(model: type[models.Model], records: list) -> list[str]:
    """The columns (``attname``) of ``model`` that differ, in any of ``records``, from the record
    as the database gave it (``as_read``, :meth:`RegistryResource.after_init_instance`; not the
    ``stored_copy`` of a second row naming the same record, which the first row had changed: a
    file giving a record twice reported it updated and wrote nothing, adversarial probe), the version
    and time of the change always among them; every column but the key if a record has no copy.
    A column holding a list or a dict (shared with the shallow copy) is always written. Writing
    every column cost an import of 2,000 changed notes 11.5 of its 14 s in Django's
    ``bulk_update`` (``bench/imports.py``, before :func:`update_columns`); the columns not written
    hold, under :meth:`RegistryResource.recheck`'s check of the version, what the file left them."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    changed = set()
    for record in records:
        stored = getattr(record, "as_read", None)
        if stored is None:
            return [field.attname for field in fields]
        for field in fields:
            value = getattr(record, field.attname)
            if isinstance(value, list | dict) or value != getattr(stored, field.attname):
                changed.add(field.attname)
    return [field.attname for field in fields if field.attname in changed]


def update_columns(model: type[models.Model], records: list, columns: list[str]) -> None:
    """Write ``columns`` (``attname``) of each of ``records`` (stored instances of ``model``) to its
    row: one ``UPDATE … SET column = %s, … WHERE id = %s`` sent with ``executemany`` for every
    :data:`~registry.import_widgets.CHUNK` records, each value prepared by its field
    (``get_db_prep_save``, as Django's own writes prepare it: a date, a decimal, JSON). It writes
    what ``bulk_update`` would, without its cost: ``bulk_update`` builds a ``CASE WHEN id = …`` of
    every row for each column and compiles it in Python, which took 4.0 of the 9.4 s (profiled) of
    an import of 5,000 changed partnerships (``bench/imports.py``). Like ``bulk_update``, no
    ``save()``, signal or ``auto_now`` runs: the caller sets ``updated_at`` and the version. Run it
    inside the caller's transaction; a database error (a constraint) propagates from it."""
    if not records or not columns:
        return
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[column] for column in columns]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    key = model._meta.pk
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(key.column)} = %s"
    params = [
        [
            *(field.get_db_prep_save(getattr(record, field.attname), connection) for field in fields),
            key.get_db_prep_save(record.pk, connection),
        ]
        for record in records
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), CHUNK):
            cursor.executemany(sql, params[start : start + CHUNK])


def write_history_m2m(model: type[models.Model], history: list) -> None:
    """Give each of ``history`` (history records of ``model`` just written in bulk, one per
    record, with their ids) its many-to-many rows: the record's sources, cooperation fields and
    parties as stored now, in one query per field and 500 records to read them and one bulk
    insert to write them. django-simple-history writes them on a record's ``save()`` but not in
    its bulk writes, so after an import the history showed every source of a changed record
    removed (“sources: [...] → []”), which never happened, and reverting to that version would
    have dropped them (fresh-clone probe). A record created by an import has none to write."""
    if not history:
        return
    by_record = {record.id: record for record in history}  # a history record's id is its record's
    ids = sorted(by_record)
    for field in model._meta.many_to_many:
        history_model = getattr(type(history[0]), field.name).model
        through = field.remote_field.through
        own = field.m2m_field_name()
        columns = [f.attname for f in through._meta.fields]
        rows = []
        for start in range(0, len(ids), CHUNK):
            links = through._base_manager.filter(**{f"{own}__in": ids[start : start + CHUNK]})
            for values in links.order_by("pk").values_list(*columns):
                link = dict(zip(columns, values, strict=True))
                rows.append(history_model(history=by_record[link[f"{own}_id"]], **link))
        history_model._base_manager.bulk_create(rows, batch_size=CHUNK)


def changed_since_preview(shown: tuple | None, stored: tuple | None) -> str | None:
    """Why a row may not be written as its preview showed it, or ``None``: ``shown`` and
    ``stored`` are its record as ``(pk, version)`` at the preview and now (``None``: no
    record, a new row; a version ``None``: deleted since it was read)."""
    if shown == stored:
        return None
    if shown is None:
        return _(
            "A record with this row's key was added by someone else after the preview, which showed the row as "
            "new: nothing was imported. Import the file again to see its preview."
        )
    if stored is None or stored[1] is None or stored[0] != shown[0]:
        return _(
            "The record this row changes was deleted by someone else after the preview: nothing was imported. "
            "Import the file again to see its preview."
        )
    return _(
        "This record was changed by someone else after the preview: nothing was imported. Import the file "
        "again to see its preview."
    )
