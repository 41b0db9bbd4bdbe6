"""Serializers of the JSON API (``/api/v1/``): the base of every writable one
(:class:`RegistrySerializer`), sources, cooperation fields, cities, organizations, people and
partnerships (with the partnership actions' input). The full records of agreements, events and
delegations are in :mod:`registry.api.serializers_records`, the network figures in
:mod:`registry.api.serializers_network`, the error answers' shape in :mod:`registry.api.exceptions`.

Conventions every consumer can rely on:

* References to other records are written as the record's **slug** (a partnership by its
  integer ``id``) and read back as a small nested summary of that record.
* Dates that sources give only to the month or the year are read and written as
  ``"1966"`` / ``"1966-06"`` / ``"1966-06-30"``; the matching ``*_precision`` field
  (``year``, ``month``, ``day``) follows from the form written and is never invented.
* Money is a decimal string (``"3850000.00"``) with its ISO 4217 ``currency`` and an
  ``amount_qualifier`` (``more_than``); coordinates are JSON numbers (WGS 84 degrees).
* Every write is validated once, by the model's ``full_clean()`` in the service that saves it
  (field validators, ``clean()`` and the named database constraints), so the API refuses what
  the admin refuses; the serializer only maps the errors to the API's field names and the rule.
  Unknown fields and attempts to set read-only fields are refused too.

No domain rule lives here: rules are the models' constraints; multi-model writes go through
:mod:`registry.services`.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from rest_framework import serializers
from rest_framework.settings import api_settings

from .. import services
from ..models import City, CooperationField, Organization, Partnership, Person, Source
from ..models.text_rules import validate_reason
from ..text import is_visible
from .change_reason import CHANGE_REASON_MAX, resolve_change_reason
from .fields import (
    CoordinateField,
    CountryField,
    DatePrecisionField,
    FieldsBuiltOnceSerializer,
    ListedChoiceField,
    LocalTimeField,
    PartialDateField,
    SchemeURLField,
    StrictCharField,
    StrictIntegerField,
    summary,
)
from .summaries import (
    CityNameSerializer,
    CitySummarySerializer,
    ClaimSummarySerializer,
    CooperationFieldSummarySerializer,
    PartnershipStageSummarySerializer,
    PartnershipSummarySerializer,
    SourceSummarySerializer,
)

# --------------------------------------------------------------------------- full records


class RegistrySerializer(FieldsBuiltOnceSerializer):
    """Base of every writable serializer: strict input, parsed; the model validates.

    * Unknown fields and read-only fields in the input are errors (400), not silently dropped,
      reported with the other fields' own errors in one answer.
    * The serializer only parses. ``create()``/``update()`` save through a service
      (:func:`registry.services.save_record`), which runs the model's ``full_clean()`` once
      (field validators, ``clean()`` and the named database constraints) inside its transaction;
      its ``ValidationError`` is answered 400 on the API's field names by :meth:`api_errors`,
      with the rule's name as the error code.
    """

    # Input strictly of its JSON type: a number where a whole number belongs, a string where text belongs.
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.IntegerField: StrictIntegerField,
        models.BigIntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveBigIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.URLField: SchemeURLField,
        models.TimeField: LocalTimeField,
    }
    serializer_choice_field = ListedChoiceField
    slug_from = ""  # field the slug is made from when a new record gives none
    staff_only_fields = ("notes",)  # absent from the answer unless the reader sees everything

    change_reason = serializers.CharField(
        label=gettext_lazy("Reason for the change"),
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=CHANGE_REASON_MAX,
        validators=[validate_reason],
        help_text=f"Why this change is made (optional, at most {CHANGE_REASON_MAX} characters), kept in the "
        "record's history; the same as the `X-Change-Reason` header (give either, or both equal). On a published "
        "partnership it is what allows correcting the kind, the dates or the status without the actions.",
    )

    def get_field_names(self, declared_fields, info):
        """``Meta.fields`` plus the write-only ``change_reason`` every write accepts."""
        return [*super().get_field_names(declared_fields, info), "change_reason"]

    def to_representation(self, instance):
        """The record as JSON; staff notes only for readers who may see everything (the model's
        ``sees_everything``), the public reads ``remarks_en``/``remarks_ko``."""
        data = super().to_representation(instance)
        present = [name for name in self.staff_only_fields if name in data]
        if present:
            request = self.context.get("request")
            if not self.Meta.model._default_manager.all().sees_everything(getattr(request, "user", None)):
                for name in present:
                    del data[name]
        return data

    def to_internal_value(self, data):
        if self.instance is None and self.slug_from and hasattr(data, "get") and data.get("slug") == "":
            # A new record's empty slug is made from its name, as when the slug is left out and
            # as the admin's add form makes it (it was refused: "This field may not be blank.").
            data = data.copy()
            data.pop("slug")
        if isinstance(data, dict):
            errors = {}
            writable = {name for name, field in self.fields.items() if not field.read_only}
            for key in data:
                if key in writable:
                    continue
                if key in self.fields:
                    errors[key] = [serializers.ErrorDetail(gettext("This field is read-only."), code="read_only")]
                else:
                    errors[key] = [serializers.ErrorDetail(gettext("Unknown field."), code="unknown_field")]
            if errors:
                # The other fields' own errors come with them: an unknown field hid a latitude of 95
                # until the client removed it (helper-92). Only the fields' checks run, nothing is saved.
                try:
                    super().to_internal_value({key: value for key, value in data.items() if key in writable})
                except serializers.ValidationError as error:
                    if isinstance(error.detail, dict):
                        for name, messages in error.detail.items():
                            errors.setdefault(name, messages)
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def validate(self, attrs):
        """Fill the slug of a new record from :attr:`slug_from`, and resolve the change reason
        (:meth:`resolve_change_reason`) into ``attrs["change_reason"]``."""
        if self.instance is None and "slug" in self.fields and not attrs.get("slug") and self.slug_from:
            attrs["slug"] = self.made_slug(attrs.get(self.slug_from, ""))
        attrs["change_reason"] = self.resolve_change_reason(attrs.get("change_reason", ""))
        return attrs

    def made_slug(self, name: str) -> str:
        """The slug of a new record made from :attr:`slug_from` by the model's rule
        (:meth:`registry.models.base.SluggedModel.slug_made_from`): refused on ``slug`` (400) when
        another record holds it (code ``unique``; the model's own check said "City with this Slug
        already exists." about a field the client never sent: adversarial probe) or when ``name``
        has nothing to make one of (code ``no_slug_in_name``). An empty ``name`` gives an empty
        slug, refused with the name's own error; a name that shows nothing is refused on the name
        as blank (code ``blank``), as the model's rule would. A slug taken between this check and the write
        is still refused, by the database's unique constraint."""
        if not name:
            return ""
        if not is_visible(name):  # the name's own rule, alone: no slug error quoting an invisible name
            blank = self.Meta.model._meta.get_field(self.slug_from).error_messages["blank"]
            raise serializers.ValidationError({self.slug_from: [serializers.ErrorDetail(blank, code="blank")]})
        try:
            return self.Meta.model.slug_made_from(name, self.slug_from)
        except DjangoValidationError as error:
            raise serializers.ValidationError(self.api_errors(error)) from None

    def resolve_change_reason(self, body: str) -> str:
        """The body's ``change_reason`` or the ``X-Change-Reason`` header: the one rule,
        :func:`registry.api.change_reason.resolve_change_reason` (400 on ``change_reason``)."""
        return resolve_change_reason(self.context.get("request"), body)

    def api_errors(self, error: DjangoValidationError) -> dict[str, list[serializers.ErrorDetail]]:
        """The model's ``ValidationError`` keyed by API field name, each message with the rule's code.

        A partial date's ``*_on`` and ``*_precision`` columns are reported on the API field
        that writes both; errors on no field go under ``non_field_errors``.
        """
        result: dict[str, list] = {}
        field_of = {}
        for name, field in self.fields.items():
            if isinstance(field, PartialDateField):
                field_of[field.date_field] = name
                field_of[field.precision_field] = name
        for key, messages in error.update_error_dict({}).items():
            name = api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else field_of.get(key, key)
            for message in messages:
                text = message.message % message.params if message.params else message.message
                result.setdefault(name, []).append(serializers.ErrorDetail(str(text), code=message.code or "invalid"))
        return result

    @contextmanager
    def model_errors(self):
        """Run a service; its ``ValidationError`` becomes the API's (400), see :meth:`api_errors`."""
        try:
            yield
        except DjangoValidationError as error:
            raise serializers.ValidationError(self.api_errors(error)) from None

    def create(self, validated_data):
        """Save a new record through :func:`registry.services.save_record`, with the change reason."""
        reason = validated_data.pop("change_reason", "")
        with self.model_errors():
            return services.save_record(instance=self.Meta.model(), data=validated_data, reason=reason)

    def update(self, instance, validated_data):
        """Save the changes through :func:`registry.services.save_record`, with the change reason
        (stored in the history; on a published partnership what allows a correction)."""
        reason = validated_data.pop("change_reason", "")
        with self.model_errors():
            return services.save_record(instance=instance, data=validated_data, reason=reason)


def staff_notes():
    return {
        "notes": {"help_text": "Staff only (research notes, conflicts between sources): absent for other readers."},
        "remarks_en": {"help_text": "Public remarks in English."},
        "remarks_ko": {"help_text": "Public remarks in Korean."},
    }


def timestamps():
    return {
        "created_at": {"read_only": True, "help_text": "When the record was created (UTC, ISO 8601)."},
        "updated_at": {"read_only": True, "help_text": "When the record last changed (UTC, ISO 8601)."},
    }


SOURCES_HELP = "Slugs of the sources this record rests on; read back as summaries."


class SourceSerializer(RegistrySerializer):
    slug_from = "title"

    class Meta:
        model = Source
        fields = [
            "slug",
            "title",
            "publisher",
            "url",
            "published_on",
            "language",
            "remarks_en",
            "remarks_ko",
            "notes",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"slug": {"required": False}, **timestamps(), **staff_notes()}


class CooperationFieldSerializer(RegistrySerializer):
    slug_from = "name_en"

    class Meta:
        model = CooperationField
        fields = ["slug", "name_en", "name_ko", "created_at", "updated_at"]
        extra_kwargs = {"slug": {"required": False}, **timestamps()}


class CitySerializer(RegistrySerializer):
    """A city or sub-national government. Region and sub-region come from the country (UN M49)."""

    slug_from = "name_en"
    country = CountryField()
    region = CitySummarySerializer._declared_fields["region"]
    subregion = CitySummarySerializer._declared_fields["subregion"]
    latitude = CoordinateField(
        max_digits=8,
        decimal_places=5,
        coerce_to_string=False,
        allow_null=True,
        required=False,
        min_value=-90,
        max_value=90,
        help_text="WGS 84 decimal degrees, -90 to 90 (north positive); a JSON number.",
    )
    longitude = CoordinateField(
        max_digits=8,
        decimal_places=5,
        coerce_to_string=False,
        allow_null=True,
        required=False,
        min_value=-180,
        max_value=180,
        help_text="WGS 84 decimal degrees, -180 to 180 (east positive); a JSON number.",
    )
    names = CityNameSerializer(many=True, read_only=True, help_text="Former names (with years) and aliases.")
    sources = summary(SourceSummarySerializer, queryset=Source.objects.all(), many=True, help_text=SOURCES_HELP)

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
            "admin_level",
            "subdivision",
            "latitude",
            "longitude",
            "coordinates_source",
            "population",
            "population_year",
            "wikidata_id",
            "confidence",
            "names",
            "remarks_en",
            "remarks_ko",
            "notes",
            "sources",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"slug": {"required": False}, **timestamps(), **staff_notes()}

    get_region = CitySummarySerializer.get_region
    get_subregion = CitySummarySerializer.get_subregion


class OrganizationSerializer(RegistrySerializer):
    slug_from = "name_en"
    country = CountryField(allow_blank=True, required=False)
    city = summary(CitySummarySerializer, queryset=City.objects.all(), allow_null=True, required=False)
    sources = summary(SourceSummarySerializer, queryset=Source.objects.all(), many=True, help_text=SOURCES_HELP)

    class Meta:
        model = Organization
        fields = [
            "slug",
            "name_en",
            "name_ko",
            "name_native",
            "kind",
            "city",
            "country",
            "website",
            "remarks_en",
            "remarks_ko",
            "notes",
            "sources",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"slug": {"required": False}, **timestamps(), **staff_notes()}


class PersonSerializer(RegistrySerializer):
    slug_from = "name_en"
    sources = summary(SourceSummarySerializer, queryset=Source.objects.all(), many=True, help_text=SOURCES_HELP)

    class Meta:
        model = Person
        fields = [
            "slug",
            "name_en",
            "name_ko",
            "name_native",
            "remarks_en",
            "remarks_ko",
            "notes",
            "sources",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"slug": {"required": False}, **timestamps(), **staff_notes()}


CLAIMS_HELP = (
    "The sources of each fact: every value sources claim for a fact (`established_on`, `kind`, `venue`, ...) "
    "with those sources; one value per fact is `preferred` (the value the record holds). Two or more values "
    "of one fact: the sources differ."
)


class PartnershipSerializer(RegistrySerializer):
    """A sister city or friendship city relation. ``city`` is the home side, ``partner`` the other,
    stored as given (never swapped)."""

    city = summary(
        CitySummarySerializer,
        queryset=City.objects.all(),
        help_text="Home side, as given: a city slug. Stored as written, never swapped with `partner`.",
    )
    partner = summary(CitySummarySerializer, queryset=City.objects.all(), help_text="Partner city: a city slug.")
    established_on = PartialDateField(
        date_field="established_on",
        precision_field="established_precision",
        allow_null=True,
        help_text="The signature, `YYYY[-MM[-DD]]`; null for a relation not signed yet (status `proposed`: a "
        "letter of intent), which never counts (POST `…/sign/` records the signature).",
    )
    ended_on = PartialDateField(
        date_field="ended_on", precision_field="ended_precision", allow_null=True, required=False
    )
    established_precision = DatePrecisionField(
        "established_on", help_text="Precision of `established_on`: day, month or year; null when it is null."
    )
    ended_precision = DatePrecisionField(
        "ended_on", help_text="Precision of `ended_on`: day, month or year; null when it is null."
    )
    fields = summary(
        CooperationFieldSummarySerializer,
        queryset=CooperationField.objects.all(),
        many=True,
        help_text="Slugs of the cooperation fields.",
    )
    sources = summary(SourceSummarySerializer, queryset=Source.objects.all(), many=True, help_text=SOURCES_HELP)
    url = serializers.SerializerMethodField(
        label="URL", help_text="The partnership's public page (absolute URL, English)."
    )

    last_activity = serializers.SerializerMethodField(
        label=gettext_lazy("Last activity"),
        help_text=(
            "Date of the latest event, agreement, delegation visit or stage of this relation (or its establishment)."
        ),
    )
    dormant = serializers.SerializerMethodField(
        label=gettext_lazy("Dormant"),
        help_text="Not ended and no activity for REGISTRY_DORMANT_YEARS years (the `dormant` filter).",
    )

    stages = PartnershipStageSummarySerializer(
        many=True, read_only=True, help_text="The life of the relation: dated stages with their sources."
    )
    claims = ClaimSummarySerializer(many=True, read_only=True, help_text=CLAIMS_HELP)
    successor = summary(
        PartnershipSummarySerializer,
        slug_field="id",
        allow_null=True,
        label=gettext_lazy("Followed by"),
        help_text=(
            "The partnership that replaced this one by an upgrade (POST `…/upgrade/`: a friendship city "
            "became a sister city), the reverse of its `predecessor`; null when there is none or it is a "
            "draft the reader may not see."
        ),
    )

    class Meta:
        model = Partnership
        fields = [
            "id",
            "url",
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
            "fields",
            "confidence",
            "publication",
            "remarks_en",
            "remarks_ko",
            "notes",
            "sources",
            "last_activity",
            "dormant",
            "predecessor",
            "successor",
            "stages",
            "claims",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["predecessor"]
        extra_kwargs = {**timestamps(), **staff_notes()}

    def get_url(self, obj) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            url = obj.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def create(self, validated_data):
        """Through :func:`registry.services.create_partnership`: ``city`` is stored as the home side."""
        reason = validated_data.pop("change_reason", "")
        with self.model_errors():
            return services.create_partnership(**validated_data, reason=reason)

    def activity(self, obj) -> Partnership:
        """``obj`` with :meth:`PartnershipQuerySet.with_last_activity` (lists annotate it; the
        answer to a write asks once)."""
        if not hasattr(obj, "last_activity"):
            user = getattr(self.context.get("request"), "user", None)
            annotated = Partnership.objects.with_last_activity(user).values("last_activity", "dormant").get(pk=obj.pk)
            obj.last_activity, obj.dormant = annotated["last_activity"], annotated["dormant"]
        return obj

    def get_last_activity(self, obj) -> datetime.date:
        return self.activity(obj).last_activity

    def get_dormant(self, obj) -> bool:
        return bool(self.activity(obj).dormant)
