"""Spreadsheet import and export (django-import-export), CSV and XLSX.

Rows are matched by natural key (a city's slug; a partnership's two city slugs, kind and
start date), so importing the same file twice changes nothing. Every row is validated
with ``full_clean()`` (model rules and database constraints) and the preview lists each
row's errors by field; confirming imports all rows in one transaction or none.
A city row whose name, in the same country, matches another city's name or former name
ignoring case and accents is flagged in the ``possible_duplicate`` column of the preview.
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from .models import Agreement, City, Event, Partnership
from .text import fold

DATE = widgets.DateWidget(format="%Y-%m-%d")


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


class CityResource(resources.ModelResource):
    """Cities by slug. ``possible_duplicate`` (read-only) names a likely existing duplicate."""

    possible_duplicate = fields.Field(column_name="possible_duplicate", readonly=True)

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
        self._names: dict[tuple[str, str], set[str]] = {}
        for slug, country, search_text in City.objects.values_list("slug", "country", "search_text"):
            for name in search_text.splitlines():
                self._names.setdefault((country, name), set()).add(slug)

    def dehydrate_possible_duplicate(self, city: City) -> str:
        names = getattr(self, "_names", None)
        if names is None or not city.country:
            return ""
        candidates = set()
        for name in (city.name_en, city.name_ko, city.name_native):
            candidates |= names.get((str(city.country), fold(name)), set()) if name else set()
        candidates.discard(city.slug)
        return ", ".join(sorted(candidates))


class PartnershipResource(resources.ModelResource):
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
            "confidence",
            "publication",
            "notes",
        ],
    )


class AgreementResource(resources.ModelResource):
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
            "summary_en",
            "summary_ko",
            "publication",
        ],
    )


class EventResource(resources.ModelResource):
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
            "summary_en",
            "summary_ko",
            "publication",
        ],
    )
