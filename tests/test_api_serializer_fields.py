"""The API's serializers build their fields from the model once per class and language
(:class:`registry.api.fields.FieldsBuiltOnceSerializer`), and each serializer still gets fields
of its own, in the language of its request."""

from unittest import mock

import pytest
from django.utils import translation
from drf_spectacular.plumbing import get_doc
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from registry.api.fields import FieldsBuiltOnceSerializer
from registry.api.serializers import CitySerializer, PartnershipSerializer, RegistrySerializer, SourceSerializer
from registry.api.summaries import CitySummarySerializer, SourceSummarySerializer


def registry_subclasses(root: type) -> list[type]:
    """The registry's subclasses of ``root``, at any depth (``root`` too if it is the registry's)."""
    found, pending = [], [root]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("registry."):
            found.append(cls)
    return found


def built_per_serializer(self):
    """DRF's ``get_fields`` for every serializer, with the base's labels for declared fields: what
    :class:`FieldsBuiltOnceSerializer` keeps, built again each time."""
    return self.labelled(serializers.ModelSerializer.get_fields(self))


def fresh(cls):
    """``cls`` as if no serializer of it had been made yet."""
    if "_fields_built" in cls.__dict__:
        delattr(cls, "_fields_built")
    return cls


@pytest.mark.parametrize("cls", [PartnershipSerializer, CitySummarySerializer, SourceSummarySerializer])
def test_the_fields_are_built_from_the_model_once_per_class(cls):
    fresh(cls)
    with mock.patch.object(serializers.ModelSerializer, "build_field", wraps=cls().build_field) as build:
        cls().fields  # noqa: B018 (the property builds them)
        first = build.call_count
        cls().fields  # noqa: B018
        cls().fields  # noqa: B018
    assert first > 0
    assert build.call_count == first, "a second serializer of the class built its fields again"


def test_every_serializer_has_fields_of_its_own_bound_to_it():
    one, two = PartnershipSerializer(), PartnershipSerializer()
    assert list(one.fields) == list(two.fields)
    for name in one.fields:
        assert one.fields[name] is not two.fields[name]
        assert one.fields[name].parent is one
        assert two.fields[name].parent is two
    kept = PartnershipSerializer.__dict__["_fields_built"][translation.get_language()]
    assert all(getattr(field, "parent", None) is None for field in kept.values()), "the kept fields were bound"


@pytest.mark.django_db
def test_the_fields_match_what_drf_builds():
    fresh(PartnershipSerializer)
    built = repr(PartnershipSerializer())
    with mock.patch.object(FieldsBuiltOnceSerializer, "get_fields", built_per_serializer):
        by_drf = repr(PartnershipSerializer())
    assert repr(PartnershipSerializer()) == built == by_drf


def test_a_field_speaks_the_language_of_the_serializer_that_uses_it():
    """A field's messages made when it is made (the refusal of a choice names the values) are in
    the language of each request, not of the first serializer of the class."""
    fresh(PartnershipSerializer)
    with translation.override("en"):
        english = PartnershipSerializer().fields["kind"].error_messages["invalid_choice"]
    with translation.override("ko"):
        korean = PartnershipSerializer().fields["kind"].error_messages["invalid_choice"]
    assert "is not one of" in english
    assert "다음 값 중 하나가 아닙니다" in korean


def test_every_serializer_of_the_api_builds_its_fields_once():
    """The API's model serializers all come from the base that keeps its fields."""
    seen = registry_subclasses(serializers.ModelSerializer)
    assert RegistrySerializer in seen and CitySummarySerializer in seen
    assert [cls for cls in seen if not issubclass(cls, FieldsBuiltOnceSerializer)] == []


def test_the_schema_does_not_describe_a_record_by_the_base_s_docstring():
    """A serializer without a docstring of its own is described by nothing, as with DRF's base,
    not by how the base builds fields."""
    assert get_doc(SourceSummarySerializer) == ""
    assert get_doc(CitySummarySerializer).startswith("A city as other records show it")


def unique_message(field) -> str:
    """The message of ``field``'s ``UniqueValidator`` (a duplicate slug's)."""
    (validator,) = [v for v in field.validators if isinstance(v, UniqueValidator)]
    return str(validator.message)


def labels(fields) -> dict[str, str]:
    """Each field's label, by name."""
    return {name: str(field.label) for name, field in fields.items()}


@pytest.mark.parametrize("first", ["en", "ko"])
@pytest.mark.parametrize("cls", [CitySerializer, SourceSerializer])
def test_messages_and_labels_made_as_fields_are_built_are_in_each_request_s_language(cls, first):
    """DRF translates a unique field's message, and keeps a label only where the translated name
    differs from the field's, as it builds the fields: a Korean request's were given to English
    ones, and the other way round (helper-79)."""
    fresh(cls)
    shown = {}
    for language in (first, "ko" if first == "en" else "en", first):
        with translation.override(language):
            fields = cls().fields
            seen = (unique_message(fields["slug"]), labels(fields))
        assert shown.setdefault(language, seen) == seen
        with (
            translation.override(language),
            mock.patch.object(FieldsBuiltOnceSerializer, "get_fields", built_per_serializer),
        ):
            by_drf = cls().fields
            assert seen == (unique_message(by_drf["slug"]), labels(by_drf))
    assert "already exists" in shown["en"][0] and "기록이 이미 있습니다" in shown["ko"][0]
    assert shown["en"][1]["slug"] != shown["ko"][1]["slug"]


def described(fields) -> dict[str, tuple]:
    """Each field's label, help text and validators' messages, by name, as text."""
    return {
        name: (
            str(field.label),
            str(field.help_text),
            sorted(str(getattr(v, "message", "")) for v in getattr(field, "validators", [])),
        )
        for name, field in fields.items()
    }


@pytest.mark.parametrize("second", ["en", "ko"])
def test_every_serializer_describes_its_fields_as_drf_would_in_the_language_asked(second):
    first = "ko" if second == "en" else "en"
    for cls in registry_subclasses(FieldsBuiltOnceSerializer):
        if not hasattr(cls, "Meta"):  # a base (RegistrySerializer)
            continue
        fresh(cls)
        with translation.override(first):
            cls().fields  # noqa: B018 (built in the other language first)
        with translation.override(second):
            kept = described(cls().fields)
            with mock.patch.object(FieldsBuiltOnceSerializer, "get_fields", built_per_serializer):
                assert kept == described(cls().fields), cls.__name__
