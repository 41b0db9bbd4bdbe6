"""Read-only summaries of records as other records show them (nested in API answers)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from .. import regions
from ..models import (
    Agreement,
    City,
    CityName,
    Claim,
    CooperationField,
    Delegation,
    DelegationMember,
    EventParticipant,
    ItineraryStop,
    Organization,
    Outcome,
    Partnership,
    PartnershipStage,
    Person,
    Signatory,
    Source,
)
from .fields import CountryField, FieldsBuiltOnceSerializer, PartialDateField, summary

# --------------------------------------------------------------------------- summaries (read-only)


class SourceSummarySerializer(FieldsBuiltOnceSerializer):
    class Meta:
        model = Source
        fields = ["slug", "title", "publisher", "url", "published_on"]


class PartnershipStageSummarySerializer(FieldsBuiltOnceSerializer):
    """A stage of a partnership's life: ``on`` as ``YYYY[-MM[-DD]]`` at its precision, with sources."""

    on = PartialDateField(date_field="on", precision_field="precision", read_only=True)
    sources = SourceSummarySerializer(many=True, read_only=True)

    class Meta:
        model = PartnershipStage
        fields = ["kind", "on", "reference", "note_en", "note_ko", "sources"]


class ClaimSummarySerializer(FieldsBuiltOnceSerializer):
    """A value sources claim for a fact (its citation); ``preferred`` is the value the record holds."""

    sources = SourceSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = ["fact", "value", "preferred", "note_en", "note_ko", "sources"]


class CooperationFieldSummarySerializer(FieldsBuiltOnceSerializer):
    class Meta:
        model = CooperationField
        fields = ["slug", "name_en", "name_ko"]


class CitySummarySerializer(FieldsBuiltOnceSerializer):
    """A city as other records show it: names, country, UN M49 region and coordinates."""

    country = CountryField(read_only=True)
    region = serializers.SerializerMethodField(
        label=gettext_lazy("UN M49 region"), help_text="UN M49 region slug of the country, e.g. asia."
    )
    subregion = serializers.SerializerMethodField(
        label=gettext_lazy("UN M49 sub-region"), help_text="UN M49 sub-region slug, e.g. central-asia."
    )
    latitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, coerce_to_string=False, read_only=True, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, coerce_to_string=False, read_only=True, allow_null=True
    )

    class Meta:
        model = City
        fields = [
            "slug",
            "name_en",
            "name_ko",
            "name_native",
            "country",
            "region",
            "subregion",
            "latitude",
            "longitude",
        ]

    def get_region(self, obj) -> str | None:
        region = regions.region_of(obj.country.code)
        return region.slug if region else None

    def get_subregion(self, obj) -> str | None:
        region = regions.subregion_of(obj.country.code)
        return region.slug if region else None


class OrganizationSummarySerializer(FieldsBuiltOnceSerializer):
    country = CountryField(read_only=True, allow_blank=True)

    class Meta:
        model = Organization
        fields = ["slug", "name_en", "name_ko", "kind", "country"]


class PersonSummarySerializer(FieldsBuiltOnceSerializer):
    class Meta:
        model = Person
        fields = ["slug", "name_en", "name_ko"]


class PartnershipSummarySerializer(FieldsBuiltOnceSerializer):
    city = CitySummarySerializer(read_only=True)
    partner = CitySummarySerializer(read_only=True)
    established_on = PartialDateField(
        date_field="established_on", precision_field="established_precision", read_only=True
    )

    class Meta:
        model = Partnership
        fields = ["id", "city", "partner", "kind", "status", "established_on", "established_precision"]


class AgreementSummarySerializer(FieldsBuiltOnceSerializer):
    signed_on = PartialDateField(date_field="signed_on", precision_field="signed_precision", read_only=True)

    class Meta:
        model = Agreement
        fields = ["slug", "title_en", "title_ko", "kind", "signed_on", "signed_precision"]


class DelegationSummarySerializer(FieldsBuiltOnceSerializer):
    class Meta:
        model = Delegation
        fields = ["slug", "name_en", "name_ko", "kind"]


class ParticipantSerializer(FieldsBuiltOnceSerializer):
    """Someone taking part: a named person, or only the role where the source names nobody."""

    person = summary(PersonSummarySerializer, allow_null=True)
    organization = summary(OrganizationSummarySerializer, allow_null=True)

    class Meta:
        model = Signatory
        fields = ["order", "person", "role", "role_ko", "organization"]


class SignatorySerializer(ParticipantSerializer):
    class Meta(ParticipantSerializer.Meta):
        model = Signatory


class EventParticipantSerializer(ParticipantSerializer):
    class Meta(ParticipantSerializer.Meta):
        model = EventParticipant


class DelegationMemberSerializer(ParticipantSerializer):
    class Meta(ParticipantSerializer.Meta):
        model = DelegationMember


class CityNameSerializer(FieldsBuiltOnceSerializer):
    class Meta:
        model = CityName
        fields = ["name", "kind", "used_from", "used_until"]
        extra_kwargs = {"used_from": {"help_text": "Year."}, "used_until": {"help_text": "Year."}}


class ItineraryStopSerializer(FieldsBuiltOnceSerializer):
    city = summary(CitySummarySerializer)

    class Meta:
        model = ItineraryStop
        fields = ["order", "city", "arrive_on", "depart_on", "purpose_en", "purpose_ko"]


class OutcomeSerializer(FieldsBuiltOnceSerializer):
    """A reported result; ``amount`` is a decimal string in ``currency`` (ISO 4217)."""

    agreement = summary(AgreementSummarySerializer, allow_null=True)

    class Meta:
        model = Outcome
        fields = [
            "order",
            "kind",
            "description_en",
            "description_ko",
            "amount",
            "currency",
            "amount_qualifier",
            "count",
            "count_unit",
            "count_unit_ko",
            "agreement",
        ]
        extra_kwargs = {
            "amount": {"help_text": 'Decimal string, e.g. "3850000.00", in `currency`; not negative.'},
            "currency": {"help_text": "ISO 4217 currency code of `amount`, e.g. USD."},
            "amount_qualifier": {"help_text": "How the amount is stated: exact, more_than, about, ..."},
        }
