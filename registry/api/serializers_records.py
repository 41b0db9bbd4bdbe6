"""Serializers of the JSON API's full records of agreements, events and delegations.

They follow the conventions of :mod:`registry.api.serializers` (references by slug read back
as summaries, partial dates, strict input validated by the model) and build on its
:class:`~registry.api.serializers.RegistrySerializer`.
"""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..dates import iso_partial
from ..models import (
    Agreement,
    City,
    CooperationField,
    Delegation,
    DelegationQuerySet,
    Event,
    Organization,
    Partnership,
    Person,
    Source,
)
from .fields import PARTIAL_DATE_SCHEMA, PRECISION_SCHEMA, PartialDateField, summary
from .serializers import CLAIMS_HELP, SOURCES_HELP, RegistrySerializer, timestamps
from .summaries import (
    AgreementSummarySerializer,
    CitySummarySerializer,
    ClaimSummarySerializer,
    CooperationFieldSummarySerializer,
    DelegationMemberSerializer,
    DelegationSummarySerializer,
    EventParticipantSerializer,
    ItineraryStopSerializer,
    OrganizationSummarySerializer,
    OutcomeSerializer,
    PartnershipSummarySerializer,
    PersonSummarySerializer,
    SignatorySerializer,
    SourceSummarySerializer,
)


class AgreementSerializer(RegistrySerializer):
    """A signed document with its parties and signatories (signatories are read-only here)."""

    slug_from = "title_en"
    partnership = summary(
        PartnershipSummarySerializer,
        queryset=Partnership.objects.select_related("city", "partner"),
        slug_field="id",
        allow_null=True,
        required=False,
        help_text="Id of the partnership this agreement belongs to, if any.",
    )
    signed_on = PartialDateField(
        date_field="signed_on", precision_field="signed_precision", allow_null=True, required=False
    )
    place = summary(CitySummarySerializer, queryset=City.objects.all(), allow_null=True, required=False)
    parties = summary(
        OrganizationSummarySerializer, queryset=Organization.objects.all(), many=True, help_text="Organization slugs."
    )
    fields = summary(
        CooperationFieldSummarySerializer,
        queryset=CooperationField.objects.all(),
        many=True,
        help_text="Slugs of the cooperation fields.",
    )
    signatories = SignatorySerializer(many=True, read_only=True)
    claims = ClaimSummarySerializer(many=True, read_only=True, help_text=CLAIMS_HELP)
    document = serializers.SerializerMethodField(
        help_text="Absolute URL of the signed document (PDF, downloaded as an attachment), or null without one."
    )
    sources = summary(SourceSummarySerializer, queryset=Source.objects.all(), many=True, help_text=SOURCES_HELP)
    entry_into_force_on = serializers.DateField(allow_null=True, required=False)
    superseded_by = summary(
        AgreementSummarySerializer,
        queryset=Agreement.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the agreement that replaced this one (status superseded), or null.",
    )
    current_status = serializers.ChoiceField(
        label=gettext_lazy("Status today"),
        choices=Agreement.Status.choices,
        read_only=True,
        help_text="Status today: in_force, expired (term ended without renewal), terminated or superseded.",
    )
    current_term_end = serializers.DateField(
        label=gettext_lazy("End of the current term"),
        read_only=True,
        allow_null=True,
        help_text="Last day of the term running today (renewals applied), or null.",
    )
    current_notice_deadline = serializers.DateField(
        label=capfirst(gettext_lazy("notice deadline")),
        read_only=True,
        allow_null=True,
        help_text="Last day to give notice for the term running today, or null.",
    )

    class Meta:
        model = Agreement
        fields = [
            "slug",
            "title_en",
            "title_ko",
            "kind",
            "partnership",
            "parties",
            "signed_on",
            "signed_precision",
            "place",
            "venue",
            "venue_ko",
            "fields",
            "signatories",
            "summary_en",
            "summary_ko",
            "document",
            "entry_into_force_on",
            "expires_on",
            "automatic_renewal",
            "term_years",
            "notice_period_days",
            "status",
            "superseded_by",
            "current_status",
            "current_term_end",
            "current_notice_deadline",
            "publication",
            "sources",
            "claims",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["signed_precision"]
        extra_kwargs = {"slug": {"required": False}, **timestamps()}

    def get_document(self, obj) -> str | None:
        url = obj.get_document_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if url and request else url


class EventSerializer(RegistrySerializer):
    slug_from = "title_en"
    start_on = PartialDateField(date_field="start_on", precision_field="start_precision")
    city = summary(CitySummarySerializer, queryset=City.objects.all(), allow_null=True, required=False)
    partnership = summary(
        PartnershipSummarySerializer,
        queryset=Partnership.objects.select_related("city", "partner"),
        slug_field="id",
        allow_null=True,
        required=False,
        help_text="Id of the partnership the event concerns.",
    )
    agreement = summary(AgreementSummarySerializer, queryset=Agreement.objects.all(), allow_null=True, required=False)
    delegation = summary(
        DelegationSummarySerializer, queryset=Delegation.objects.all(), allow_null=True, required=False
    )
    participants = EventParticipantSerializer(many=True, read_only=True)
    sources = summary(SourceSummarySerializer, queryset=Source.objects.all(), many=True, help_text=SOURCES_HELP)
    claims = ClaimSummarySerializer(many=True, read_only=True, help_text=CLAIMS_HELP)

    class Meta:
        model = Event
        fields = [
            "slug",
            "title_en",
            "title_ko",
            "kind",
            "start_on",
            "start_precision",
            "start_time",
            "time_zone",
            "end_on",
            "city",
            "venue",
            "venue_ko",
            "partnership",
            "agreement",
            "delegation",
            "participants",
            "summary_en",
            "summary_ko",
            "publication",
            "sources",
            "claims",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["start_precision"]
        extra_kwargs = {"slug": {"required": False}, **timestamps()}


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "readOnly": True,
        "description": (
            "When the delegation travelled, as its page shows it (null when nothing gives a date): `start` and "
            "`end` (ISO 8601 at their precision, `start_precision`/`end_precision`) and `basis`, where they come "
            "from: `own` (its `start_on`/`end_on`), `itinerary` (its dated stops) or `events` (the events of the "
            "delegation the reader may see: a draft event dates it for staff only)."
        ),
        "properties": {
            "start": PARTIAL_DATE_SCHEMA,
            "start_precision": PRECISION_SCHEMA,
            "end": PARTIAL_DATE_SCHEMA,
            "end_precision": PRECISION_SCHEMA,
            "basis": {"type": "string", "enum": list(DelegationQuerySet.TRAVEL_BASES)},
        },
        "required": ["start", "start_precision", "end", "end_precision", "basis"],
    }
)
class TravelDatesField(serializers.ReadOnlyField):
    """A delegation's travel dates (``Delegation.objects.with_travel_dates``, the one rule its page,
    list, filters and ordering read) as ``{"start", "start_precision", "end", "end_precision",
    "basis"}``, or ``None`` when nothing dates it. A record the list's queryset did not annotate
    (one just written) is read through the same rule, for the request's user (one query)."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, delegation):
        names = DelegationQuerySet.TRAVEL_DATES
        if all(name in delegation.__dict__ for name in names):
            dates = {name: delegation.__dict__[name] for name in names}
        else:
            user = getattr(self.context.get("request"), "user", None)
            dates = Delegation.objects.with_travel_dates(user).filter(pk=delegation.pk).values(*names).first() or {}
        if dates.get("travel_basis") is None:
            return None
        return {
            "start": iso_partial(dates["travel_start"], dates["travel_start_precision"]),
            "start_precision": dates["travel_start_precision"],
            "end": iso_partial(dates["travel_end"], dates["travel_end_precision"]),
            "end_precision": dates["travel_end_precision"],
            "basis": dates["travel_basis"],
        }


class DelegationSerializer(RegistrySerializer):
    """A delegation with its members, ordered itinerary and outcomes (those three read-only here)."""

    slug_from = "name_en"
    organizer = summary(
        OrganizationSummarySerializer, queryset=Organization.objects.all(), allow_null=True, required=False
    )
    leader = summary(PersonSummarySerializer, queryset=Person.objects.all(), allow_null=True, required=False)
    travelled_with = summary(
        DelegationSummarySerializer,
        queryset=Delegation.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the delegation this one travelled with.",
    )
    members = DelegationMemberSerializer(many=True, read_only=True)
    itinerary = ItineraryStopSerializer(many=True, read_only=True, help_text="Stops in travel order.")
    outcomes = OutcomeSerializer(many=True, read_only=True)
    sources = summary(SourceSummarySerializer, queryset=Source.objects.all(), many=True, help_text=SOURCES_HELP)
    travel_dates = TravelDatesField()

    class Meta:
        model = Delegation
        fields = [
            "slug",
            "name_en",
            "name_ko",
            "kind",
            "organizer",
            "leader",
            "travelled_with",
            "purpose_en",
            "purpose_ko",
            "start_on",
            "end_on",
            "travel_dates",
            "members",
            "itinerary",
            "outcomes",
            "publication",
            "sources",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"slug": {"required": False}, **timestamps()}
