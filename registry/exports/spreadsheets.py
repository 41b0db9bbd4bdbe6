"""CSV and XLSX: the columns of a :class:`~registry.exports.rows.Table`, one row per line or
worksheet row, every text cell through :func:`registry.text.neutralise_formula` (:func:`cell`)."""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import QuerySet

from ..text import neutralise_formula
from .rows import Table, records
from .tables import TABLES


def cell(value) -> str:
    """A CSV cell: empty for ``None``, numbers as written (``-70.5`` stays a number), text
    through :func:`~registry.text.neutralise_formula` (``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``)."""
    if type(value) is str:  # most cells: tested first
        return neutralise_formula(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralise_formula(str(value))


class _Line:
    """A file-like target for ``csv.writer`` that hands back the line it is given."""

    def write(self, line: str) -> str:
        return line


def csv_lines(rows: QuerySet | Iterable, *, user=None, table: Table | None = None) -> Iterator[str]:
    """CSV (RFC 4180, ``\\r\\n`` line ends) of ``rows``, line by line, the header first.

    ``rows`` is a queryset (its model's table unless ``table`` is given; only the rows
    ``user`` may see, see :func:`records`) or, with ``table``, rows already computed (the
    countries page's). Encode the lines as UTF-8. Raises ``KeyError`` for a model with no
    table and ``TypeError`` for computed rows without a ``table``.
    """
    if isinstance(rows, QuerySet):
        table = table or TABLES[rows.model]
        rows = records(rows, user=user, table=table)
    elif table is None:
        raise TypeError("csv_lines() needs a table for rows that are not a queryset")
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield writer.writerow(list(table.columns))
    columns = list(table.columns.values())
    for row in rows:
        yield writer.writerow([cell(get(row)) for get in columns])


BOM = "\ufeff"  # UTF-8 byte-order mark: tells Excel (and others) the CSV is UTF-8


# Characters XML 1.0 forbids (control characters but tab and line ends): dropped from cells.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_cell(value):
    """An XLSX cell: numbers stay numbers, text as in the CSV (:func:`cell`, so ``=…`` is never
    a formula) without the control characters XML forbids; ``None`` stays empty."""
    if value is None or (isinstance(value, int | float | Decimal) and not isinstance(value, bool)):
        return value
    return XML_ILLEGAL.sub("", cell(value))


def xlsx_file(rows: QuerySet | Iterable, *, user=None, table: Table | None = None, title: str = "rows"):
    """An XLSX workbook of ``rows`` (the same rows and columns as :func:`csv_lines`), as an open
    temporary file at its start (deleted when closed). openpyxl's write-only mode writes each
    row out as it comes, so memory does not grow with the number of rows. ``title`` names the
    worksheet (at most 31 characters). Raises what :func:`csv_lines` raises."""
    from openpyxl import Workbook

    if isinstance(rows, QuerySet):
        table = table or TABLES[rows.model]
        rows = records(rows, user=user, table=table)
    elif table is None:
        raise TypeError("xlsx_file() needs a table for rows that are not a queryset")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "rows")
    sheet.append(list(table.columns))
    columns = list(table.columns.values())
    for row in rows:
        sheet.append([xlsx_cell(get(row)) for get in columns])
    target = tempfile.TemporaryFile()
    workbook.save(target)
    target.seek(0)
    return target
