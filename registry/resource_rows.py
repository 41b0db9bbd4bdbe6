"""What a spreadsheet file and its rows meet before the registry's rules (django-import-export):
its columns (:func:`check_file`), the stored records they match by natural key
(:class:`NaturalKeyLoader`, read once per file, a partial date without its precision matched by
period), the offices' limit on what an account may change (:class:`OfficeLimit`), each row's
result (:class:`LazyRowResult`) and its preview's cells (:func:`preview_cells`), and a row
exported before someone else's change (:func:`stale_version`); and the ``Meta`` every resource
shares (:func:`resource_meta`: matched by natural key, validated in bulk). Used by
:class:`registry.resource_base.RegistryResource`; split from it so that neither module passes
~600 lines."""

from __future__ import annotations

import html

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    MultipleObjectsReturned,
    ObjectDoesNotExist,
    ValidationError,
)
from django.db import connections, models, router
from django.db.models import signals
from django.utils.encoding import force_str
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export import fields
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import RowResult

from .apps import LISTED_CHOICES
from .import_widgets import CHUNK, PartialDateWidget, SlugWidget, file_row
from .models import City, may_change, same_period
from .models.base import values_in
from .models.offices import office_city_ids, refusal


class NaturalKeyLoader(ModelInstanceLoader):
    """The stored rows a file matches by its ``import_id_fields``, read once per file (one query
    per 500 values of the first key column) instead of once per row.

    A partial date in the key (a partnership's ``established_on``) of a row that does not give
    its precision (no precision column, or an empty cell) matches a stored record whose date names the same period
    (:func:`~registry.models.base.same_period`): ``1989`` or ``1989-10-24`` finds the partnership
    stored as 1989 (``year``), as the file gives no precision to tell them apart; it was taken for
    a new partnership clashing with the stored one (adversarial probe)."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.key_fields = [resource.fields[name] for name in resource.get_import_id_fields()]
        first = self.key_fields[0]
        values = set()
        for row in dataset.dict if dataset is not None else ():
            try:
                values.add(self.plain(first.clean(row)))
            except (ValueError, ArithmeticError, KeyError, ObjectDoesNotExist, MultipleObjectsReturned):
                continue
        values.discard(None)
        ordered = sorted(values, key=repr)
        model = resource._meta.model
        columns = [model._meta.get_field(field.attribute).attname for field in self.key_fields]
        related = [f for f in model._meta.concrete_fields if f.is_relation and f.name in resource.fields]
        # The records the file names by slug are already read (SlugWidget.load): a stored row's
        # are among them (its key names them), so they are attached, not joined and built again.
        named = {
            field: {record.pk: record for record in widget.loaded.values()}
            for field in related
            if isinstance(widget := resource.fields[field.name].widget, SlugWidget) and widget.loaded is not None
        }
        self.stored: dict[tuple, models.Model] = {}
        queryset = self.get_queryset()
        joined = [field.name for field in related if field not in named]
        if joined:  # select_related() without a name would join every relation
            queryset = queryset.select_related(*joined)
        first_field = model._meta.get_field(columns[0])
        for chunk in values_in(first_field, ordered, connections[queryset.db], chunk=CHUNK):
            for instance in queryset.filter(**{f"{columns[0]}__in": chunk}):
                self.stored[tuple(getattr(instance, column) for column in columns)] = instance
        for field, records in named.items():
            attach_related(list(self.stored.values()), field, records)
        # The key's partial dates, by position in the key: matched by period in a row that does
        # not give their precision.
        self.periods = {
            position: field
            for position, field in enumerate(self.key_fields)
            if isinstance(field.widget, PartialDateWidget)
        }
        self.by_rest: dict[tuple, list[models.Model]] = {}
        for position in self.periods:
            for key, instance in self.stored.items():
                self.by_rest.setdefault((position, *key[:position], *key[position + 1 :]), []).append(instance)

    @staticmethod
    def plain(value):
        """A key cell's value as stored: a record's primary key, anything else as it is."""
        return value.pk if isinstance(value, models.Model) else value

    def get_instance(self, row):
        key = tuple([self.plain(field.clean(row)) for field in self.key_fields])
        found = self.stored.get(key)
        if found is not None:
            return found
        for position, field in self.periods.items():
            if field.widget.said(row) is not None:
                continue
            day, precision = field.widget.read(row.get(field.column_name), row)
            precision_column = field.widget.precision_column
            matches = [
                instance
                for instance in self.by_rest.get((position, *key[:position], *key[position + 1 :]), ())
                if same_period(day, precision, getattr(instance, field.attribute), getattr(instance, precision_column))
            ]
            if len(matches) > 1:
                raise SeveralInPeriod(field, day, precision, matches)
            if matches:
                return matches[0]
        return None


def attach_related(instances: list[models.Model], field: models.ForeignKey, records: dict) -> None:
    """Give each of ``instances`` its record of ``field`` (a foreign key) from ``records`` (by
    primary key, records already read), as ``select_related`` would, without joining and building
    them again: 0.65 s of 3.5 s in a check of 5,000 changed partnerships (``bench/imports.py``)
    built their cities a second time. The records not among ``records`` are read in one query per
    :data:`~registry.import_widgets.CHUNK` (none when every one is there)."""
    missing = sorted(
        {pk for instance in instances if (pk := getattr(instance, field.attname)) is not None} - records.keys()
    )
    if missing:
        model = field.related_model
        records = dict(records)
        connection = connections[router.db_for_read(model)]
        for chunk in values_in(model._meta.pk, missing, connection, chunk=CHUNK):
            records.update((record.pk, record) for record in model._base_manager.filter(pk__in=chunk))
    for instance in instances:
        pk = getattr(instance, field.attname)
        field.set_cached_value(instance, None if pk is None else records.get(pk))


class SeveralInPeriod(ValueError):
    """A key date given without its precision (``2012``) names the period of more than one stored
    record (``args``: the key's import field, the day and precision as written, the records), so
    the row cannot say which it is: refused under the date's column
    (:meth:`RegistryResource.import_field`) instead of taking the first (adversarial probe: a year
    matched the ended partnership of that year, not the one in force)."""


class LazyRowResult(RowResult):
    """The library's row result, but the record's text (``object_repr``, for the admin's log of a
    confirmed import) is made only when asked, not for every row of every preview."""

    _record = None
    _text = None

    def add_instance_info(self, instance):
        if instance is not None:
            self.object_id = getattr(instance, "pk", None)
            self._record = instance

    @property
    def object_repr(self) -> str | None:
        if self._text is None and self._record is not None:
            try:
                self._text = force_str(self._record)
            except Exception:  # noqa: BLE001 - as the library: a record that cannot say its name has none
                return None
        return self._text

    @object_repr.setter
    def object_repr(self, value):
        self._text = value


class OfficeLimit:
    """:func:`~registry.models.may_change` for the user of one import, each answer kept: a record
    is asked once per distinct owner (a city by its id; a partnership, agreement or event by the
    cities and partnership it names), so a limited account costs at most the queries of
    ``may_change`` per distinct city or partnership of the file, never one per row; none for an
    account not limited to offices (``user`` ``None`` too)."""

    def __init__(self, user):
        self.user = user
        self.limited = office_city_ids(user) is not None
        self.answers: dict[tuple, bool] = {}
        self._refusal: str | None = None

    def allows(self, record: models.Model) -> bool:
        """Whether the user may change (or add) ``record``, saved or not."""
        if not self.limited:
            return True
        if isinstance(record, City):
            key = (City, record.pk)
        else:
            key = (type(record), *(getattr(record, f.attname) for f in record._meta.concrete_fields if f.is_relation))
        if key not in self.answers:
            self.answers[key] = may_change(self.user, record)
        return self.answers[key]

    @property
    def refusal(self) -> str:
        """The sentence naming the user's office (:func:`~registry.models.offices.refusal`), read once."""
        if self._refusal is None:
            self._refusal = refusal(self.user)
        return self._refusal


#: The column of an export giving each record's ``version`` (:class:`RegistryResource.version`).
VERSION_COLUMN = "version"


def stale_version(instance, key_columns: list[str]) -> str | None:
    """Why a new or changed row may not be written over its record, or ``None``: its ``version``
    cell (``instance.version_in_file``, read by :meth:`RegistryResource.import_field`; ``None``
    when the file has no such column or the cell is empty) is not the stored record's version
    (``as_read``), so someone changed it since the file was exported and the row would undo that
    change; or the cell gives a version and no stored record has the row's key (``key_columns``,
    the file's names of the key's columns: deleted since, or a key cell changed in the file,
    which an import does not do: a partnership's date or kind told only “deleted, or its key
    changed”, and a manager correcting a date was pointed to adding a second record; helper-92).
    A manager who means to write over the change empties the cell."""
    in_file = getattr(instance, "version_in_file", None)
    if in_file is None:
        return None
    stored = instance.__dict__.get("as_read")
    if stored is None:
        return _(
            "No stored record has this row's %(columns)s, but the row gives the version it was exported at: the "
            "record was deleted since the file was exported, or one of these cells was changed in the file. An "
            "import does not change them: give them as exported and change them in the admin (a partnership's date "
            "or kind by its actions). Empty this cell only to add the row as a new record."
        ) % {"columns": " / ".join(f"“{column}”" for column in key_columns)}
    if stored.version == in_file:
        return None
    return _(
        "The file was exported at version %(file)s of this record; it is at version %(stored)s now: someone changed "
        "it since, and this row would undo that. Export the list again, or empty this cell to write the row over "
        "the change."
    ) % {"file": in_file, "stored": stored.version}


def preview_cells(resource, instance, stored) -> list[str]:
    """The preview's cells of one row of ``resource``'s file (safe HTML, in the order of
    ``diff_headers``): every cell of a new row inserted (``<ins>``); for a stored row, a changed
    cell as the old value deleted and the new inserted, an unchanged one as it is. Each cell as
    the export writes it (the resource's ``dehydrate_*`` where it has one: no precision beside an
    empty date, where the preview showed ``ended_precision`` “day” for a partnership not ended;
    helper-92)."""
    exports = getattr(resource, "_cell_exports", None)
    if exports is None:  # what the library's export_field would call, found once per resource
        names = {id(field): name for name, field in resource.fields.items()}
        exports = resource._cell_exports = [
            (field, getattr(resource, f"dehydrate_{names[id(field)]}", None) or field.export)
            for field in resource.get_user_visible_fields()
        ]
    cells = []
    for field, export in exports:
        new = html.escape(str(export(instance) or ""))
        if stored is None:
            cells.append(SafeString(f"<ins>{new}</ins>") if new else "")
            continue
        old = new if field.readonly else html.escape(str(export(stored) or ""))
        cells.append(SafeString(new if old == new else f"<del>{old}</del> <ins>{new}</ins>"))
    return cells


class MissingColumnsError(ValueError):
    """A file that cannot be read as rows of the registry: it lacks a column that identifies its
    rows (e.g. ``slug``), has a column the resource does not import (the message also lists those
    it does), names a column twice, or a cell holds a NUL character; the message names the column
    (and the row). Shown as a form error (or on a background job's page), never a traceback."""


def _blank_column(dataset, index: int, header) -> bool:
    """Whether column ``index`` of ``dataset`` has no name (``None`` or only spaces) and no cell
    with anything in it."""
    if header is not None and str(header).strip():
        return False
    return all(cell is None or not str(cell).strip() for cell in dataset.get_col(index))


def check_file(resource, dataset) -> None:
    """Refuse a file for ``resource`` (a :class:`~registry.resource_base.RegistryResource`)
    without the columns that identify a row, with a column the resource does not import, a column
    named twice or a NUL character in a cell: raise :class:`MissingColumnsError` naming it.
    :meth:`RegistryResource.import_data` calls it before any row is read."""
    missing = [
        resource.fields[name].column_name
        for name in resource.get_import_id_fields()
        if resource.fields[name].column_name not in (dataset.headers or [])
    ]
    if missing:
        raise MissingColumnsError(
            _("The file has no column “%(columns)s”; every row needs it to be matched with the registry.")
            % {"columns": "”, “".join(missing)}
        )
    headers = [str(header) for header in dataset.headers or []]
    # A column without a name whose cells are all empty (what a spreadsheet program often adds
    # after the last one) holds nothing to import and is no error.
    blank = {index for index, header in enumerate(dataset.headers or []) if _blank_column(dataset, index, header)}
    named = [header for index, header in enumerate(headers) if index not in blank]
    # The columns an export of this resource writes, read-only ones (``possible_duplicate``) too,
    # so an exported file imports again unchanged; any other would be dropped without a word
    # (found by a new user: ``expires_on`` in an agreement file).
    accepted = [str(field.column_name) for field in resource.get_import_fields()]
    nameless = _("column %(number)s, without a name")
    unknown = list(
        dict.fromkeys(
            str(header) if header is not None and str(header).strip() else nameless % {"number": index + 1}
            for index, header in enumerate(dataset.headers or [])
            if index not in blank and str(header) not in accepted
        )
    )
    if unknown:
        raise MissingColumnsError(
            ngettext(
                "The file has a column this list does not import: “%(columns)s”. Nothing was read: rename or "
                "remove it. The columns it imports are “%(accepted)s”.",
                "The file has columns this list does not import: “%(columns)s”. Nothing was read: rename or "
                "remove them. The columns it imports are “%(accepted)s”.",
                len(unknown),
            )
            % {"columns": "”, “".join(unknown), "accepted": "”, “".join(accepted)}
        )
    twice = sorted({header for header in named if named.count(header) > 1})
    if twice:  # the library would keep the last cell silently (found by the adversarial probe)
        raise MissingColumnsError(
            _("The file names the column “%(columns)s” more than once: keep one.") % {"columns": "”, “".join(twice)}
        )
    for number, row in enumerate(dataset, start=file_row(1)):
        for header, cell in zip(headers, row, strict=False):
            if isinstance(cell, str) and "\x00" in cell:  # PostgreSQL cannot store it; SQLite would
                raise MissingColumnsError(
                    _("Row %(row)s, column “%(column)s”: the cell holds a NUL character (U+0000); remove it.")
                    % {"row": number, "column": header}
                )


def resource_meta(model, import_id_fields, field_names, **extra):
    """A resource ``Meta`` with the registry's shared options."""
    field_names = [*field_names, VERSION_COLUMN]  # every export ends with it (RegistryResource.version)
    return type(
        "Meta",
        (),
        {
            "model": model,
            "import_id_fields": import_id_fields,
            "fields": field_names,
            "export_order": field_names,
            "clean_model_instances": True,
            "skip_unchanged": True,
            "skip_diff": True,  # no deep copy and diff per row: RegistryResource.skip_row and preview_cells
            "report_skipped": True,
            "use_bulk": True,
            "batch_size": None,
            "store_instance": True,
            "instance_loader_class": NaturalKeyLoader,
            **extra,
        },
    )


def plain_cell(field: fields.Field) -> bool:
    """Whether ``field`` (a column of the file) is read as the library's ``Field.save`` reads a
    plain cell, the widget's value set on the record's own attribute: not read-only, not through
    a relation (``city__slug``), and neither ``save`` nor ``clean`` its own (a partial date's column
    is); :meth:`~registry.resource_base.RegistryResource.import_field` then reads it without the library's layers."""
    kind = type(field)
    return (
        not field.readonly
        and "__" not in field.attribute
        and kind.save is fields.Field.save
        and kind.clean is fields.Field.clean
    )


def blank_record(model: type[models.Model]) -> dict | None:
    """The ``__dict__`` of ``model()`` (its fields' defaults) without its state, or ``None`` when
    a copy of it would not be what ``model()`` makes: a receiver of ``pre_init`` or ``post_init``
    for the model, or a field whose default is made for each record (a callable)."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return None
    if any(field.has_default() and callable(field.default) for field in model._meta.concrete_fields):
        return None
    blank = dict(model().__dict__)
    del blank["_state"]
    return blank


def cell_error(model: type[models.Model], field: str, error: ValidationError) -> ValidationError:
    """``error`` of ``field`` (a field name of ``model``) as a cell shows it: the field's own "blank"
    message for Django's "null" one, as a spreadsheet has no null
    (:meth:`~registry.resource_base.RegistryResource.mark_invalid`), anything else as it is."""
    if error.code != "null" or field == NON_FIELD_ERRORS:
        return error
    return ValidationError(model._meta.get_field(field).error_messages["blank"], code="blank")


def short_choice_lists(model: type[models.Model], import_fields) -> dict[str, tuple[models.Field, frozenset]]:
    """The ``import_fields`` (a resource's) whose field of ``model`` has at most ``LISTED_CHOICES``
    values, by attribute: ``(model field, its values)``; read once per resource
    (:meth:`~registry.resource_base.RegistryResource.short_choice_lists`), as a field's ``choices``
    may be built on each read (django-countries sorts 249 names)."""
    lists = {}
    for field in import_fields:
        try:
            model_field = model._meta.get_field(field.attribute or "")
        except FieldDoesNotExist:
            continue
        if model_field.choices and len(model_field.flatchoices) <= LISTED_CHOICES:
            lists[field.attribute] = (model_field, frozenset(value for value, _label in model_field.flatchoices))
    return lists
