"""Spreadsheet import and export (django-import-export), CSV and XLSX.

Rows are matched by natural key (a city's slug; a partnership's two city slugs, kind and
start date), so importing the same file twice changes nothing. Every row is validated as
``full_clean()`` validates it (model rules and database constraints), in bulk
(:func:`registry.bulk_validation.full_clean_many`: the records a file names by slug and the
stored rows it matches are read once per file, each database rule is asked once per chunk of
rows), and the preview lists each row's errors by field. Validation writes nothing and holds
no write transaction; only a file without errors is written, in one short transaction at the
end (``bulk_create``, :func:`~registry.resource_writes.update_columns`, with their history
records by the importing user).
A city row whose name, in the same country, matches another city's name or former name
ignoring case and accents is flagged in the ``possible_duplicate`` column of the preview.

An account limited to offices (:mod:`registry.models.offices`) imports only what it may change:
each new or changed row, as stored and as the file would leave it, is asked
:func:`~registry.models.may_change` (:class:`OfficeLimit`, each answer kept for the import); a
row it may not change is an invalid row whose error is :func:`~registry.models.offices.refusal`'s
sentence naming the office, so the preview lists it and nothing is written.
"""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from import_export import fields

from .dates import precision_of
from .import_widgets import CHUNK, DATE, PartialDateColumn, SlugWidget
from .models import Agreement, City, Event, Partnership
from .resource_base import (  # re-exported: the admin and the imports name them here
    MissingColumnsError,
    RegistryResource,
)
from .resource_rows import resource_meta
from .resource_writes import ChangedMeanwhile  # re-exported, as MissingColumnsError
from .text import fold

__all__ = [
    "AgreementResource",
    "ChangedMeanwhile",
    "CityResource",
    "EventResource",
    "MissingColumnsError",
    "PartnershipResource",
    "RegistryResource",
]


class CityResource(RegistryResource):
    """Cities by slug. ``possible_duplicate`` (read-only, filled during an import) names
    existing cities in the same country with the same name or former name, ignoring case
    and accents."""

    possible_duplicate = fields.Field(attribute="possible_duplicate", column_name="possible_duplicate", readonly=True)
    # What a column that is no model field holds, in the reader's words (the export page's labels).
    column_meanings = {"possible_duplicate": _("possibly the same city as")}

    Meta = resource_meta(
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
        """Index the folded names of the existing cities in the file's countries, once per import
        (the other countries' cities cannot be a row's possible duplicate)."""
        super().before_import(dataset, **kwargs)
        self._names: dict[tuple[str, str], set[str]] = {}
        existing = City.objects.all()
        if "country" in (dataset.headers or ()):
            # As the row's country will read: a code in any case, alpha-3 or numeric (django-countries).
            codes = {str(code).strip() for code in dataset["country"]}
            existing = existing.filter(country__in={countries.alpha2(code) for code in codes})
        for slug, country, search_text in existing.values_list("slug", "country", "search_text"):
            for name in search_text.splitlines():
                self._names.setdefault((country, name), set()).add(slug)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        candidates: set[str] = set()
        country = str(instance.country or "")  # read once: each read builds a Country (django-countries)
        for name in (instance.name_en, instance.name_ko, instance.name_native):
            if name and country:
                candidates |= self._names.get((country, fold(name)), set())
        candidates.discard(instance.slug)
        instance.possible_duplicate = ", ".join(sorted(candidates))

    def read_for_write(self, created: list, updated: list) -> None:
        """The former names and aliases that a changed city's ``search_text`` folds, read in one
        query per 500 cities (not one per city) inside the write's transaction, the cities locked:
        read before it, a name added meanwhile was left out of the search (helper-91)."""
        for start in range(0, len(updated), CHUNK):
            prefetch_related_objects(updated[start : start + CHUNK], "names")


class PartnershipResource(RegistryResource):
    """Partnerships by city slug, partner slug, kind and start date."""

    city = fields.Field("city", "city", SlugWidget(City))
    partner = fields.Field("partner", "partner", SlugWidget(City))
    established_on = PartialDateColumn("established_on", "established_precision")
    ended_on = PartialDateColumn("ended_on", "ended_precision")

    Meta = resource_meta(
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

    def dehydrate_ended_precision(self, partnership: Partnership) -> str:
        """Empty for a partnership that has not ended (:func:`registry.dates.precision_of`)."""
        return precision_of(partnership.ended_on, partnership.ended_precision) or ""


class AgreementResource(RegistryResource):
    """Agreements by slug; the place of signing by city slug; the entry into force and expiry
    (days, ``YYYY-MM-DD``) and the notice period, so the order of the dates
    (:data:`registry.models.agreements.DATE_ORDER`) is checked on an import as in the admin.
    The renewal (``automatic_renewal``, ``term_years``), the status and its successor are set in
    the admin."""

    place = fields.Field("place", "place", SlugWidget(City))
    signed_on = PartialDateColumn("signed_on", "signed_precision")
    entry_into_force_on = fields.Field("entry_into_force_on", "entry_into_force_on", DATE)
    expires_on = fields.Field("expires_on", "expires_on", DATE)

    Meta = resource_meta(
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
            "entry_into_force_on",
            "expires_on",
            "notice_period_days",
            "publication",
        ],
    )

    def dehydrate_signed_precision(self, agreement: Agreement) -> str:
        """Empty for an agreement with no date of signing (:func:`registry.dates.precision_of`)."""
        return precision_of(agreement.signed_on, agreement.signed_precision) or ""


class EventResource(RegistryResource):
    """Events by slug; the city by slug."""

    city = fields.Field("city", "city", SlugWidget(City))
    start_on = PartialDateColumn("start_on", "start_precision")
    end_on = fields.Field("end_on", "end_on", DATE)

    Meta = resource_meta(
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
