"""The cell readers of spreadsheet imports (django-import-export widgets) that the registry's
resources (:mod:`registry.resources`) use: dates as YYYY-MM-DD, finite numbers, whole numbers in
integer columns, and records named by slug, looked up once per file."""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connections, models, router
from django.dispatch import receiver
from django.utils import formats
from import_export import fields, widgets

from .dates import PARTIAL_DATE, PRECISION_RANK, coarser_than, iso_partial, parse_partial_date
from .models.base import truncate_to_precision, values_in
from .text import UNSTORABLE


class DateCellWidget(widgets.DateWidget):
    """A ``YYYY-MM-DD`` date; a spreadsheet's date cell, which an XLSX file gives as a datetime
    at midnight (the admin's own XLSX export writes dates so), is its day: a ``datetime`` never
    equals the stored ``date``, so the row was taken for a change, or for a partnership (its
    start date is part of its key) for a new relation clashing with itself. Spaces around a text
    are no part of it, and ``2023-02-30`` raises :class:`~registry.dates.NoSuchDay` (reported as
    no day of the calendar, as in a partial date's column; adversarial probe)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = value.strip()  # " 2030-01-01 " as a partial date's cell reads it
            if value.count("-") == 2 and PARTIAL_DATE.fullmatch(value):
                parse_partial_date(value)  # NoSuchDay for 2023-02-30: the one reading of a written date
        value = super().clean(value, row, **kwargs)
        return value.date() if isinstance(value, datetime.datetime) else value


DATE = DateCellWidget(format="%Y-%m-%d")


class PartialDateWidget(DateCellWidget):
    """A date cell of a column with a precision column (``established_on`` with
    ``established_precision``): ``YYYY-MM-DD`` as before, or written to its precision, ``YYYY``
    or ``YYYY-MM``, as the API takes it (:func:`registry.dates.parse_partial_date`), read as the
    first day of that year or month. A cell coarser than the row's precision column says, e.g.
    ``2023-06`` with ``day``, raises :class:`CoarserThanPrecision`; a text that is no date,
    ``ValueError``. A precision cell that names no precision (``decade``) is the error of its own column only
    (:meth:`registry.resource_base.RegistryResource.import_field`). Written at its precision by
    :class:`PartialDateColumn` (a file exported then imported is unchanged).

    The date is read as it will be stored: cut to the row's precision by the model's rule
    (:func:`~registry.models.base.truncate_to_precision`), so ``2023-06-15`` with ``month`` is
    2023-06-01 both when the row is matched with a stored one (a partnership's start date is
    part of its key) and when an unchanged row is skipped (it was an update, or for a
    partnership a clash with itself). In a file without the precision column, or where its cell
    is empty (:meth:`said`), the cell's own precision, as written, is the date's (:meth:`read`; as
    in the API): ``1989`` is the year 1989, never refused as coarser than a precision nobody wrote."""

    def __init__(self, precision_column: str):
        super().__init__(format="%Y-%m-%d")
        self.precision_column = precision_column

    def read(self, value, row=None, **kwargs) -> tuple[datetime.date | None, str]:
        """The cell as ``(first day, precision as written)``: ``"1966"`` or the number cell
        ``1966`` → (1966-01-01, ``"year"``), ``"2023-06"`` → (2023-06-01, ``"month"``), a full date
        or a spreadsheet's date cell → (that day, ``"day"``), an empty cell → (``None``, ``"day"``).
        Raises ``ValueError`` for a text that is no date."""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # a year typed in a spreadsheet is a number cell: 1966 in XLSX
        if not isinstance(value, str) or not value.strip():
            # empty, or a date from an XLSX cell
            return super().clean(value, row, **kwargs), "day"
        return parse_partial_date(value.strip())

    def said(self, row) -> str | None:
        """The row's precision cell without surrounding spaces, or ``None`` when the file has no
        precision column or the cell is empty: the date's precision is then as written (:meth:`read`)."""
        return str((row or {}).get(self.precision_column) or "").strip() or None

    def clean(self, value, row=None, **kwargs):
        day, precision = self.read(value, row, **kwargs)
        wanted = self.said(row)
        if wanted is None:
            return day
        if wanted not in PRECISION_RANK:  # no precision: its column says so (RegistryResource.import_field)
            return day
        if coarser_than(precision, wanted):
            text = str(int(value)) if isinstance(value, float) else str(value).strip()  # 1966.0: a number cell
            raise CoarserThanPrecision(text, precision, self.precision_column, wanted)
        return truncate_to_precision(day, wanted)


class PartialDateColumn(fields.Field):
    """The column of a partial date (``established_on``), read by :class:`PartialDateWidget`
    (``PartialDateColumn("established_on", "established_precision")``) and written at the
    record's precision as every export of the registry writes it
    (:func:`registry.dates.iso_partial`: ``1966``, ``1966-06`` or ``1966-06-30``; an empty cell
    for no date), in CSV and XLSX alike (text, not a date cell), and so shown in the import's
    preview. It was ``1966-01-01``, which reads as 1 January once the precision column is out of
    sight (a new user, in the admin's export and the preview)."""

    def __init__(self, name: str, precision_column: str):
        super().__init__(name, name, PartialDateWidget(precision_column))

    def export(self, instance, **kwargs):
        return iso_partial(self.get_value(instance), getattr(instance, self.widget.precision_column)) or ""


class CoarserThanPrecision(ValueError):
    """A date cell names a year or month while its precision column asks for more (``args``: the
    cell, its precision, the precision column, the column's value)."""


CHUNK = 500  # keys per look-up query and rows per bulk write


def file_row(number: int) -> int:
    """The row of a file's data row ``number`` (django-import-export counts them from 1) as a
    spreadsheet application numbers it, the header being row 1: the first data row is row 2.
    Every “Row N” an import shows is this number (the preview, the messages, a background
    job's errors). Found by a new user: the preview's “Row 1” was the spreadsheet's row 2,
    while the refusal of a formula named the spreadsheet's row."""
    return number + 1


PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


@functools.cache
def _point_is_decimal_separator() -> bool:
    """Whether every language of the site (``LANGUAGE_CODE`` and ``LANGUAGES``) writes a number's
    decimals after a point, by Django's formats (``DECIMAL_SEPARATOR``, read through
    ``FORMAT_MODULE_PATH``): then Django's ``sanitize_separators`` leaves a plain number unchanged.
    Read once; forgotten when one of these settings changes (:func:`_forget_separators`)."""
    languages = (settings.LANGUAGE_CODE, *(code for code, _name in settings.LANGUAGES))
    return all(formats.get_format("DECIMAL_SEPARATOR", lang=code) == "." for code in languages)


@receiver(setting_changed)
def _forget_separators(*, setting, **kwargs) -> None:
    if setting in ("LANGUAGE_CODE", "LANGUAGES", "FORMAT_MODULE_PATH", "USE_THOUSAND_SEPARATOR"):
        _point_is_decimal_separator.cache_clear()


class FiniteDecimalWidget(widgets.DecimalWidget):
    """A number cell as a ``Decimal``; ``NaN``, ``Infinity`` and text that is no number raise
    ``decimal.InvalidOperation`` (:meth:`RegistryResource.import_field` reports it as "not a
    number" under the column). A plain number (``-37.5``: :data:`PLAIN_NUMBER`) is read as it is
    when every language of the site writes decimals after a point, as both of ours do: the
    library's reading, Django's ``sanitize_separators``, would leave it unchanged after asking the
    active language's separators twice, a tenth of a city's import (two number cells of 5,000
    rows, 4.4 µs each: ``get_language`` reads a context-local)."""

    def clean(self, value, row=None, **kwargs):
        if type(value) is str and PLAIN_NUMBER.fullmatch(value) and _point_is_decimal_separator():
            return Decimal(value)
        number = super().clean(value, row, **kwargs)
        if number is not None and not number.is_finite():
            raise InvalidOperation(value)
        return number


class WholeNumberWidget(widgets.IntegerWidget):
    """An integer cell; a number with a fraction (``1.9``) raises :class:`NotWholeNumber` instead
    of being cut to ``1``, and ``NaN``/``Infinity`` are not numbers (:class:`FiniteDecimalWidget`)."""

    def clean(self, value, row=None, **kwargs):
        number = FiniteDecimalWidget().clean(value, row, **kwargs)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise NotWholeNumber(value)
        return super().clean(value, row, **kwargs)


class NotWholeNumber(ValueError):
    """A cell for an integer column holds a number with a fraction."""


INTEGER_FIELDS = (
    "IntegerField",
    "PositiveIntegerField",
    "BigIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
)


class SlugWidget(widgets.ForeignKeyWidget):
    """A record named by its slug, looked up once per file: :meth:`load` reads every slug of the
    file's columns naming this model (a partnership's ``city`` and ``partner``) together, in one
    query (per 500 slugs on SQLite: :func:`~registry.models.base.values_in`), one instance per
    record; a slug that names no record raises ``DoesNotExist``."""

    def __init__(self, model, **kwargs):
        super().__init__(model, "slug", **kwargs)
        self.loaded: dict[str, models.Model] | None = None

    @classmethod
    def load(cls, widgets_and_cells) -> None:
        """Read the records whose slugs are among the cells, for each ``(widget, cells)`` pair
        (a widget and its column's cells); widgets of one model share what was read."""
        by_model: dict[type[models.Model], list] = {}
        for widget, cells in widgets_and_cells:
            by_model.setdefault(widget.model, []).append((widget, cells))
        for model, pairs in by_model.items():
            slugs = sorted(
                {
                    str(value)
                    for _widget, cells in pairs
                    for value in cells
                    if value not in (None, "") and not UNSTORABLE.search(str(value))  # names nothing
                }
            )
            loaded: dict[str, models.Model] = {}
            connection = connections[router.db_for_read(model)]
            for chunk in values_in(model._meta.get_field("slug"), slugs, connection, chunk=CHUNK):
                for record in model._default_manager.filter(slug__in=chunk):
                    loaded[record.slug] = record
            for widget, _cells in pairs:
                widget.loaded = loaded

    def clean(self, value, row=None, **kwargs):
        if self.loaded is None or value in (None, ""):
            return super().clean(value, row, **kwargs)
        try:
            return self.loaded[str(value)]
        except KeyError:
            raise self.model.DoesNotExist from None
