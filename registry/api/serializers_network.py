"""Serializers of the JSON API's network figures (read-only): a city's network on a date
(``network/``) and the home country's municipal networks (``network/national/``), with their
tallies by kind, UN M49 region and sub-region.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from .summaries import CitySummarySerializer


class TallySerializer(serializers.Serializer):
    partner_cities = serializers.IntegerField(help_text="Distinct partner cities in force.")
    countries = serializers.IntegerField(help_text="Distinct countries among them.")


class SubregionTallySerializer(TallySerializer):
    code = serializers.CharField(allow_null=True, help_text="UN M49 code, e.g. 143.")
    name = serializers.CharField(help_text="Name in English (UN M49).")


class RegionTallySerializer(SubregionTallySerializer):
    subregions = serializers.DictField(child=SubregionTallySerializer(), help_text="Keyed by sub-region slug.")


@extend_schema_serializer(many=False)
class NetworkSerializer(serializers.Serializer):
    """The home city's network on ``as_of``: partnerships established on or before that date and
    not ended by it (a year-only date counts from 1 January). Computed from the published rows."""

    home_city = CitySummarySerializer()
    as_of = serializers.DateField()
    partner_cities = serializers.IntegerField()
    countries = serializers.IntegerField()
    by_kind = serializers.DictField(child=TallySerializer(), help_text="Keyed by partnership kind.")
    by_region = serializers.DictField(
        child=RegionTallySerializer(), help_text='Keyed by UN M49 region slug; "other" where none.'
    )

    def to_representation(self, summary):
        def tally(t, region=None):
            data = {"partner_cities": t.partner_cities, "countries": t.countries}
            if region is not False:
                data = {"code": region.code if region else None, "name": region.un_name if region else "Other", **data}
            return data

        return {
            "home_city": CitySummarySerializer(summary.home_city, context=self.context).data,
            "as_of": summary.as_of.isoformat(),
            "partner_cities": summary.partner_cities,
            "countries": summary.countries,
            "by_kind": {kind: tally(t, False) for kind, t in summary.by_kind.items()},
            "by_region": {
                key or "other": {
                    **tally(bucket, bucket.region),
                    "subregions": {k or "other": tally(s, s.region) for k, s in bucket.subregions.items()},
                }
                for key, bucket in summary.by_region.items()
            },
        }


class NationalRollupSerializer(serializers.Serializer):
    """The home country's municipal networks on ``as_of``: each municipality's own totals, their
    sum (``partnerships``), and the distinct partner cities and countries abroad, by partner
    country and by UN M49 region."""

    # Built by registry.network.national_rollup (the docstring above is the schema's description).

    country = serializers.CharField(help_text="The home country, ISO 3166-1 alpha-2 (the deployment's setting).")
    as_of = serializers.DateField()
    partnerships = serializers.IntegerField(help_text="Sum of the municipalities' partner cities.")
    partner_cities = serializers.IntegerField(help_text="Distinct partner cities abroad.")
    countries = serializers.IntegerField(help_text="Distinct partner countries abroad.")
    municipalities = serializers.ListField(child=serializers.DictField())
    by_country = serializers.ListField(child=serializers.DictField())
    by_region = serializers.DictField(child=serializers.DictField())
    by_subdivision = serializers.ListField(
        child=serializers.DictField(),
        help_text="The municipalities by first-level subdivision (ISO 3166-2 `code`, null where not recorded): "
        "`name`, `municipalities` (slugs), `partnerships` (the sum of their partner cities), and the distinct "
        "`partner_cities` and `countries`.",
    )

    def to_representation(self, rollup):
        def tally(t):
            return {
                "municipalities": t.municipalities,
                "partnerships": t.partnerships,
                "partner_cities": t.partner_cities,
            }

        return {
            "country": rollup.country,
            "as_of": rollup.as_of.isoformat(),
            "partnerships": rollup.partnerships,
            "partner_cities": rollup.partner_cities,
            "countries": rollup.countries,
            "municipalities": [
                {
                    **CitySummarySerializer(m.city, context=self.context).data,
                    "subdivision": m.city.subdivision or None,
                    "partner_cities": m.partner_cities,
                    "countries": m.countries,
                }
                for m in rollup.municipalities
            ],
            "by_country": [{"country": t.country, **tally(t)} for t in rollup.by_country],
            "by_region": {key or "other": tally(t) for key, t in rollup.by_region.items()},
            "by_subdivision": [
                {
                    "code": t.code or None,
                    "name": t.name,
                    "municipalities": [m.city.slug for m in t.municipalities],
                    "partnerships": t.partnerships,
                    "partner_cities": t.partner_cities,
                    "countries": t.countries,
                }
                for t in rollup.by_subdivision
            ],
        }
