"""What a spreadsheet file's rows meet before the registry's rules (django-import-export): the
stored records they match by natural key (:class:`NaturalKeyLoader`, read once per file, a
partial date without its precision matched by period), the offices' limit on what an account may
change (:class:`OfficeLimit`) and each row's result (:class:`LazyRowResult`). Used by
:class:`registry.resource_base.RegistryResource`; split from it so that neither module passes
~600 lines."""

from __future__ import annotations

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist
from django.db import models
from django.utils.encoding import force_str
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import RowResult

from .import_widgets import CHUNK, PartialDateWidget
from .models import City, may_change, same_period
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
        related = [f.name for f in model._meta.concrete_fields if f.is_relation and f.name in resource.fields]
        self.stored: dict[tuple, models.Model] = {}
        for start in range(0, len(ordered), CHUNK):
            lookup = {f"{columns[0]}__in": ordered[start : start + CHUNK]}
            for instance in self.get_queryset().select_related(*related).filter(**lookup):
                self.stored[tuple(getattr(instance, column) for column in columns)] = instance
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
        key = tuple(self.plain(field.clean(row)) for field in self.key_fields)
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
