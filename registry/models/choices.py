"""The label of a field's stored choice (``get_<field>_display()`` of every registry model,
:meth:`registry.models.base.RegistryModel._get_FIELD_display`), read from the field's labels
translated once per field and language.

Django builds a dict of the field's choices on every call and hashes each lazy label to build
it, so it translates every label of the field: 13–27 µs a call, and a country page at 100,000
partnerships makes about 1,000 calls (issue 12, stop 37's note); here a call takes 3 µs.

Split from :mod:`registry.models.base` so that it stays under ~600 lines.
"""

from __future__ import annotations

import functools

from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django_countries import countries


def choice_label(instance: models.Model, field: models.Field):
    """Django's ``get_<field>_display()`` of ``instance`` (``str``: the label of the stored
    choice in the active language, or the stored value when it is not a choice), from
    :func:`choice_labels`; a field whose labels are not lazy is read as Django reads it."""
    labels = choice_labels(field, get_language())
    if labels is None:
        return models.Model._get_FIELD_display(instance, field)
    value = getattr(instance, field.attname)
    return force_str(labels.get(make_hashable(value), value), strings_only=True)


@functools.cache
def choice_labels(field: models.Field, language: str | None) -> dict | None:
    """The labels of ``field``'s choices by stored value (``{value: str}``) in ``language`` (the
    active one, :func:`~django.utils.translation.get_language`), built once per field and
    language. ``None`` when a label is not lazy: a ``CountryField``'s names are strings already
    translated, and sorted, in the language active when its choices are read, so those are read
    again on every call, as Django does. Forgotten when a test changes a setting
    (:func:`forget_choice_labels`)."""
    if not all(isinstance(label, Promise) for _value, label in field.flatchoices):
        return None
    return {make_hashable(value): force_str(label) for value, label in field.flatchoices}


@functools.cache
def country_names(language: str | None) -> dict[str, str]:
    """Every country's name by ISO alpha-2 code (``{"KZ": "Kazakhstan"}``) in ``language`` (the
    active one), as django-countries' ``Country.name`` gives it, read once per language:
    ``Country.name`` looks the name up again through django-countries' options and a translation,
    about 80 Python calls a name, and a list names a country on each row. Shared: read it, never
    change it. Forgotten when a test changes a setting (:func:`forget_choice_labels`)."""
    return dict(countries)


@receiver(setting_changed)
def forget_choice_labels(**kwargs) -> None:
    """Translate the labels of :func:`choice_labels` and the names of :func:`country_names`
    again after a test changes a setting (its languages, its locale paths, the countries')."""
    choice_labels.cache_clear()
    country_names.cache_clear()
