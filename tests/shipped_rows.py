"""The shipped data for tests, loaded once per test process and written again from its rows.

``make run`` loads the shipped fixtures with ``loaddata`` and gives each row a first history record
with ``populate_history``. Done so for every test that asks for the shipped data (226 tests), that
was 2–3 s of a slow machine's CPU each: some 10 minutes of each database's half of ``make test``.
:func:`load_shipped` does it so the first time in a process and keeps the rows it added, table by
table (:class:`ShippedRows`); later tests get the same rows written back by plain ``INSERT`` s in
one transaction, which gives the database the same rows as the load did:

* the values as the database returned them, keys included, so every foreign key holds;
* each history record's date set to the present time of the test (``timezone.now()``, a
  ``clock`` fixture's if the test has one), as ``populate_history`` dates them when it runs (the
  records' own times, ``created_at`` and ``updated_at``, are the fixtures', as ``loaddata``
  writes them);
* PostgreSQL's sequences moved past the keys written, as ``loaddata`` moves them;
* the registry's change recorded once (:func:`registry.cache.record_change`), as the load's
  saves record it.

A test whose own rows, made before the shipped data, took one of those keys (a history record of
a city its fixture made first) gets the full load instead, as does a process whose load changed a
row that was there before (a row a migration made), which plain inserts could not give back.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from registry.cache import record_change


@dataclass
class Table:
    """The rows one load added to one table: ``columns`` (their names, the key's among them at
    ``key``), ``rows`` (tuples as the database returned them), the number of rows the table had
    before the load (``had``) and, by column index, the columns set to the present time on each
    write (``stamped``: a history record's date)."""

    name: str
    model: type[models.Model]
    columns: list[str]
    key: int
    rows: list[tuple]
    had: int
    stamped: dict[int, models.Field]


class ShippedRows:
    """The rows a load of the shipped data added, by table (:func:`load_shipped`)."""

    def __init__(self, tables: list[Table]):
        self.tables = tables

    def free(self) -> bool:
        """Whether every table is as the first load found it: as many rows, none with a key in
        the range of those to write (one query per table). A test that made rows of these tables
        before asking for the shipped data gets the load itself: ``populate_history`` gives no
        history to a model that has some, and ``loaddata`` overwrites a row with a fixture's key."""
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table in self.tables:
                key = quote(table.columns[table.key])
                cursor.execute(
                    f"SELECT COUNT(*), COUNT(CASE WHEN {key} BETWEEN %s AND %s THEN 1 END) FROM {quote(table.name)}",
                    [table.rows[0][table.key], table.rows[-1][table.key]],
                )
                if cursor.fetchone() != (table.had, 0):
                    return False
        return True

    def write(self) -> None:
        """Insert every row, stamped with the present time, then move PostgreSQL's sequences."""
        quote = connection.ops.quote_name
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            for table in self.tables:
                stamps = {index: field.get_db_prep_value(now, connection) for index, field in table.stamped.items()}
                rows = [
                    tuple(stamps.get(index, value) for index, value in enumerate(row)) if stamps else row
                    for row in table.rows
                ]
                marks = ", ".join(["%s"] * len(table.columns))
                names = ", ".join(quote(column) for column in table.columns)
                cursor.executemany(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", rows)
            for statement in connection.ops.sequence_reset_sql(no_style(), [table.model for table in self.tables]):
                cursor.execute(statement)
        record_change()


# By database vendor: the rows of the first load in this process, or None where they cannot be
# written back (the load changed a row that was there before it).
_KEPT: dict[str, ShippedRows | None] = {}


def load_shipped(fixtures: tuple[str, ...]) -> None:
    """Give the test database the shipped data, as ``make run`` loads it (``loaddata`` of
    ``fixtures``, then ``populate_history``): the first time in this process by loading it, after
    that by writing the rows that load added (:class:`ShippedRows`) where their keys are free."""
    kept = _KEPT.get(connection.vendor)
    if kept is not None and kept.free():
        kept.write()
        return
    first = connection.vendor not in _KEPT
    before = _all_rows() if first else None
    call_command("loaddata", *fixtures, verbosity=0)
    call_command("populate_history", auto=True, stdout=io.StringIO())
    if first:
        _KEPT[connection.vendor] = _added_rows(before, _all_rows())


def _tables() -> dict[str, type[models.Model]]:
    """Every table of an installed model (history and many-to-many tables included), by name."""
    return {
        model._meta.db_table: model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def _all_rows() -> dict[str, tuple[list[str], set[tuple]]]:
    """Each table's column names and rows, as the database returns them."""
    quote = connection.ops.quote_name
    found = {}
    with connection.cursor() as cursor:
        for name, model in _tables().items():
            columns = [field.column for field in model._meta.concrete_fields]
            cursor.execute(f"SELECT {', '.join(quote(column) for column in columns)} FROM {quote(name)}")
            found[name] = (columns, set(cursor.fetchall()))
    return found


def _added_rows(before: dict, after: dict) -> ShippedRows | None:
    """The rows in ``after`` and not in ``before``, by table; ``None`` if a row of ``before``
    changed or went (its key is in ``after`` with other values, or no longer there)."""
    models_by_table = _tables()
    tables = []
    for name, (columns, rows) in after.items():
        old = before[name][1]
        if not old <= rows:
            return None  # a row that was there changed or went
        new = rows - old
        if not new:
            continue
        model = models_by_table[name]
        key = columns.index(model._meta.pk.column)
        added = sorted(new, key=lambda row, key=key: row[key])
        stamped = {
            columns.index(field.column): field for field in model._meta.concrete_fields if field.name == "history_date"
        }
        tables.append(Table(name, model, columns, key, added, len(old), stamped))
    return ShippedRows(tables)
