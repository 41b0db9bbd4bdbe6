"""Restore a snapshot written by ``export_registry`` into an empty registry.

    python manage.py import_registry PATH

Refuses (and changes nothing) when the registry already holds rows. Loads the snapshot
in one transaction and records a first history entry for every row.
"""

import io
from pathlib import Path

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, transaction
from simple_history.models import registered_models
from tqdm import tqdm

from .export_registry import snapshot_models


class Command(BaseCommand):
    help = "Restore a snapshot written by export_registry into an empty registry."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="Snapshot file (JSON) from export_registry.")

    def handle(self, *args, path: Path, **options):
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        for label in snapshot_models():
            if apps.get_model(label).objects.exists():
                raise CommandError(f"The registry is not empty ({label} has rows); restore into an empty database.")
        quiet = options["verbosity"] < 1 or not self.stderr.isatty()
        try:
            with transaction.atomic():
                # loaddata's own progress ("Processed N object(s).") on a terminal at verbosity 3.
                call_command("loaddata", str(path), verbosity=0 if quiet else 3, stdout=self.stderr)
        except (DeserializationError, DatabaseError, ValidationError, ValueError, LookupError) as error:
            # A malformed or foreign file: say which, without a traceback; nothing was loaded.
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise CommandError(
                f"{path} is not a snapshot from export_registry, nothing was restored: {reason}"
            ) from None
        historical = [label for label in snapshot_models() if label.lower() in history_models()]
        for label in tqdm(historical, desc="history", unit=" models", file=self.stderr, disable=quiet):
            call_command("populate_history", label, stdout=io.StringIO())
        self.stdout.write(f"Restored {path}")


def history_models() -> set[str]:
    """Lower-case ``app_label.model`` labels of the models with change history (simple_history)."""
    return {model._meta.label_lower for model in registered_models.values()}
