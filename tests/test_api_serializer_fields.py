"""The API's serializers build their fields from the model once per class
(:class:`registry.api.fields.FieldsBuiltOnceSerializer`), and each serializer still gets fields
of its own, in the language of its request."""

from unittest import mock

import pytest
from django.utils import translation
from drf_spectacular.plumbing import get_doc
from rest_framework import serializers

from registry.api.fields import FieldsBuiltOnceSerializer
from registry.api.serializers import PartnershipSerializer, RegistrySerializer
from registry.api.summaries import CitySummarySerializer, SourceSummarySerializer


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
    kept = PartnershipSerializer.__dict__["_fields_built"]
    assert all(getattr(field, "parent", None) is None for field in kept.values()), "the kept fields were bound"


@pytest.mark.django_db
def test_the_fields_match_what_drf_builds():
    fresh(PartnershipSerializer)
    built = repr(PartnershipSerializer())
    with mock.patch.object(FieldsBuiltOnceSerializer, "get_fields", serializers.ModelSerializer.get_fields):
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
    subclasses, seen = [serializers.ModelSerializer], []
    while subclasses:
        cls = subclasses.pop()
        subclasses.extend(cls.__subclasses__())
        if cls.__module__.startswith("registry."):
            seen.append(cls)
    assert RegistrySerializer in seen and CitySummarySerializer in seen
    assert [cls for cls in seen if not issubclass(cls, FieldsBuiltOnceSerializer)] == []


def test_the_schema_does_not_describe_a_record_by_the_base_s_docstring():
    """A serializer without a docstring of its own is described by nothing, as with DRF's base,
    not by how the base builds fields."""
    assert get_doc(SourceSummarySerializer) == ""
    assert get_doc(CitySummarySerializer).startswith("A city as other records show it")
