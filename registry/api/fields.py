"""Serializer fields of the JSON API: dates at their precision, ISO country codes, and references
written as a slug (or id) and read back as the other record's summary."""

from __future__ import annotations

import copy
import functools
import re

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, gettext_lazy
from django_countries import countries
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from .. import dates
from ..apps import listed_choices
from ..dates import PARTIAL_DATE_INVALID, iso_partial, precision_of
from ..filter_parameters import LARGEST_NUMBER
from ..models import (
    DatePrecision,
    PublishableMixin,
)
from ..models.base import no_such_record
from ..text import ASSUMED_URL_SCHEME
from .pagination import whole_number

# --------------------------------------------------------------------------- serializer base


class FieldsBuiltOnceSerializer(serializers.ModelSerializer):
    """A ``ModelSerializer`` that builds its fields from the model once per class and language,
    not once per serializer: the base of every serializer of the API (:class:`~registry.api.
    serializers.RegistrySerializer` and the summaries of :mod:`registry.api.summaries`).

    DRF's ``ModelSerializer.get_fields`` reads the model's fields and builds a serializer field
    for each (``build_field``, ``get_field_kwargs``) every time a serializer is made; an API list
    makes one per nested summary per request, which cost 2–4 ms of a cold 16–25 ms list (A/B in
    one process, SQLite, shipped size: agreements 23.0 → 19.2 ms p50, events 22.7 → 19.3,
    delegations 18.7 → 16.4, same bodies; about 1 ms at 100,000 partnerships, whose lists nest
    fewer summaries; stop 37's note). Here the first serializer of a class in a language keeps
    what ``get_fields`` built, unbound, and every serializer gets a deep copy of it: DRF's
    ``Field.__deepcopy__`` makes each field again from its arguments, as DRF already copies the
    declared fields, so no field (nor its ``parent`` and context) is shared between serializers.

    What ``get_fields`` builds depends on the class (``Meta``, the declared fields,
    ``serializer_field_mapping``, ``get_field_names``) and on the active language, never on the
    request or the instance: DRF translates some of it as it builds it (a unique field's "city
    with this slug already exists." in its ``UniqueValidator``, which copies share; a label kept
    only where the translated name differs from the field's), so the fields are kept per language
    (helper-79 found a Korean request's messages and labels given to English ones). A subclass
    whose fields depend on more must override ``get_fields`` itself (DRF's reason for not caching
    fields, encode/django-rest-framework#7093).

    A declared field without a label of its own is labelled as DRF labels the fields it builds
    (:meth:`labelled`), so that the browsable API's forms, ``OPTIONS`` and the schema's titles
    name every field in the reader's language (DRF labels a declared field by its name, in
    English: a Korean ``OPTIONS`` said “Country”, “Sources”, “Established on”; helper-80)."""

    def get_fields(self):
        """A fresh copy of this class's fields in the active language (``dict`` of name →
        unbound field)."""
        cls = type(self)
        built = cls.__dict__.get("_fields_built")
        if built is None:
            built = cls._fields_built = {}
        language = get_language()
        fields = built.get(language)
        if fields is None:
            fields = built[language] = self.labelled(super().get_fields())
        return copy.deepcopy(fields)

    @property
    def _readable_fields(self):
        """DRF's readable fields (every field but the write-only ones, in order), listed once per
        serializer rather than once per row: DRF walks ``self.fields``, a ``BindingDict`` read
        through ``collections.abc``, for every row and every nested summary, 4,370 walks in ten
        cold ``/api/v1/partnerships/`` at the shipped size, about a tenth of the list's time. The
        fields are bound once (``fields``) and never changed after; a ``list``, as DRF iterates it."""
        readable = self.__dict__.get("_readable_fields_once")
        if readable is None:
            readable = self._readable_fields_once = [field for field in self.fields.values() if not field.write_only]
        return readable

    def labelled(self, fields: dict) -> dict:
        """``fields`` (name → unbound field), each declared field without a label given a label
        from the model, in the active language, where DRF would give one to a field it builds
        (as DRF's ``needs_label``: the name does not already read as the label): a model
        field's or a many-to-many's ``verbose_name``, a reverse relation's the related model's
        ``verbose_name_plural`` (``verbose_name`` for a one-to-one). A field that reads the
        whole record (``source="*"``: a method, a date with its precision) is labelled by the
        model field of its name; one named after no model field keeps its own label, which it
        must declare."""
        model = self.Meta.model
        for name, field in fields.items():
            if name not in self._declared_fields or field.label is not None:
                continue
            try:
                model_field = model._meta.get_field(name if field.source in (None, "*") else field.source)
            except FieldDoesNotExist:
                continue
            if model_field.auto_created and not model_field.concrete:
                related = model_field.related_model._meta
                verbose_name = related.verbose_name if model_field.one_to_one else related.verbose_name_plural
            else:
                verbose_name = model_field.verbose_name
            if capfirst(verbose_name) != name.replace("_", " ").capitalize():
                # Kept in the field's arguments too, which its deep copies are made from.
                field._kwargs["label"] = field.label = capfirst(verbose_name)
        return fields


# --------------------------------------------------------------------------- fields


class StrictCharField(serializers.CharField):
    """A string field that takes only a JSON string: DRF's ``CharField`` turns ``5`` or ``true``
    into text; this one refuses them (400 on the field, code ``invalid``)."""

    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class SchemeURLField(serializers.URLField):
    """A URL; one typed without its scheme (``example.org/report``) is read as
    ``https://example.org/report`` (:data:`registry.text.ASSUMED_URL_SCHEME`, Django's own
    ``forms.URLField`` parsing), as the admin reads it."""

    def to_internal_value(self, data):
        if isinstance(data, str) and data.strip():
            data = forms.URLField(assume_scheme=ASSUMED_URL_SCHEME).to_python(data)
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A whole number given as a JSON number (not ``true``/``false``) or as a string of ASCII digits
    with an optional sign (form posts): DRF's ``IntegerField`` reads ``"1_000"`` (Python's digit
    separators), fullwidth digits and ``" 12 "`` as numbers; this one refuses them (400 on the
    field, code ``invalid``). Found by the adversarial probe (``{"population": "1_000"}`` stored 1000)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, str) and not re.fullmatch(r"[+-]?[0-9]+", data)):
            self.fail("invalid")
        return super().to_internal_value(data)


class LocalTimeField(serializers.TimeField):
    """A time of day as the clock shows it where the event is (``"10:00"``, ``"10:00:30"``; its
    zone is the record's ``time_zone``), refused with a UTC offset (``"10:00+09:00"``, ``"10:00Z"``:
    400 on the field, code ``offset``). DRF's ``TimeField`` parsed the offset and dropped it, so
    ``10:00+09:00`` for an event in Almaty was stored as 10:00 Almaty time (adversarial probe)."""

    default_error_messages = {
        "offset": gettext_lazy(
            "“{value}” gives a UTC offset: give the time as the clock shows it where the event is, without one "
            "(its zone is time_zone)."
        )
    }

    #: What ends a time given with its offset from UTC (Django's ``parse_time`` drops it).
    OFFSET = re.compile(r"(?:[zZ]|[+-][0-9]{2}(?::?[0-9]{2}(?::?[0-9]{2}(?:[.,][0-9]+)?)?)?)\s*$")

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if isinstance(value, str) and self.OFFSET.search(value):
            self.fail("offset", value=value)
        return parsed


#: A date's precision in the schema: ``"day"``, ``"month"`` or ``"year"`` (``DatePrecision``).
PRECISION_SCHEMA = {"type": "string", "enum": list(DatePrecision.values)}


@extend_schema_field({**PRECISION_SCHEMA, "nullable": True, "readOnly": True})
class DatePrecisionField(serializers.ReadOnlyField):
    """The precision of the partial date ``date_field`` (``day``, ``month`` or ``year``, as the
    date is written: set by it), ``null`` when there is no date: a partnership that has not ended
    said ``"ended_precision": "day"`` (new-user probe), as the exports already left it empty."""

    def __init__(self, date_field: str, **kwargs):
        self.date_field = date_field
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return precision_of(getattr(instance, self.date_field), super().get_attribute(instance))


PARTIAL_DATE_SCHEMA = {
    "type": "string",
    # Years 0001-9999 (no year 0 in the calendar), months 01-12, days 01-31.
    "pattern": r"^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$",
    "example": "2022-09-14",
    "description": (
        "ISO 8601 date at the precision the source gives: YYYY (year only), YYYY-MM (month only) "
        "or YYYY-MM-DD. Never padded with an invented month or day."
    ),
}


@extend_schema_field(PARTIAL_DATE_SCHEMA)
class PartialDateField(serializers.Field):
    """A date stored with a ``*_precision`` column, read and written as ``YYYY[-MM[-DD]]``.

    Writing ``"1966"`` stores 1 January 1966 with precision ``year``; the precision column is
    set from the form written, so a year-only date can never come back as a full day.
    """

    default_error_messages = {
        "invalid": PARTIAL_DATE_INVALID,
        "null": "This field may not be null.",
    }

    def __init__(self, *, date_field: str, precision_field: str, **kwargs):
        self.date_field = date_field
        self.precision_field = precision_field
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        if data is None:
            if not self.allow_null:
                self.fail("null")
            return {self.date_field: None, self.precision_field: DatePrecision.DAY}
        return super().run_validation(data)

    def to_internal_value(self, data):
        try:
            value, precision = dates.parse_partial_date(data)
        except dates.NoSuchDay:
            raise serializers.ValidationError(
                dates.PARTIAL_DATE_NO_SUCH_DAY % {"value": data}, code="no_such_day"
            ) from None
        except ValueError:
            self.fail("invalid")
        return {self.date_field: value, self.precision_field: DatePrecision(precision)}

    def to_representation(self, instance):
        return iso_partial(getattr(instance, self.date_field), getattr(instance, self.precision_field))


@functools.cache
def country_codes(language: str | None) -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes in django-countries' order (by name in ``language``, the active
    language that orders them), computed once per language: sorting the translated names is
    what made building a serializer with a country slow."""
    return tuple(code for code, _name in countries)


class CoordinateField(serializers.DecimalField):
    """A WGS 84 coordinate in decimal degrees (a JSON number, at most 5 decimal places): a value
    outside ``min_value``–``max_value`` (±90 for a latitude, ±180 for a longitude) is refused
    naming that range (code ``max_value``/``min_value``) before its count of digits is checked:
    ``1799`` said "no more than 3 digits before the decimal point" and ``1e308`` "no more than 8
    digits in total" (adversarial probe)."""

    def validate_precision(self, value):
        if value.is_finite() and self.max_value is not None and value > self.max_value:
            self.fail("max_value", max_value=self.max_value)
        if value.is_finite() and self.min_value is not None and value < self.min_value:
            self.fail("min_value", min_value=self.min_value)
        return super().validate_precision(value)


class ListedChoiceField(serializers.ChoiceField):
    """DRF's choice field (every model field with choices), whose refusal of a value not in a
    short list names the values it takes (:func:`registry.apps.listed_choices`), as the models'
    fields and the lists' filters do: ``"kind": "treaty"`` said only “"treaty" is not a valid
    choice.” (new-user probe)."""

    def __init__(self, choices, **kwargs):
        super().__init__(choices, **kwargs)
        values = listed_choices(self.choices.items())
        if values:
            message = gettext("“{input}” is not one of: %(values)s.") % {"values": values}
            self.error_messages = {**self.error_messages, "invalid_choice": message}


class CountryField(serializers.ChoiceField):
    """ISO 3166-1 alpha-2 country code, read in capitals (``KZ``) and written in any case
    (``kz``), as the list filters take it. Another text is refused (400, code
    ``invalid_choice``) saying what is taken; an alpha-3 or numeric code (``KAZ``, ``398``,
    which a spreadsheet import takes) is refused naming its alpha-2 code (code ``alpha2_only``):
    the schema's enum lists the alpha-2 codes only. It said DRF's “"KAZ" is not a valid choice.”
    (new-user probe)."""

    default_error_messages = {
        "blank": gettext_lazy("This field may not be blank."),
        "invalid_choice": gettext_lazy(
            "“{input}” is not an ISO 3166-1 alpha-2 country code: write two letters such as KZ."
        ),
        "alpha2_only": gettext_lazy(
            "“{input}” is the ISO 3166-1 code of {name} in another form; the API takes its alpha-2 code: {code}."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 country code in capitals, e.g. KZ (written in any case).")
        super().__init__(choices=country_codes(get_language()), **kwargs)

    def to_internal_value(self, data):
        if data == "" and not self.allow_blank:
            self.fail("blank")
        if isinstance(data, str) and data.upper() in self.choices:
            return super().to_internal_value(data.upper())
        code = countries.alpha2(data) if isinstance(data, str) and data.strip() == data else ""
        if code:
            self.fail("alpha2_only", input=data, name=countries.name(code), code=code)
        return super().to_internal_value(data)

    def to_representation(self, value):
        code = getattr(value, "code", value)
        return code or ("" if self.allow_blank else None)


class StrictManyRelatedField(serializers.ManyRelatedField):
    """A list of references that takes only a list (a JSON array, or a form's repeated field):
    DRF's reads any iterable, so ``{}`` cleared the list and ``{"busan": 1}`` named Busan (400 on
    the field, code ``not_a_list``). Found by the adversarial probe."""

    def to_internal_value(self, data):
        if not isinstance(data, list | tuple):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictSlugRelatedField(serializers.SlugRelatedField):
    """A reference to another record by its slug, a JSON string, or, where ``slug_field`` is
    ``id`` (records without a slug: partnerships), by its id: a JSON whole number or a string of
    ASCII digits (:func:`registry.api.pagination.whole_number`). DRF's reads ``true``, ``1.9``,
    ``" 1 "`` and ``"١"`` as the id 1 and the number ``5`` as the slug ``"5"``; this one refuses
    them (400 on the field, code ``invalid``), and an id beyond ``LARGEST_NUMBER`` is one that does
    not exist (code ``does_not_exist``) without asking the database. A reference that names no
    record is refused naming the model, the key and the value ("No city has the slug
    “no-such-city”.", "No partnership has the ID “7”.", code ``does_not_exist``). ``many=True`` makes a
    :class:`StrictManyRelatedField`."""

    default_error_messages = {
        "invalid": gettext_lazy("Not a valid reference: give the record's slug, a string."),
        "invalid_id": gettext_lazy("Not a valid reference: give the record's id, a whole number."),
    }

    @classmethod
    def many_init(cls, *args, **kwargs):
        """DRF's ``RelatedField.many_init`` with :class:`StrictManyRelatedField` for the list."""
        many = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return StrictManyRelatedField(child_relation=cls(*args, **kwargs), **many)

    def fail(self, key, **kwargs):
        """DRF's ``fail``; a reference that names no record (code ``does_not_exist``) names the
        model it looked for and its key, translated, as an import's cell does: "No city has the
        slug “no-such-city”." (DRF's said "Object with slug=no-such-city does not exist.")."""
        if key != "does_not_exist":
            super().fail(key, **kwargs)
        message = no_such_record(self.get_queryset().model, self.slug_field, kwargs["value"])
        raise serializers.ValidationError(message, code=key)

    def to_internal_value(self, data):
        if self.slug_field in ("id", "pk"):
            if isinstance(data, str) and whole_number(data):
                # More than 19 digits is past LARGEST_NUMBER (and Python reads at most 4,300).
                data = int(data) if len(data.lstrip("0")) <= 19 else LARGEST_NUMBER + 1
            if isinstance(data, bool) or not isinstance(data, int) or data < 1:
                raise serializers.ValidationError(self.error_messages["invalid_id"], code="invalid")
            if data > LARGEST_NUMBER:
                self.fail("does_not_exist", slug_name=self.slug_field, value=str(data))
        elif not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class RelatedSummaryField(StrictSlugRelatedField):
    """A reference written as the other record's slug (or ``id``) and read as its summary.

    A draft the reader may not see reads as ``null`` (the field is then nullable).
    """

    def __init__(self, summary, **kwargs):
        self.summary = summary
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def use_pk_only_optimization(self):
        return False

    def get_attribute(self, instance):
        """The related row, or ``None`` when the reader may not see it.

        Only references to records with their own draft state (partnerships, agreements,
        events, delegations) can point at something the reader may not see: cities, people,
        organizations and sources are public *because* a public record refers to them. Lists
        annotate ``<field>_visible`` with :meth:`RegistryQuerySet.with_visibility`; a single
        record not read through such a queryset (the answer to a write) asks the related
        model's ``visible_to`` with one query.
        """
        value = super().get_attribute(instance)
        if value is None or not isinstance(type(value)._default_manager.all(), PublishableMixin):
            return value
        visible = getattr(instance, f"{self.source}_visible", None)
        if visible is None:
            request = self.context.get("request")
            user = getattr(request, "user", None)
            visible = type(value)._default_manager.visible_to(user).filter(pk=value.pk).exists()
        return value if visible else None

    def to_representation(self, value):
        """``value``'s summary, by one summary serializer per field (built at the first row and
        reused for every other: building a ``ModelSerializer``'s fields costs far more than
        reading a row)."""
        serializer = self.__dict__.get("summary_serializer")
        if serializer is None:
            serializer = self.summary_serializer = self.summary(context=self.context)
        return serializer.to_representation(value)


class RelatedSummaryFieldExtension(OpenApiSerializerFieldExtension):
    """Schema of :class:`RelatedSummaryField`: a slug (or id) in requests, the summary in responses."""

    target_class = RelatedSummaryField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if direction == "request":
            if field.slug_field in ("pk", "id"):
                return build_basic_type(OpenApiTypes.INT)
            return {**build_basic_type(OpenApiTypes.STR), "description": "Slug of the record."}
        return auto_schema.resolve_serializer(field.summary, direction).ref


def summary(serializer_class, *, queryset=None, slug_field="slug", many=False, help_text="", **kwargs):
    """A :class:`RelatedSummaryField` (read-only when ``queryset`` is ``None``)."""
    if queryset is None:
        kwargs["read_only"] = True
    else:
        kwargs["queryset"] = queryset
    field = RelatedSummaryField
    if many:
        return StrictManyRelatedField(
            child_relation=field(serializer_class, slug_field=slug_field, **kwargs),
            help_text=help_text,
            **({"required": False} if queryset is not None else {"read_only": True}),
        )
    return field(serializer_class, slug_field=slug_field, help_text=help_text, **kwargs)


class QueryDateParameter(serializers.Field):
    """A date query parameter (``as_of``): exactly ``YYYY-MM-DD`` within the registry's range,
    read by :func:`registry.dates.parse_query_date` (400 naming the parameter otherwise). An
    empty value is no date (``None``), as an empty filter is no filter."""

    def to_internal_value(self, data):
        return dates.parse_query_date(str(data)) if data != "" else None

    def to_representation(self, value):
        return value.isoformat()
