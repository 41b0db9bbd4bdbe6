"""The machinery every spreadsheet resource shares (django-import-export): rows matched by natural
key (:class:`~registry.resource_rows.NaturalKeyLoader`), validated in bulk and written all or nothing
(:class:`RegistryResource`, re-checked under locks at the write, :meth:`RegistryResource.recheck`),
the offices' limit (:class:`~registry.resource_rows.OfficeLimit`); the shared ``Meta`` is
:func:`~registry.resource_rows.resource_meta` and the write's refusals are in
:mod:`registry.resource_writes` (:class:`~registry.resource_writes.ChangedMeanwhile`).

Split from :mod:`registry.resources` (the resources of each model, which describes the whole)
so that neither module passes ~600 lines; what a file's rows meet before the rules (the stored
records they match, the offices' limit, their results) is in :mod:`registry.resource_rows`.
"""

from __future__ import annotations

import copy

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    MultipleObjectsReturned,
    ObjectDoesNotExist,
    ValidationError,
)
from django.db import IntegrityError, models, transaction
from django.db.models import NOT_PROVIDED
from django.db.models.base import ModelState
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.results import RowResult

from . import change_reasons
from .bulk_validation import full_clean_many
from .cache import record_change
from .dates import PARTIAL_DATE_NO_SUCH_DAY, NoSuchDay, iso_partial
from .import_widgets import (
    CHUNK,
    INTEGER_FIELDS,
    CoarserThanPrecision,
    FiniteDecimalWidget,
    NotWholeNumber,
    PartialDateWidget,
    SlugWidget,
    WholeNumberWidget,
    file_row,
)
from .models import same_period, truncate_to_precision
from .models.base import no_such_record
from .resource_rows import (  # MissingColumnsError: re-exported by registry.resources
    VERSION_COLUMN,
    LazyRowResult,
    MissingColumnsError,
    OfficeLimit,
    SeveralInPeriod,
    blank_record,
    cell_error,
    check_file,
    plain_cell,
    preview_cells,
    short_choice_lists,
    stale_version,
)
from .resource_writes import (
    ChangedMeanwhile,
    WrittenMeanwhile,
    changed_columns,
    changed_since_preview,
    insert_rows,
    update_columns,
    write_history,
)
from .text import neutralise_formula, restore_formula


class RegistryResource(resources.ModelResource):
    """Shared behaviour: all-or-nothing imports and formula-safe exports.

    On export, a text cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
    return) gets a leading apostrophe so spreadsheet programs show it as text instead of
    running it (numbers such as ``-118.25`` are left alone); on import that apostrophe is
    removed again, so an exported file re-imports unchanged.
    """

    # Numbers: finite only, and whole in an integer column (the library's widgets take "NaN" and
    # cut 1.9 to 1). Long text as short text: an empty cell is "" (an XLSX file gives None, which
    # the library's default widget kept, so a city's empty notes read as a change).
    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        "TextField": widgets.CharWidget,
        "DecimalField": FiniteDecimalWidget,
        **dict.fromkeys(INTEGER_FIELDS, WholeNumberWidget),
    }

    # The record's version when the file was exported: a changed row of a file exported before
    # someone else's change is refused (stale_version), as the API refuses a stale ETag.
    version = fields.Field(attribute="version", column_name=VERSION_COLUMN, readonly=True, widget=WholeNumberWidget())

    def get_import_fields(self):
        """The library's list, computed once per resource (it is asked several times per row)."""
        if getattr(self, "_import_fields", None) is None:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def before_import(self, dataset, **kwargs):
        """Read the records the file names by slug (:class:`SlugWidget`), once."""
        self.pending: list[tuple[int, dict, RowResult]] = []
        self.several_in_period: dict[int, SeveralInPeriod] = {}  # by id() of the row
        headers = set(dataset.headers or ())
        self.file_fields = [  # what import_instance reads of each row, once per file
            field
            for field in self.get_import_fields()
            if field.attribute
            and field.column_name in headers
            and not isinstance(field.widget, widgets.ManyToManyWidget)
        ]
        # Read without the library's layers (the version is read-only, so never one of them).
        self.plain_cells = frozenset(field for field in self.file_fields if plain_cell(field))
        self.blank = blank_record(self._meta.model)
        SlugWidget.load(
            (field.widget, dataset[field.column_name])
            for field in self.get_import_fields()
            if isinstance(field.widget, SlugWidget) and field.column_name in (dataset.headers or [])
        )

    def init_instance(self, row=None):
        """A new record of the model, as the library's ``model()`` makes it: a copy of the values of
        a record made once per file (:func:`~registry.resource_rows.blank_record`), without the 23 defaults, descriptors
        and signals of ``Model.__init__`` per row (7 % of an import of new cities, profiled); a
        model whose records something watches as they are made (a ``pre_init`` or ``post_init``
        receiver) or with a default made anew for each record is made by ``model()`` itself."""
        blank = getattr(self, "blank", None)  # made by before_import
        if blank is None:
            return super().init_instance(row)
        model = self._meta.model
        record = model.__new__(model)
        record.__dict__.update(blank)
        record._state = ModelState()
        return record

    def get_instance(self, instance_loader, row):
        """The existing row with this file row's natural key, or ``None`` (also when a key
        cell is unreadable: :meth:`import_field` then reports it under its column, and when a
        date without its precision names several stored records, :class:`SeveralInPeriod`,
        reported under the date's column)."""
        try:
            return super().get_instance(instance_loader, row)
        except SeveralInPeriod as several:
            self.several_in_period[id(row)] = several
            return None
        except (ValueError, ArithmeticError, ObjectDoesNotExist, MultipleObjectsReturned):
            return None

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """As the library's, but a cell that is not a number, not a date or names no record
        raises ``ValueError`` naming the cell's value and the rule, so the preview lists it under
        that column (the library ties only ``ValueError`` to a field). The message does not name
        the column: wherever it is shown, its column is (under the cell and "Row 4, column
        “established_on”: …" in the preview, the job page's Column, the admin's messages); it was
        named twice (found by a new user)."""
        several = self.several_in_period.get(id(row)) if self.several_in_period else None
        if several is not None and several.args[0].attribute == field.attribute:
            _field, day, precision, records = several.args
            raise ValueError(
                _(
                    "“%(value)s” names the start of %(count)s stored %(records)s (%(dates)s): give the date to the "
                    "day, or its precision, to say which."
                )
                % {
                    "value": iso_partial(day, precision),
                    "count": len(records),
                    "records": self._meta.model._meta.verbose_name_plural,
                    "dates": ", ".join(
                        iso_partial(getattr(r, field.attribute), getattr(r, field.widget.precision_column))
                        for r in records
                    ),
                }
            )
        try:
            if field in self.plain_cells and not is_m2m:
                # What the library's import_field, Field.save and Field.clean do for such a cell,
                # without their three calls and checks (a tenth of a row's reading, profiled).
                value = field.widget.clean(row[field.column_name], row=row, **kwargs)
                if field.default is not NOT_PROVIDED and value in field.empty_values:
                    value = field.default() if callable(field.default) else field.default
                if value is not None or field.saves_null_values:
                    setattr(instance, field.attribute, value)
            elif field.column_name == VERSION_COLUMN:  # read-only: kept aside, never written
                cell = row.get(VERSION_COLUMN)
                instance.version_in_file = field.widget.clean(cell, row) if cell not in (None, "") else None
                return
            else:
                super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)
            if field.attribute in self.short_choice_lists():
                self.check_choice(field, instance, row)
        except ArithmeticError:  # decimal.InvalidOperation from the number widgets
            raise ValueError(_("“%(value)s” is not a number.") % {"value": row.get(field.column_name)}) from None
        except (ObjectDoesNotExist, MultipleObjectsReturned):
            raise ValueError(
                no_such_record(field.widget.model, field.widget.field, row.get(field.column_name))
            ) from None
        except NotWholeNumber:
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": row.get(field.column_name)}) from None
        except CoarserThanPrecision as error:
            text, precision, precision_column, wanted = error.args
            raise ValueError(
                _(
                    "“%(value)s” gives the %(precision)s only, but “%(precision_column)s” says %(wanted)s: give "
                    "the full date, or write %(precision)s in “%(precision_column)s”."
                )
                % {
                    "value": text,
                    "precision": precision,
                    "precision_column": precision_column,
                    "wanted": wanted,
                }
            ) from None
        except NoSuchDay as error:  # 2023-02-30: in the form, but no day of the calendar
            raise ValueError(PARTIAL_DATE_NO_SUCH_DAY % {"value": error.args[0]}) from None
        except ValueError:
            if isinstance(field.widget, PartialDateWidget):
                raise ValueError(
                    _("“%(value)s” is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY.")
                    % {"value": row.get(field.column_name)}
                ) from None
            if isinstance(field.widget, widgets.DateWidget):  # a day only: entry into force, an event's end
                raise ValueError(
                    _("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": row.get(field.column_name)}
                ) from None
            raise

    def check_choice(self, field, instance, row) -> None:
        """Refuse, as the error of its own column, a cell of a column with a short list of values
        (the model field's ``choices``, at most ``LISTED_CHOICES``: a kind, a status, a date's
        precision; :meth:`short_choice_lists`) that is none of them, with the field's own message
        (“decade” is not one of: day, month, year.;
        :func:`registry.apps.list_choices_in_errors`). Checked at the cell, the row goes no
        further: the rules read after it (a clash with a stored partnership, "changed only as a
        correction") added a second, misleading error about a value that is not there (adversarial
        probe). An empty cell is left to the model's own check (required or not)."""
        if field.column_name not in row:
            return
        short_list = self.short_choice_lists().get(field.attribute)
        if short_list is None:
            return  # no choices, or a long list (countries, currencies): its own message, at validation
        model_field, values = short_list
        value = getattr(instance, model_field.attname, None)
        if value in values or value in model_field.empty_values:
            return
        try:
            model_field.validate(value, instance)
        except ValidationError as error:
            if error.code == "invalid_choice":
                raise ValueError(error.messages[0]) from None

    def short_choice_lists(self) -> dict[str, tuple[models.Field, frozenset]]:
        """:func:`~registry.resource_rows.short_choice_lists` of this resource, once per resource."""
        if getattr(self, "_short_choice_lists", None) is None:
            self._short_choice_lists = short_choice_lists(self._meta.model, self.get_import_fields())
        return self._short_choice_lists

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """As the library's, but in bulk and all or nothing: every row is read and validated
        outside any transaction (a preview writes nothing and takes no write lock), and only a
        file without errors is written, in one transaction at the end (:meth:`after_import`).
        ``user`` (keyword) is the author of the history records, ``file_name`` (keyword, the
        library's: the file's name as uploaded) their change reason, "Imported from the file
        “cities.csv”" (:data:`registry.change_reasons.IMPORTED`); ``progress`` (keyword, optional)
        is called with the number of rows read every 500 rows; ``on_write`` (keyword, optional) is
        called inside :meth:`write`'s transaction before anything is written, and an exception it
        raises rolls the import back (reported as the result's error); ``on_written`` (keyword,
        optional) is called in the same transaction once every row is written, so that what it
        records (a background job's ``imported``) is committed with the rows or not at all;
        ``preview=False`` (keyword)
        leaves out the preview's cells (:func:`preview_cells`) when nobody will see them. Returns
        the library's ``Result``; a row that breaks a rule is an invalid row with its errors by field;
        a file :func:`~registry.resource_rows.check_file` refuses is its one error (``base_errors``), no row read.

        The result's ``rows_read`` gives, by file row number (the library's, from 1), the stored
        record each row matched as ``(pk, version)``; a new row is not in it. Confirming a preview
        passes the preview's as ``previewed`` (keyword, keys may be strings, as JSON gives them): a
        row whose stored record is no longer the one the preview showed (changed, deleted or
        added since) is then refused under locks (:meth:`recheck`) and nothing is written, so a
        confirmation cannot undo an edit made after its preview."""
        kwargs.pop("rollback_on_validation_errors", None)
        kwargs.pop("collect_failed_rows", None)
        self.user = kwargs.get("user")
        self.file_name = kwargs.get("file_name")
        self.office = OfficeLimit(self.user)
        self.progress = kwargs.pop("progress", None)
        self.on_write = kwargs.pop("on_write", None)
        self.on_written = kwargs.pop("on_written", None)
        self.preview = kwargs.pop("preview", True)
        previewed = kwargs.pop("previewed", None)
        self.previewed = None if previewed is None else {int(row): tuple(read) for row, read in previewed.items()}
        self.rows_read: dict[int, tuple[int, int]] = {}
        self.dry_run = dry_run
        try:
            check_file(self, dataset)
        except MissingColumnsError as error:  # the library would go on reading every row
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            result.total_rows = len(dataset)
            self.handle_import_error(result, error, raise_errors)
            return result
        # An exported cell's formula guard (``'-foo``) is removed before anything reads the file: the
        # stored records a file names were looked up by the guarded cell, so a city whose slug
        # starts with "-" was not found and its row refused as a duplicate (adversarial probe).
        for index, row in enumerate(list(dataset)):
            if any(isinstance(cell, str) and cell.startswith("'") for cell in row):  # the rest are as read
                dataset[index] = tuple(restore_formula(cell) for cell in row)
        result = self.import_data_inner(dataset, dry_run, raise_errors, False, False, **kwargs)
        result.rows_read = self.rows_read
        return result

    def after_init_instance(self, instance, new, row, **kwargs):
        """Keep a shallow copy of a stored record as it is (``stored_copy``; ``None`` for a new
        one): :meth:`skip_row` compares with it, the preview shows what changes, and
        :meth:`after_import` asks whether an office may change it before and after the row. It
        replaces the library's deep copy and diff (``skip_diff``), most of a row's cost."""
        instance.stored_copy = None if new else copy.copy(instance)
        if not new and "as_read" not in instance.__dict__:
            # The record as the database gave it, kept from the first row naming it: a second row
            # of the same record gets the instance the first changed (its stored_copy is that).
            instance.as_read = instance.stored_copy
        row_number = kwargs.get("row_number")
        if not new:
            self.rows_read[row_number] = (instance.pk, instance.as_read.version)
        if self.previewed is not None:  # what the preview showed this row as (None: new)
            instance.previewed_as = self.previewed.get(row_number)

    def import_instance(self, instance, row, **kwargs):
        """As the library's (each cell read by :meth:`import_field`; a ``ValueError`` is the error
        of its field, all of a row's raised together as one ``ValidationError``), but over the
        columns the file has only (``file_fields``, listed once per file by
        :meth:`before_import`): the library asked every field of the resource on every row,
        fifteen for a city's nine columns, which with its checks per cell was 60 µs of a row's
        220. Then each partial date (:class:`PartialDateWidget`) as it will be
        stored, so :meth:`skip_row` and the preview compare it so. With its precision column, the
        date is cut to that precision by the model's rule
        (:func:`~registry.models.base.truncate_to_precision`; the widget already cut it). In a row
        that does not give the precision (no column, or an empty cell), a date naming the same period as the stored one
        (:func:`~registry.models.base.same_period`: ``2023-06-15`` or ``2023`` over a stored June
        2023) is no change, and any other date is taken with the precision it is written to, as
        the API takes it (``1989`` is the year 1989, ``1989-10-24`` that day)."""
        errors = {}
        for field in self.file_fields:
            try:
                self.import_field(field, instance, row, **kwargs)
            except ValueError as error:
                errors[field.attribute] = ValidationError(str(error), code="invalid")
        if errors:
            raise ValidationError(errors)
        instance.compose_texts()  # as it will be stored, so an unchanged row in decomposed form is unchanged
        stored = instance.stored_copy
        for field in self.file_fields:
            widget = field.widget
            if not isinstance(widget, PartialDateWidget):
                continue
            # The precision column is named as the model's field (``established_precision``).
            precision_field = widget.precision_column
            if widget.said(row) is not None:
                value = getattr(instance, field.attribute)
                setattr(instance, field.attribute, truncate_to_precision(value, getattr(instance, precision_field)))
                continue
            day, written = widget.read(row[field.column_name], row)
            if stored is not None and same_period(
                day, written, getattr(stored, field.attribute), getattr(stored, precision_field)
            ):
                day, written = getattr(stored, field.attribute), getattr(stored, precision_field)
            setattr(instance, field.attribute, day)
            if day is not None:
                setattr(instance, precision_field, written)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A stored row whose every imported value is unchanged (read-only columns, such as
        the duplicate hint, are no change) is skipped; a new row or one with errors is not. A
        partial date is compared as it will be stored, cut to its precision (:meth:`import_instance`):
        ``2023-06-15`` with ``month`` over a stored 2023-06-01 is unchanged."""
        stored = instance.stored_copy
        if import_validation_errors or stored is None:
            return False
        return all(
            field.get_value(instance) == field.get_value(stored)
            for field in self.get_import_fields()
            if not field.readonly
        )

    def import_row(self, row, instance_loader, **kwargs):
        """As the library's, then the preview's cells of a skipped row (:meth:`show`); those of
        a new or changed row are made once the rows are validated (:meth:`after_import`)."""
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.import_type == RowResult.IMPORT_TYPE_SKIP:
            self.show(row_result)
        return row_result

    def show(self, row_result) -> None:
        """The preview's cells of a new, changed or skipped row (:func:`preview_cells`) in a dry
        run (the preview; a confirmed import shows only its totals) unless the import was asked
        with ``preview=False``."""
        if self.preview and self.dry_run and row_result.instance is not None:
            row_result.diff = preview_cells(self, row_result.instance, row_result.instance.stored_copy)

    def get_row_result_class(self):
        return LazyRowResult

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Only the cells' own errors here, and a stale ``version`` cell of a new or changed row
        (:func:`~registry.resource_rows.stale_version`; an unchanged row is skipped before it, so a
        file imported twice still changes nothing); the rules are checked for all rows at once in
        :meth:`after_import`. A row with a cell's error also gets the errors of its other fields,
        each checked alone (the model's ``clean_fields``, less the fields whose cell failed), so one
        round shows every mistake of the row: a city's unknown ``admin_level`` hid its latitude of
        200 and its negative population until the file came back (new-user probe). The rules over
        several fields or rows are left out, as their verdict on a row with a wrong cell misleads."""
        errors = dict(import_validation_errors or {})
        key = [self.fields[name].column_name for name in self.get_import_id_fields()]
        stale = stale_version(instance, key)
        if stale is not None and VERSION_COLUMN not in errors:
            errors[VERSION_COLUMN] = [ValidationError(stale, code="stale_version")]
        if errors:
            try:
                instance.clean_fields(exclude=self.failed_fields(errors))
            except ValidationError as error:
                for name, messages in error.error_dict.items():
                    errors.setdefault(name, []).extend(messages)
            raise ValidationError(errors)

    def failed_fields(self, errors: dict) -> set[str]:
        """The model fields of the columns in ``errors`` (by column name or field name), which
        :meth:`validate_instance` does not check again."""
        failed = set(errors)
        for field in self.get_import_fields():
            if field.column_name in errors and field.attribute:
                failed.add(field.attribute)
        return failed

    def after_import_row(self, row, row_result, **kwargs):
        if self.progress is not None and kwargs["row_number"] % 500 == 0:
            self.progress(kwargs["row_number"])
        if row_result.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE):
            self.pending.append((kwargs["row_number"], row, row_result))

    def bulk_create(self, *args, **kwargs):
        """Nothing yet: rows are written by :meth:`after_import` once all are valid."""

    def bulk_update(self, *args, **kwargs):
        """Nothing yet: rows are written by :meth:`after_import` once all are valid."""

    def after_import(self, dataset, result, **kwargs):
        """Validate the new and changed rows together (:func:`full_clean_many`); a row that
        breaks a rule becomes an invalid row with its errors by field. The preview's cells of
        the others (:meth:`show`) are read after it, as the rows will be stored: validation
        normalises as the model's ``clean()`` does (a date to its precision: ``2023-06-15`` with
        ``month`` is shown and stored as ``2023-06-01``; found by a new user, the preview showed the
        cell as written). Then, unless this is a dry run or any row has an error, write them in
        one transaction with their history records (by ``user``) and record the change once."""
        records = [row_result.instance for _number, _row, row_result in self.pending]
        row_label = _("Row %(number)s")  # translated once, not once per row (2.7 % of an import, profiled)
        labels = [row_label % {"number": file_row(number)} for number, _row, _result in self.pending]
        errors = full_clean_many(records, labels=labels)
        for _number, _row, row_result in self.pending:
            self.show(row_result)
        for index, record in enumerate(records):
            stored = getattr(record, "stored_copy", None)
            if self.office.allows(record) and (stored is None or self.office.allows(stored)):
                continue
            found = errors[index].update_error_dict({}) if index in errors else {}
            found.setdefault(NON_FIELD_ERRORS, []).insert(0, ValidationError(self.office.refusal))
            errors[index] = ValidationError(found)
        self.mark_invalid(result, errors)
        if self.dry_run or result.has_errors() or result.has_validation_errors():
            return
        created = [r.instance for _n, _r, r in self.pending if r.import_type == RowResult.IMPORT_TYPE_NEW]
        updated = [r.instance for _n, _r, r in self.pending if r.import_type == RowResult.IMPORT_TYPE_UPDATE]
        try:
            self.write(created, updated)
        except IntegrityError as error:
            raise WrittenMeanwhile(error, self._meta.model) from error
        except ChangedMeanwhile as changed:
            position = {id(record): index for index, record in enumerate(records)}
            written = created + updated
            self.mark_invalid(result, {position[id(written[i])]: error for i, error in changed.errors.items()})
            return
        for _number, _row, row_result in self.pending:
            row_result.object_id = row_result.instance.pk

    def mark_invalid(self, result, errors: dict[int, ValidationError]) -> None:
        """Make each pending row ``index`` of ``errors`` an invalid row of ``result`` with its error.
        An empty cell of a required reference (``city``), Django's "This field cannot be null."
        ("이 필드는 null 값을 사용할 수 없습니다."), reads as every other empty cell's, "This field
        cannot be blank." (code ``blank``): a spreadsheet has no null (adversarial probe)."""
        for index, error in list(errors.items()):
            if hasattr(error, "error_dict"):
                found = error.error_dict.items()
                errors[index] = ValidationError(
                    {f: [cell_error(self._meta.model, f, m) for m in ms] for f, ms in found}
                )
        for index, error in sorted(errors.items()):
            number, row, row_result = self.pending[index]
            result.totals[row_result.import_type] -= 1
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = error
            result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
            result.append_invalid_row(number, row, error)
        result.invalid_rows.sort(key=lambda invalid: invalid.number)

    def write(self, created: list, updated: list) -> None:
        """Insert ``created`` and update ``updated`` (instances of this resource's model) in one
        transaction, each with its history record by ``self.user``; then :func:`record_change`.

        The rows were validated before it, outside any transaction (:meth:`import_data`); what
        another writer may have changed since is checked again inside it, under locks
        (:meth:`recheck`), and raises :class:`ChangedMeanwhile` (nothing written) if it did. The
        caller's ``on_write`` (:meth:`import_data`) runs first in the transaction and its
        ``on_written`` last; what either raises propagates and nothing is written."""
        model = self._meta.model
        with transaction.atomic():
            if self.on_write is not None:
                self.on_write()
            errors = self.recheck(created, updated)
            if errors:
                raise ChangedMeanwhile(errors)
            self.read_for_write(created, updated)
            now = timezone.now()
            for record in created + updated:
                record.before_write()
            for record in updated:
                record.updated_at = now
            reason = change_reasons.written(change_reasons.IMPORTED, file=self.file_name) if self.file_name else None
            history = {"user": self.user, "reason": reason, "date": now}
            if created:
                insert_rows(model, created)
                write_history(model, [record.pk for record in created], history_type="+", **history)
            if updated:
                # What bulk_update_with_history (django-simple-history) does, the update with
                # update_columns and the history records copied by the database, with their
                # many-to-many rows (write_history).
                update_columns(model, updated, changed_columns(model, updated))
                write_history(model, [record.pk for record in updated], history_type="~", **history)
            if self.on_written is not None:
                self.on_written()
        record_change()

    def read_for_write(self, created: list, updated: list) -> None:
        """What the records' writes read besides their rows (nothing here; a city's former names,
        :class:`registry.resources.CityResource`), read inside :meth:`write`'s transaction once
        :meth:`recheck` has locked the rows, so that nothing changed since is overwritten."""

    def recheck(self, created: list, updated: list) -> dict[int, ValidationError]:
        """Inside :meth:`write`'s transaction, the errors (by index in ``created + updated``) of
        what may have changed since the rows were read: a changed row whose stored ``version`` is
        no longer the one the file was read against (another writer saved it since: an action, an
        edit; its row is locked on PostgreSQL until the import ends), and the rules that read other
        rows (the model's ``clean_together``, e.g. the overlap of a partnership's periods, which
        locks the cities it names). Found by the adversarial probe: a suspension recorded during
        an import's confirmation was overwritten, and an overlapping partnership posted meanwhile
        was stored beside the imported one.

        Confirming a preview (``previewed``, :meth:`import_data`), each row's stored record is
        compared with the one the preview showed instead: changed since (a row the preview showed
        unchanged would now undo the edit), deleted since (the row would create it again) or added
        since (the row would change a record the preview showed as new) refuses the row."""
        model = self._meta.model
        records = created + updated
        current = {}
        pks = sorted({record.pk for record in updated})
        for start in range(0, len(pks), CHUNK):
            locked = model._base_manager.select_for_update().filter(pk__in=pks[start : start + CHUNK]).order_by("pk")
            current.update(locked.values_list("pk", "version"))
        errors = {}
        for index, record in enumerate(records):
            stored = (record.pk, current.get(record.pk)) if index >= len(created) else None
            if self.previewed is not None:
                message = changed_since_preview(getattr(record, "previewed_as", None), stored)
            elif stored is not None and stored[1] != record.version:
                message = _(
                    "This record was changed by someone else after the file was read: nothing was "
                    "imported. Import the file again."
                )
            else:
                message = None
            if message is not None:
                errors[index] = ValidationError({NON_FIELD_ERRORS: [ValidationError(message, code="changed")]})
        clean_together = getattr(model, "clean_together", None)
        if clean_together is not None:
            for index, error in clean_together(records).items():
                errors.setdefault(index, error)
        return errors

    def export(self, *args, **kwargs):
        """The library's export, each text cell formula-safe (:func:`~registry.text.neutralise_formula`),
        titled with the records' plural name in English (an XLSX file's sheet; it was "Tablib
        Dataset", new-user probe)."""
        dataset = super().export(*args, **kwargs)
        for index, row in enumerate(list(dataset)):
            dataset[index] = tuple(neutralise_formula(cell, numeric_text_is_number=True) for cell in row)
        with translation.override("en"):
            dataset.title = str(self._meta.model._meta.verbose_name_plural)
        return dataset
