"""Recompute every city's ``search_text`` with the transliterated forms of its names
(:func:`registry.text.search_text`, the one home of the rule; issue 15)."""

from django.db import migrations

from registry import text


def refresh_search_text(apps, schema_editor):
    City = apps.get_model("registry", "City")
    CityName = apps.get_model("registry", "CityName")
    names: dict[int, list[str]] = {}
    for city_id, name in CityName.objects.values_list("city_id", "name").order_by("city", "kind", "used_until", "name"):
        names.setdefault(city_id, []).append(name)
    for city in City.objects.only("pk", "name_en", "name_ko", "name_native", "slug").iterator():
        parts = [city.name_en, city.name_ko, city.name_native, city.slug, *names.get(city.pk, [])]
        City.objects.filter(pk=city.pk).update(search_text=text.search_text(parts))


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_remarks_and_staff_notes")]

    operations = [migrations.RunPython(refresh_search_text, migrations.RunPython.noop, elidable=True)]
