"""Recompute the ``search_text`` of the cities whose names hold kana with a sound mark: the fold
(:func:`registry.text.fold`) now keeps the mark (プ is "pu", not フ "fu"). Only the cities whose
text changes are written."""

from django.db import migrations

from registry import text


def refresh_changed_search_text(apps, schema_editor):
    City = apps.get_model("registry", "City")
    CityName = apps.get_model("registry", "CityName")
    names: dict[int, list[str]] = {}
    for city_id, name in CityName.objects.values_list("city_id", "name").order_by("city", "kind", "used_until", "name"):
        names.setdefault(city_id, []).append(name)
    fields = ("pk", "name_en", "name_ko", "name_native", "slug", "search_text")
    for city in City.objects.only(*fields).iterator(chunk_size=2000):
        parts = [city.name_en, city.name_ko, city.name_native, city.slug, *names.get(city.pk, [])]
        refreshed = text.search_text(parts)
        if refreshed != city.search_text:
            City.objects.filter(pk=city.pk).update(search_text=refreshed)


class Migration(migrations.Migration):
    dependencies = [("registry", "0033_partnership_already_recorded_message")]

    operations = [migrations.RunPython(refresh_changed_search_text, migrations.RunPython.noop, elidable=True)]
