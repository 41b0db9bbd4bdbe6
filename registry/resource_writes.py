"""The bulk writes of a confirmed import (:meth:`registry.resource_base.RegistryResource.write`):
which columns a file changed and their update, the history records (with their many-to-many
rows) copied by the database, and why a row may no longer be written as its preview showed it or
at all (:class:`WrittenMeanwhile`)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, router
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries.fields import CountryField

from .import_widgets import CHUNK
from .models.base import CONCURRENT_CHANGE, refused_rule


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


def insert_rows(model: type[models.Model], records: list) -> None:
    """Insert ``records`` (new instances of ``model``, without a key) as Django's ``bulk_create``
    does, each value prepared by its field (:func:`_prepared_rows`), and give each its key; like
    ``bulk_create``, no ``save()`` or signal runs. Run it inside the caller's transaction; a
    database error (a constraint) propagates from it as Django's (``IntegrityError``).

    On PostgreSQL the keys are taken from the table's sequence in one query and the rows sent by
    ``COPY … FROM STDIN`` (psycopg's ``Cursor.copy``, each row written by its C code): Django's
    ``bulk_create`` compiled an ``INSERT`` of every row in Python and psycopg then quoted its
    arrays in Python: 1.2–1.4 s for 5,000 new cities built as an import builds them, against
    0.8–0.9 s for this, preparation included (timed in-process on one machine; an import of
    them, ``bench/imports.py``'s rows, went from 4.1 to 3.0 s on average). On a database that
    returns the keys of a multi-row ``INSERT`` (SQLite), the rows go as Django's own
    ``INSERT … VALUES (…), … RETURNING`` of as many rows as the database's limit of parameters
    takes (``bulk_batch_size``), its text written once per batch size rather than compiled value
    by value: Django's compiler took 0.9 of the 3.4 s (profiled) of an import of 5,000 cities.
    On another database, when a record already has a key or a field has a database default
    (Django writes ``DEFAULT`` for it), it is ``bulk_create`` itself, in batches of
    :data:`~registry.import_widgets.CHUNK`. A generated column is never written, as in Django's."""
    if not records:
        return
    connection = connections[router.db_for_write(model)]
    key = model._meta.pk
    fields = [field for field in model._meta.concrete_fields if field is not key and not field.generated]
    if any(record.pk is not None for record in records) or any(field.has_db_default() for field in fields):
        model._base_manager.bulk_create(records, batch_size=CHUNK)
        return
    if connection.vendor == "postgresql":
        keys = _copy_rows(model, fields, records, connection)
    elif connection.features.can_return_rows_from_bulk_insert:
        keys = _insert_returning(model, fields, records, connection)
    else:
        model._base_manager.bulk_create(records, batch_size=CHUNK)
        return
    for pk, record in zip(keys, records, strict=True):
        record.pk = pk
        record._state.adding = False
        record._state.db = connection.alias


def _copy_rows(model, fields: list, records: list, connection) -> list:
    """PostgreSQL: take as many keys as ``records`` from the table's sequence, ``COPY`` the rows
    with them, and return the keys in the order of ``records``."""
    quote = connection.ops.quote_name
    key = model._meta.pk
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(column) for column in [key.column, *(field.column for field in fields)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, key.column, len(records)],
        )
        keys = sorted(pk for (pk,) in cursor.fetchall())
        with connection.wrap_database_errors, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(keys, _prepared_rows(fields, records, connection), strict=True):
                copy.write_row([pk, *row])
    return keys


def _insert_returning(model, fields: list, records: list, connection) -> list:
    """A database whose multi-row ``INSERT`` returns its rows' keys in their order (SQLite, as
    Django's ``bulk_create`` counts on): insert ``records`` in batches of the largest size its
    limit of parameters allows and return their keys in the order of ``records``."""
    quote = connection.ops.quote_name
    key = model._meta.pk
    size = max(1, connection.ops.bulk_batch_size(fields, records))
    marks = f"({', '.join(['%s'] * len(fields))})"
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) VALUES "
    tail = f" RETURNING {quote(key.column)}"
    rows = list(_prepared_rows(fields, records, connection))
    keys = []
    with connection.cursor() as cursor:
        full = head + ", ".join([marks] * size) + tail
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            sql = full if len(batch) == size else head + ", ".join([marks] * len(batch)) + tail
            cursor.execute(sql, [value for row in batch for value in row])
            keys.extend(pk for (pk,) in cursor.fetchall())
    return keys


def _prepared_rows(fields: list, records: list, connection):
    """Each of ``records`` as the list of its values of ``fields`` prepared for ``connection`` as
    Django's inserts prepare them (``pre_save`` with ``add``, then ``get_db_prep_save``: a date,
    a decimal, JSON), but each preparation made once where its result is known:

    - a text or ``None`` in a field whose preparation returns it unchanged (:func:`_sent_as_given`)
      is sent as it is, without the four calls of that preparation (115,000 values for 5,000 cities);
    - a value of ``None``, a ``bool``, an ``int``, a ``str`` or a ``date`` in a field whose preparation depends
      on that value alone (:func:`_prepared_by_value`: a country code, a reference, a version, an
      empty number) is prepared once per distinct value: of 45,000 preparations for 5,000 new cities,
      about 10,000 are left, their latitudes and longitudes (a decimal is prepared each time);
    - a time stamped on insert (``auto_now``, ``auto_now_add``: :func:`_stamped_on_insert`) is one
      time for every record of the call, set on each record as Django's ``pre_save`` sets it and
      prepared once, as a database's ``now()`` is one time for a whole statement: the records of
      one import are created at the time of its history records' date, give or take the write."""
    stamp = timezone.now()
    plans = []
    for field in fields:
        if _stamped_on_insert(field):
            plans.append((field, field.attname, _STAMPED, field.get_db_prep_save(stamp, connection)))
        elif _sent_as_given(field):
            plans.append((field, field.attname, _AS_GIVEN, None))
        elif _prepared_by_value(field):
            plans.append((field, field.attname, _BY_VALUE, {}))
        else:
            plans.append((field, field.attname, _EACH, None))
    for record in records:
        values = record.__dict__
        row = []
        for field, attname, plan, known in plans:
            value = values.get(attname, _MISSING)  # _MISSING: deferred, or set by a descriptor
            if plan is _AS_GIVEN and (value is None or type(value) is str):
                pass
            elif plan is _STAMPED:
                values[attname] = stamp
                value = known
            elif plan is _BY_VALUE and type(value) in _VALUE_TYPES:
                key = (type(value), value)
                prepared = known.get(key, _MISSING)
                if prepared is _MISSING:
                    prepared = known[key] = field.get_db_prep_save(field.pre_save(record, True), connection)
                value = prepared
            else:
                value = field.get_db_prep_save(field.pre_save(record, True), connection)
            row.append(value)
        yield row


_MISSING = object()
_AS_GIVEN, _STAMPED, _BY_VALUE, _EACH = "as given", "stamped", "by value", "each"
_VALUE_TYPES = frozenset({type(None), bool, int, str, datetime.date})


def _stamped_on_insert(field: models.Field) -> bool:
    """Whether ``field`` is Django's own ``DateTimeField`` stamped with the time on insert
    (``auto_now`` or ``auto_now_add``), whose ``pre_save`` sets the attribute to ``timezone.now()``."""
    return type(field).pre_save is models.DateTimeField.pre_save and bool(field.auto_now or field.auto_now_add)


def _prepared_by_value(field: models.Field) -> bool:
    """Whether what ``field`` sends to the database for a record is a function of the value in the
    record's ``__dict__`` alone: its ``pre_save`` reads the attribute (Django's, or django-countries'
    ``CountryField``, which reads its code through the field's descriptor and prepares it), with no
    descriptor besides Django's, which reads the value as stored (a foreign key's too); or a date
    not stamped on insert. Then two records holding the same value send the same."""
    kind = type(field)
    if kind.pre_save is CountryField.pre_save:
        return True
    if kind.pre_save is models.DateField.pre_save:  # a date not stamped on insert reads its attribute
        return not (field.auto_now or field.auto_now_add)
    descriptor = getattr(field.model, field.attname, None)
    return kind.pre_save is models.Field.pre_save and isinstance(descriptor, DeferredAttribute)


def _sent_as_given(field: models.Field) -> bool:
    """Whether ``field`` sends a text or ``None`` to the database as it is: Django's own text
    fields (``CharField``, ``TextField`` and their subclasses that change none of the methods
    that prepare a value), whose ``pre_save`` reads the attribute and whose preparation of a
    ``str`` returns it. A field that converts (django-countries' ``CountryField``, a date, a
    decimal) is prepared by its methods."""
    kind = type(field)
    return (
        isinstance(field, models.CharField | models.TextField)
        and kind.pre_save is models.Field.pre_save
        and kind.get_db_prep_save is models.Field.get_db_prep_save
        and kind.get_db_prep_value is models.Field.get_db_prep_value
        and kind.get_prep_value in (models.CharField.get_prep_value, models.TextField.get_prep_value)
        and kind.to_python in (models.CharField.to_python, models.TextField.to_python)
    )


def write_history(model: type[models.Model], pks: list, *, history_type: str, user, reason: str | None, date) -> None:
    """Write the history record of each of ``pks`` (records of ``model`` just inserted or updated,
    inside the caller's transaction) as django-simple-history's ``bulk_history_create`` would,
    by ``user`` (a user or ``None``: a command), with ``reason`` (``history_change_reason``) and
    at ``date`` (an aware ``datetime``: the write's ``updated_at``) and ``history_type`` (``"+"``
    created, ``"~"`` changed), and give each its many-to-many rows: the record's sources,
    cooperation fields and parties as stored now. The database copies them: for each
    :data:`~registry.import_widgets.CHUNK` records, one ``INSERT INTO history (…) SELECT … FROM``
    the record's table, and one per many-to-many field from its table joined to the history
    records just written (each is this write's only one of its record at ``date``: the
    import locked the rows, :meth:`~registry.resource_base.RegistryResource.recheck`). A record
    named twice in ``pks`` gets one history record.

    Nothing is built in Python per row: ``bulk_history_create`` made a history instance per record
    and Django compiled each of its values, about a third of an import's time, and the links were
    read into Python and written back (``bench/imports.py``, the figures are in the commit). The
    values are the stored ones, so a history record holds exactly what its record does. The
    library writes no many-to-many rows in its bulk writes, so after an import the history showed
    every source of a changed record removed (“sources: [...] → []”), which never happened, and
    reverting to that version would have dropped them (fresh-clone probe). Like the library's
    bulk writes, no signal is sent. A database error propagates (the caller's transaction)."""
    pks = sorted(set(pks))
    if not pks:
        return
    history = model.history.model
    connection = connections[router.db_for_write(history)]
    quote = connection.ops.quote_name

    def constant(field_name: str) -> str:
        # A parameter in a SELECT list has no type on PostgreSQL (it reads as text): cast it to the
        # column's. SQLite stores what it is given (a CAST to "datetime" would make it a number).
        if connection.vendor != "postgresql":
            return "%s"
        return f"CAST(%s AS {history._meta.get_field(field_name).db_type(connection)})"

    tracked = history.tracked_fields
    date_param = history._meta.get_field("history_date").get_db_prep_save(date, connection)
    own = f"{quote(history._meta.db_table)}"
    extra = ("history_date", "history_type", "history_user", "history_change_reason")
    record_sql = (
        f"INSERT INTO {own} "
        f"({', '.join(quote(history._meta.get_field(name).column) for name in [*(f.name for f in tracked), *extra])}) "
        f"SELECT {', '.join(quote(f.column) for f in tracked)}, {', '.join(map(constant, extra))} "
        f"FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} IN "
    )
    key = quote(history._meta.get_field(model._meta.pk.name).column)
    links = []
    for field in model._meta.many_to_many:
        history_links = getattr(history, field.name).model
        through = field.remote_field.through
        columns = through._meta.concrete_fields
        links.append(
            f"INSERT INTO {quote(history_links._meta.db_table)} "
            f"({', '.join(quote(history_links._meta.get_field(f.name).column) for f in columns)}, "
            f"{quote(history_links._meta.get_field('history').column)}) "
            f"SELECT {', '.join('t.' + quote(f.column) for f in columns)}, h.{quote('history_id')} "
            f"FROM {quote(through._meta.db_table)} t INNER JOIN {own} h "
            f"ON h.{key} = t.{quote(through._meta.get_field(field.m2m_field_name()).column)} "
            f"WHERE h.{quote('history_date')} = %s AND h.{quote('history_type')} = %s AND h.{key} IN "
        )
    user_id = getattr(user, "pk", None)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), CHUNK):
            chunk = pks[start : start + CHUNK]
            marks = f"({', '.join(['%s'] * len(chunk))})"
            cursor.execute(record_sql + marks, [date_param, history_type, user_id, reason, *chunk])
            for sql in links:
                cursor.execute(sql + marks, [date_param, history_type, *chunk])


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


class WrittenMeanwhile(Exception):
    """Raised by :meth:`~registry.resource_base.RegistryResource.after_import` (the import's
    base error, nothing written) when the database refused the write (``IntegrityError``) after
    every row had passed the rules: another writer saved a record breaking one of them with this
    file's rows meanwhile (two imports of the same new slugs at once; adversarial probe,
    helper-102: the loser's report was PostgreSQL's own English text). Its message names the rule
    and the field as the API's 409 does (:func:`registry.models.base.refused_rule`), without the
    database's text."""

    def __init__(self, error: IntegrityError, model):
        refused = refused_rule(error, model)
        rule = refused.message if refused else str(CONCURRENT_CHANGE)
        super().__init__(
            _(
                "Nothing was imported: %(rule)s Someone else saved a record while the file was being "
                "written. Import the file again to see its preview."
            )
            % {"rule": rule}
        )


class ChangedMeanwhile(Exception):
    """Raised by :meth:`~registry.resource_base.RegistryResource.write` when a row's record was changed, or a rule that
    reads other rows broken, by another writer after the file was validated: ``errors`` maps an
    index in ``created + updated`` to its ``ValidationError``. Nothing is written."""

    def __init__(self, errors: dict[int, ValidationError]):
        super().__init__(errors)
        self.errors = errors
