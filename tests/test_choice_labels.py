"""``get_<field>_display()`` of the registry's models reads labels translated once per field and
language (:func:`registry.models.choices.choice_labels`) and answers what Django's answers."""

from unittest import mock

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from registry.models import City, Partnership
from registry.models.base import RegistryModel


def choice_fields():
    """(model, field) of every field with choices of the registry's models."""
    return [
        (model, field)
        for model in apps.get_app_config("registry").get_models()
        if issubclass(model, RegistryModel)
        for field in model._meta.concrete_fields
        if field.choices
    ]


def djangos(instance, field):
    """What Django's own ``get_<field>_display()`` answers."""
    return models.Model._get_FIELD_display(instance, field)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_label_is_django_s_in_each_language(language):
    checked = 0
    with translation.override(language):
        for model, field in choice_fields():
            for value, _label in field.flatchoices:
                instance = model(**{field.attname: value})
                shown = getattr(instance, f"get_{field.name}_display")()
                assert shown == djangos(instance, field), (model.__name__, field.name, value)
                assert isinstance(shown, str)
                checked += 1
            stored = model(**{field.attname: "not-a-choice"})
            assert getattr(stored, f"get_{field.name}_display")() == "not-a-choice"
    assert checked > 50


def test_the_label_follows_the_active_language():
    partnership = Partnership(kind=Partnership.Kind.SISTER, status=Partnership.Status.ACTIVE)
    shown = {}
    for language in ("en", "ko", "en"):
        with translation.override(language):
            shown.setdefault(language, set()).add(partnership.get_kind_display())
            assert partnership.get_kind_display() == djangos(partnership, Partnership._meta.get_field("kind"))
    assert len(shown["en"]) == 1 and shown["en"] != shown["ko"]


def test_the_choices_are_read_once_per_field_and_language():
    """Django reads (and translates) every choice of the field on every call."""
    partnership = Partnership(kind=Partnership.Kind.FRIENDSHIP)
    field = Partnership._meta.get_field("kind")
    with translation.override("ko"):
        partnership.get_kind_display()
        with mock.patch.object(type(field), "flatchoices", new_callable=mock.PropertyMock) as read:
            read.return_value = field.choices
            for _ in range(3):
                partnership.get_kind_display()
    assert read.call_count == 0


def test_a_country_is_named_in_each_language_as_django_names_it():
    """A ``CountryField``'s names are not lazy: each call reads them, in the active language."""
    city = City(country="KZ")
    field = City._meta.get_field("country")
    names = set()
    for language in ("en", "ko"):
        with translation.override(language):
            names.add(city.get_country_display())
            assert city.get_country_display() == djangos(city, field)
    assert len(names) == 2


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_citys_country_name_is_django_countries_name_in_the_readers_language(language):
    """``City.country_name`` (the pages' rows) reads the names once per language
    (:func:`registry.models.choices.country_names`) and answers what ``country.name`` answers, for
    every country, in each language in turn."""
    from django_countries import countries

    with translation.override(language):
        assert all(City(country=code).country_name == City(country=code).country.name for code in countries)
    with translation.override("ko"):
        assert City(country="KZ").country_name == "카자흐스탄"
    with translation.override("en"):
        assert City(country="KZ").country_name == "Kazakhstan"
