"""Spreadsheet import and export (django-import-export), CSV and XLSX.

Rows are matched by natural key (a city's slug; a partnership's two city slugs, kind and
start date), so importing the same file twice changes nothing. Every row is validated
with ``full_clean()`` (model rules and database constraints) and the preview lists each
row's errors by field; confirming imports all rows in one transaction or none.
A city row whose name, in the same country, matches another city's name or former name
ignoring case and accents is flagged in the ``possible_duplicate`` column of the preview.
"""

from __future__ import annotations

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from .models import Agreement, City, Event, Partnership
from .text import fold, neutralise_formula, restore_formula

DATE = widgets.DateWidget(format="%Y-%m-%d")


class RegistryResource(resources.ModelResource):
    """Shared behaviour: all-or-nothing imports and formula-safe exports.

    On export, a text cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
    return) gets a leading apostrophe so spreadsheet programs show it as text instead of
    running it (numbers such as ``-118.25`` are left alone); on import that apostrophe is
    removed again, so an exported file re-imports unchanged.
    """

    def before_import(self, dataset, **kwargs):
        """Refuse a file without the columns that identify a row (:class:`MissingColumnsError`)."""
        missing = [
            self.fields[name].column_name
            for name in self.get_import_id_fields()
            if self.fields[name].column_name not in (dataset.headers or [])
        ]
        if missing:
            raise MissingColumnsError(
                _("The file has no column “%(columns)s”; every row needs it to be matched with the registry.")
                % {"columns": "”, “".join(missing)}
            )

    def get_instance(self, instance_loader, row):
        """The existing row with this file row's natural key, or ``None`` (also when a key
        cell is unreadable: :meth:`import_field` then reports it under its column)."""
        try:
            return super().get_instance(instance_loader, row)
        except (ValueError, ArithmeticError, ObjectDoesNotExist, MultipleObjectsReturned):
            return None

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """As the library's, but a cell that is not a number, not a date or names no record
        raises ``ValueError`` naming the column and the rule, so the preview lists it under
        that column (the library ties only ``ValueError`` to a field)."""
        try:
            super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)
        except ArithmeticError:  # decimal.InvalidOperation from the number widgets
            raise ValueError(
                _("Column “%(column)s”: “%(value)s” is not a number.")
                % {"column": field.column_name, "value": row.get(field.column_name)}
            ) from None
        except (ObjectDoesNotExist, MultipleObjectsReturned):
            widget = field.widget
            raise ValueError(
                _("Column “%(column)s”: no %(model)s has the %(key)s “%(value)s”.")
                % {
                    "column": field.column_name,
                    "model": widget.model._meta.verbose_name,
                    "key": widget.model._meta.get_field(widget.field).verbose_name,
                    "value": row.get(field.column_name),
                }
            ) from None
        except ValueError:
            if isinstance(field.widget, widgets.DateWidget):
                raise ValueError(
                    _("Column “%(column)s”: “%(value)s” is not a date in the form YYYY-MM-DD.")
                    % {"column": field.column_name, "value": row.get(field.column_name)}
                ) from None
            raise

    def import_data(self, dataset, *args, **kwargs):
        """As the library's, but a row with validation errors rolls back the whole file."""
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(dataset, *args, **kwargs)

    def export(self, *args, **kwargs):
        dataset = super().export(*args, **kwargs)
        for index, row in enumerate(list(dataset)):
            dataset[index] = tuple(neutralise_formula(cell, numeric_text_is_number=True) for cell in row)
        return dataset

    def before_import_row(self, row, **kwargs):
        for key, value in list(row.items()):
            row[key] = restore_formula(value)


class MissingColumnsError(ValueError):
    """A file lacks a column that identifies its rows (e.g. ``slug``); the message names it."""


def _options(model, import_id_fields, field_names, **extra):
    """A resource ``Meta`` with the registry's shared options."""
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
            "report_skipped": True,
            "use_transactions": True,
            **extra,
        },
    )


class CityResource(RegistryResource):
    """Cities by slug. ``possible_duplicate`` (read-only, filled during an import) names
    existing cities in the same country with the same name or former name, ignoring case
    and accents."""

    possible_duplicate = fields.Field(attribute="possible_duplicate", column_name="possible_duplicate", readonly=True)

    Meta = _options(
        City,
        ["slug"],
        [
            "slug",
            "name_en",
            "name_ko",
            "name_native",
            "country",
            "admin_level",
            "latitude",
            "longitude",
            "population",
            "population_year",
            "wikidata_id",
            "confidence",
            "notes",
            "possible_duplicate",
        ],
    )

    def before_import(self, dataset, **kwargs):
        """Index the existing cities' folded names by country, once per import."""
        super().before_import(dataset, **kwargs)
        self._names: dict[tuple[str, str], set[str]] = {}
        for slug, country, search_text in City.objects.values_list("slug", "country", "search_text"):
            for name in search_text.splitlines():
                self._names.setdefault((country, name), set()).add(slug)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        candidates: set[str] = set()
        for name in (instance.name_en, instance.name_ko, instance.name_native):
            if name and instance.country:
                candidates |= self._names.get((str(instance.country), fold(name)), set())
        candidates.discard(instance.slug)
        instance.possible_duplicate = ", ".join(sorted(candidates))

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Unchanged rows are skipped; the duplicate hint is not a change."""
        original.possible_duplicate = getattr(instance, "possible_duplicate", None)
        return super().skip_row(instance, original, row, import_validation_errors)


class PartnershipResource(RegistryResource):
    """Partnerships by city slug, partner slug, kind and start date."""

    city = fields.Field("city", "city", widgets.ForeignKeyWidget(City, "slug"))
    partner = fields.Field("partner", "partner", widgets.ForeignKeyWidget(City, "slug"))
    established_on = fields.Field("established_on", "established_on", DATE)
    ended_on = fields.Field("ended_on", "ended_on", DATE)

    Meta = _options(
        Partnership,
        ["city", "partner", "kind", "established_on"],
        [
            "city",
            "partner",
            "kind",
            "established_on",
            "established_precision",
            "status",
            "ended_on",
            "ended_precision",
            "status_reason",
            "status_reason_ko",
            "confidence",
            "publication",
            "notes",
        ],
    )


class AgreementResource(RegistryResource):
    """Agreements by slug; the place of signing by city slug."""

    place = fields.Field("place", "place", widgets.ForeignKeyWidget(City, "slug"))
    signed_on = fields.Field("signed_on", "signed_on", DATE)

    Meta = _options(
        Agreement,
        ["slug"],
        [
            "slug",
            "title_en",
            "title_ko",
            "kind",
            "signed_on",
            "signed_precision",
            "place",
            "venue",
            "venue_ko",
            "summary_en",
            "summary_ko",
            "publication",
        ],
    )


class EventResource(RegistryResource):
    """Events by slug; the city by slug."""

    city = fields.Field("city", "city", widgets.ForeignKeyWidget(City, "slug"))
    start_on = fields.Field("start_on", "start_on", DATE)
    end_on = fields.Field("end_on", "end_on", DATE)

    Meta = _options(
        Event,
        ["slug"],
        [
            "slug",
            "title_en",
            "title_ko",
            "kind",
            "start_on",
            "start_precision",
            "end_on",
            "city",
            "venue",
            "venue_ko",
            "summary_en",
            "summary_ko",
            "publication",
        ],
    )
