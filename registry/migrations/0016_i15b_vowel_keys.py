"""Recompute every city's ``search_text`` so that it holds the vowel-folded keys of its names
(:func:`registry.text.vowel_keys`; issue 15: "tashkent" finds a city stored only as Тошкент).
The recomputation is migration 0007's, which calls :func:`registry.text.search_text`."""

from importlib import import_module

from django.db import migrations

refresh_search_text = import_module("registry.migrations.0007_i15_search_text_transliterated").refresh_search_text


class Migration(migrations.Migration):
    dependencies = [("registry", "0015_merge_f10_f11")]

    operations = [migrations.RunPython(refresh_search_text, migrations.RunPython.noop, elidable=True)]
