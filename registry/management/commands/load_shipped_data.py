"""Load the shipped fixtures into an empty registry, once.

    python manage.py load_shipped_data

``make run`` calls this on every start. When the registry already holds cities it loads
nothing, so restarting never overwrites what staff changed since. On an empty registry it
loads ``cooperation_fields``, ``busan_partners`` and ``busan_almaty_2022`` and records a
first history entry for every row.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from registry.models import City

from .import_registry import load_without_history, record_first_history, tracked_models

FIXTURES = ("cooperation_fields", "busan_partners", "busan_almaty_2022")


class Command(BaseCommand):
    help = "Load the shipped fixtures if the registry is empty (never overwrites existing rows)."

    def handle(self, *args, **options):
        if City.objects.exists():
            self.stdout.write("The registry already holds data; the shipped fixtures were not reloaded.")
            return
        with transaction.atomic():
            load_without_history(*FIXTURES, verbosity=0)
            record_first_history(tracked_models())
        self.stdout.write(f"Loaded the shipped data: {City.objects.count()} cities.")
