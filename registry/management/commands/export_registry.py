"""Write a complete backup of the registry to a ZIP archive.

    python manage.py export_registry PATH

The archive holds:

- ``registry.json``: every registry row (cities and their names, partnerships, agreements
  and signatories, events and participants, delegations with members, itinerary and
  outcomes, organizations, people, sources, cooperation fields) with its primary key,
  timestamps and version; references to other apps by natural keys;
- ``history.json``: the change history (every ``Historical*`` simple-history row, the
  user who made a change by user name);
- ``media/<name>``: each agreement's document, under its storage name (a document missing
  from storage is reported on stderr and left out).

User accounts are not included. Restore with ``import_registry PATH`` into an empty
database; ``import_registry`` also reads the JSON-only snapshots of earlier versions.
"""

import datetime
import json
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder
from tqdm import tqdm

from registry.models import Agreement

# Rows about user accounts, which the snapshot leaves out with the accounts: e-mail language,
# reminders sent, an account's offices, and its imports in progress (a file being imported; each
# named its account, which a restore into another database lacks: helper-86).
ACCOUNT_MODELS = {"StaffProfile", "SentReminder", "OfficeAssignment", "ImportJob"}
ROWS = "registry.json"
CHUNK = 2_000  # rows read at once, with their related rows
HISTORY = "history.json"
MEDIA = "media/"


class FullPrecisionEncoder(DjangoJSONEncoder):
    """Django's JSON encoder, but datetimes keep their microseconds (``history_date`` orders
    changes made within the same millisecond)."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


def snapshot_models() -> list[str]:
    """``app_label.Model`` labels of every registry model except the history tables and the
    rows about user accounts (:data:`ACCOUNT_MODELS`)."""
    return [
        f"registry.{model.__name__}"
        for model in apps.get_app_config("registry").get_models()
        if not model.__name__.startswith("Historical") and model.__name__ not in ACCOUNT_MODELS
    ]


def history_tables() -> list[str]:
    """``app_label.Model`` labels of the registry's change-history tables (simple-history)."""
    return [
        f"registry.{model.__name__}"
        for model in apps.get_app_config("registry").get_models()
        if model.__name__.startswith("Historical")
    ]


def history_rows(tables: Iterable[str] | None = None) -> list[dict]:
    """Every change-history row of ``tables`` (labels; default :func:`history_tables`) as
    ``{"model", "pk", "fields"}`` with raw ids (the rows they describe may be deleted) and
    ``history_user`` (where the table has one) as ``[username]`` or ``None``."""
    rows = []
    for label in history_tables() if tables is None else tables:
        model = apps.get_model(label)
        if not any(field.name == "history_user" for field in model._meta.fields):  # many-to-many history
            rows += serializers.serialize("python", model.objects.order_by("pk"))
            continue
        queryset = model.objects.select_related("history_user").order_by("pk")
        for obj, row in zip(queryset, serializers.serialize("python", queryset), strict=True):
            user = obj.history_user
            row["fields"]["history_user"] = [user.get_username()] if user else None
            rows.append(row)
    return rows


def write_rows(path: Path, progress=None) -> None:
    """Write every row of :func:`snapshot_models` to ``path`` as Django's JSON fixture format
    (what ``dumpdata --natural-foreign`` writes: models in dependency order, rows by primary
    key), but with datetimes to the microsecond (:class:`FullPrecisionEncoder`;
    ``dumpdata`` keeps milliseconds, so a restore moved ``updated_at`` back by up to 1 ms).
    ``progress``: a stream for Django's progress bar, or ``None``."""
    models = serializers.sort_dependencies(
        [(apps.get_app_config("registry"), [apps.get_model(label) for label in snapshot_models()])],
        allow_cycles=True,
    )

    def objects():
        # The related rows come with each chunk (a join for a foreign key, one query per chunk for
        # a many-to-many field): naming them by natural key otherwise cost a query per row and
        # field (dumpdata's way), 5,000 partnerships in 7.6 s instead of 1.4 s.
        for model in models:
            rows = model._default_manager.order_by(model._meta.pk.name)
            related = [field.name for field in model._meta.concrete_fields if field.is_relation]
            rows = rows.select_related(*related).prefetch_related(*(f.name for f in model._meta.many_to_many))
            yield from rows.iterator(chunk_size=CHUNK)

    with path.open("w", encoding="utf-8") as stream:
        serializers.serialize(
            "json",
            objects(),
            stream=stream,
            indent=1,
            cls=FullPrecisionEncoder,
            use_natural_foreign_keys=True,
            progress_output=progress,
            object_count=sum(model._default_manager.count() for model in models) if progress else 0,
        )


class Command(BaseCommand):
    help = "Write a complete backup of the registry (rows, change history, documents) to PATH (ZIP)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="Archive to write (ZIP).")

    def handle(self, *args, path: Path, **options):
        quiet = options["verbosity"] < 1 or not self.stderr.isatty()
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as directory, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            rows = Path(directory) / ROWS
            write_rows(rows, progress=None if quiet else self.stderr)
            archive.write(rows, ROWS)
            tables = tqdm(history_tables(), desc="history", unit=" tables", file=self.stderr, disable=quiet)
            archive.writestr(HISTORY, json.dumps(history_rows(tables), cls=FullPrecisionEncoder, indent=1))
            names = Agreement.objects.exclude(document="").values_list("document", flat=True).distinct()
            for name in tqdm(names.order_by("document"), desc="documents", file=self.stderr, disable=quiet):
                if not default_storage.exists(name):
                    self.stderr.write(f"Document {name} is missing from storage; left out.")
                    continue
                with default_storage.open(name, "rb") as document:
                    archive.writestr(MEDIA + name, document.read())
        self.stdout.write(f"Wrote {path}")
