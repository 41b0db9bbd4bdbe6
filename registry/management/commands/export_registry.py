"""Write a complete snapshot of the registry to a JSON file (natural keys).

    python manage.py export_registry PATH

Every registry row (cities and their names, partnerships, agreements and signatories,
events and participants, delegations with members, itinerary and outcomes,
organizations, people, sources, cooperation fields) with its timestamps and version,
keyed by natural keys so it loads into any database. Change history and user accounts
are not included. Restore with ``import_registry PATH``.
"""

from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand

# Rows about user accounts (which the snapshot leaves out): e-mail language, reminders sent.
ACCOUNT_MODELS = {"StaffProfile", "SentReminder"}


def snapshot_models() -> list[str]:
    """``app_label.Model`` labels of every registry model except the history tables and the
    rows about user accounts (:data:`ACCOUNT_MODELS`)."""
    return [
        f"registry.{model.__name__}"
        for model in apps.get_app_config("registry").get_models()
        if not model.__name__.startswith("Historical") and model.__name__ not in ACCOUNT_MODELS
    ]


class Command(BaseCommand):
    help = "Write a complete snapshot of the registry (natural keys) to PATH."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="File to write (JSON).")

    def handle(self, *args, path: Path, **options):
        path.parent.mkdir(parents=True, exist_ok=True)
        call_command(
            "dumpdata",
            *snapshot_models(),
            natural_foreign=True,
            natural_primary=True,
            indent=1,
            output=str(path),
            verbosity=options["verbosity"],  # dumpdata's progress bar on a terminal (verbosity 1+)
            stdout=self.stderr,
        )
        self.stdout.write(f"Wrote {path}")
