"""Load the shipped fixtures into an empty registry, once.

    python manage.py load_shipped_data

``make run`` calls this on every start. When the registry already holds cities it loads
nothing, so restarting never overwrites what staff changed since. On an empty registry it
loads ``cooperation_fields``, ``busan_partners`` and ``busan_almaty_2022`` and records a
first history entry for every row.
"""

import io

from django.core.management import call_command
from django.core.management.base import BaseCommand

from registry.models import City

FIXTURES = ("cooperation_fields", "busan_partners", "busan_almaty_2022")


class Command(BaseCommand):
    help = "Load the shipped fixtures if the registry is empty (never overwrites existing rows)."

    def handle(self, *args, **options):
        if City.objects.exists():
            self.stdout.write("The registry already holds data; the shipped fixtures were not reloaded.")
            return
        call_command("loaddata", *FIXTURES, verbosity=0)
        quiet = io.StringIO()
        call_command("populate_history", auto=True, stdout=quiet, stderr=quiet)
        self.stdout.write(f"Loaded the shipped data: {City.objects.count()} cities.")
