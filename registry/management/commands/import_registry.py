"""Restore a backup written by ``export_registry`` into an empty registry.

    python manage.py import_registry PATH

PATH is a ZIP archive from ``export_registry`` (rows, change history, agreement documents)
or a JSON-only snapshot from earlier versions (rows only; each row then gets a first
history entry). Refuses (and changes nothing) when the registry or its change history
already holds rows. Loads everything in one transaction, then checks every restored row against
its model's rules (:func:`check_model_rules`: the rules the database does not hold, such as a
country code); a malformed file or a row breaking a rule ends in a ``CommandError`` naming the
reason (and the row), with nothing restored (documents already written to storage are removed
again).
"""

import json
import re
import tempfile
import zipfile
from pathlib import Path
from typing import TextIO

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.exceptions import NON_FIELD_ERRORS, SuspiciousOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import override_settings
from simple_history.models import registered_models
from tqdm import tqdm

from registry.bulk_validation import full_clean_many, load_references
from registry.cache import one_change
from registry.models import Agreement
from registry.models.base import HISTORY as CHANGE_HISTORY
from registry.models.base import refused_rule, text_fields

from .export_registry import HISTORY, MEDIA, ROWS, history_tables, snapshot_models

# What a malformed or foreign file raises on the way in (reported without a traceback).
MALFORMED = (
    DeserializationError,
    DatabaseError,
    ValidationError,
    ValueError,
    ArithmeticError,  # a number beyond the database's integers (SQLite: OverflowError)
    LookupError,
    TypeError,
    zipfile.BadZipFile,
    SuspiciousOperation,
    CommandError,  # loaddata's, e.g. "No fixture named … found" for a damaged .zip
)
# loaddata's words for the row it could not save (its message also names a temporary file).
REFUSED_ROW = re.compile(r"Could not load (?P<row>[\w.]+\(pk=[^)]*\))")
# An empty foreign key that may not be empty: loaddata leaves a reference empty when its natural
# key names no record (SQLite's and PostgreSQL's words).
NULL_REFERENCE = re.compile(r'NOT NULL constraint failed: \S+_id\b|null value in column "\w+_id"')
HISTORY_BATCH = 2_000  # change-history rows per INSERT (SQLite's limit on parameters is respected by Django)
RULES_BATCH = 5_000  # restored rows per bulk check of their model's rules
SHOWN_BROKEN = 5  # rows named in the error when more break a rule
NOT_STORED_FORM = (
    "Not written as the registry stores a text (Unicode's composed form, no spaces or line breaks around "
    "it, line breaks as \\n, registry.text.stored_text), which a snapshot from export_registry always is."
)


class BrokenRules(Exception):
    """Rows of a snapshot that break their model's rules; ``args[0]``: a line per row (at most
    :data:`SHOWN_BROKEN`), ``args[1]``: how many rows in all."""


class Command(BaseCommand):
    help = "Restore a backup written by export_registry into an empty registry."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="Archive (ZIP) or older JSON snapshot from export_registry.")

    def handle(self, *args, path: Path, **options):
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        for label in snapshot_models() + history_tables():
            if apps.get_model(label).objects.exists():
                raise CommandError(f"The registry is not empty ({label} has rows); restore into an empty database.")
        quiet = options["verbosity"] < 1 or not self.stderr.isatty()
        written: list[str] = []
        try:
            with one_change(), transaction.atomic():
                if zipfile.is_zipfile(path):
                    restored_history = self.restore_archive(path, written, quiet)
                else:
                    self.load_rows(path, quiet)
                    restored_history = set()
                check_model_rules(progress=None if quiet else self.stderr)
        except BrokenRules as broken:
            for name in written:
                default_storage.delete(name)
            lines, count = broken.args
            more = f"\n(and {count - len(lines):,} more rows)" if count > len(lines) else ""
            raise CommandError(
                f"Nothing was restored from {path}: "
                + (f"{count:,} rows break" if count > 1 else "1 row breaks")
                + " a rule of the registry:\n"
                + "\n".join(lines)
                + more
                + "\nA snapshot written before a rule existed, or edited by hand, may hold such rows: correct them "
                "(in the registry it came from, then export again) and restore again."
            ) from None
        except MALFORMED as error:
            # A malformed or foreign file: say which, without a traceback; nothing was loaded.
            for name in written:
                default_storage.delete(name)
            if isinstance(error, IntegrityError):
                raise CommandError(f"Nothing was restored from {path}: {refusal(error)}") from None
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise CommandError(
                f"{path} is not a snapshot from export_registry, nothing was restored: {reason}"
            ) from None
        record_first_history(
            [label for label in tracked_models() if label.lower() not in restored_history],
            progress=None if quiet else self.stderr,
        )
        self.stdout.write(f"Restored {path}")

    def load_rows(self, path: Path, quiet: bool) -> None:
        """Load a JSON snapshot of registry rows with ``loaddata`` (which resets sequences),
        each account a row names (:func:`with_known_accounts`) mapped to this database's."""
        rows = with_known_accounts(snapshot_rows(json.loads(path.read_bytes()), snapshot_models(), ROWS))
        with tempfile.TemporaryDirectory() as directory:
            mapped = Path(directory) / ROWS
            mapped.write_text(json.dumps(rows))
            # loaddata's own progress ("Processed N object(s).") on a terminal at verbosity 3.
            load_without_history(str(mapped), verbosity=0 if quiet else 3, stdout=self.stderr)

    def restore_archive(self, path: Path, written: list[str], quiet: bool) -> set[str]:
        """Restore rows, history and documents from an archive; return the lower-case labels
        of the tracked models whose history came from the archive. Document names saved to
        storage are appended to ``written``."""
        with zipfile.ZipFile(path) as archive:
            with tempfile.TemporaryDirectory() as directory:
                rows = Path(directory) / ROWS
                rows.write_bytes(archive.read(ROWS))
                self.load_rows(rows, quiet)
            history = json.loads(archive.read(HISTORY))
            restored = self.load_history(history, quiet)
            for member in archive.namelist():
                if member.startswith(MEDIA) and not member.endswith("/"):
                    name = member.removeprefix(MEDIA)
                    saved = default_storage.save(name, ContentFile(archive.read(member)))
                    written.append(saved)
                    if saved != name:  # a file of that name was already in storage
                        Agreement.objects.filter(document=name).update(document=saved)
        return restored

    def load_history(self, rows: list, quiet: bool = True) -> set[str]:
        """Save the change-history rows (user names mapped to this database's accounts, or
        none), reset the history tables' sequences, and return the tracked models' labels."""
        rows = snapshot_rows(rows, history_tables(), HISTORY)
        users = dict(get_user_model().objects.values_list(get_user_model().USERNAME_FIELD, "pk"))
        for row in rows:
            if "history_user" in row["fields"]:
                user = row["fields"]["history_user"]
                row["fields"]["history_user"] = users.get(user[0]) if isinstance(user, list) and user else None
        # Written in bulk, model by model (one INSERT per batch; the foreign keys are checked at
        # the commit): a save() per row (an UPDATE tried, then the INSERT) took 37 s for the
        # 19,201 history rows of the shipped data.
        by_model: dict[type, list] = {}
        for obj in serializers.deserialize("python", rows):
            by_model.setdefault(type(obj.object), []).append(obj.object)
        models = set(by_model)
        for model, objects in tqdm(by_model.items(), desc="history", unit=" tables", file=self.stderr, disable=quiet):
            model._default_manager.bulk_create(objects, batch_size=HISTORY_BATCH)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
                cursor.execute(sql)
        return {model.instance_type._meta.label_lower for model in models if hasattr(model, "instance_type")}


def check_model_rules(progress: TextIO | None = None) -> None:
    """Check every restored row of the snapshot's models against its model's rules, as an import
    checks a file's (:func:`registry.bulk_validation.full_clean_many`, :data:`RULES_BATCH` rows at
    a time): the rules the database holds were checked by the load, but not the others (a country
    that is no ISO 3166-1 code, an unknown choice, a text over its limit, a date before another),
    which a snapshot edited by hand restored as they were. Raises :class:`BrokenRules` naming the
    first :data:`SHOWN_BROKEN` rows (``registry.City(pk=39): country: …``) and counting all;
    ``progress``: a stream for a progress bar per model, or ``None``. The rules the database
    holds are not asked again (``as_stored``), and the records each batch's rows refer to are
    read once per batch and reference (what a model's ``clean()`` reads: an agreement's
    partnership, a stop's delegation), not once per row."""
    lines: list[str] = []
    count = 0
    for label in snapshot_models():
        model = apps.get_model(label)
        rows = model._default_manager.order_by("pk")
        total = rows.count()
        if not total:
            continue
        shown = tqdm(total=total, desc=f"rules {label}", unit=" rows", file=progress, disable=progress is None)
        batch: list = []
        for instance in rows.iterator(chunk_size=RULES_BATCH):
            batch.append(instance)
            if len(batch) == RULES_BATCH:
                count += _broken(label, batch, lines)
                shown.update(len(batch))
                batch = []
        count += _broken(label, batch, lines)
        shown.update(len(batch))
        shown.close()
    if count:
        raise BrokenRules(lines, count)


def _broken(label: str, rows: list, lines: list[str]) -> int:
    """How many of ``rows`` (stored instances of ``label``) break a rule; a line naming each of the
    first ones (up to :data:`SHOWN_BROKEN` in ``lines``) with its fields' messages."""
    if not rows:
        return 0
    load_references(rows)
    texts = text_fields(type(rows[0]))
    as_restored = [[getattr(row, field.attname) for field in texts] for row in rows]
    errors = full_clean_many(rows, as_stored=True)
    # The check stores each text as the registry does (compose_texts), on these instances only: a
    # text the snapshot gives otherwise was restored as given (adversarial probe: decomposed
    # Hangul, a name with spaces around it, notes with "\r\n").
    for index, (row, values) in enumerate(zip(rows, as_restored, strict=True)):
        unstored = [field for field, value in zip(texts, values, strict=True) if getattr(row, field.attname) != value]
        if unstored:
            found = errors[index].update_error_dict({}) if index in errors else {}
            for field in unstored:
                found.setdefault(field.name, []).append(ValidationError(NOT_STORED_FORM, code="not_stored_form"))
            errors[index] = ValidationError(found)
    for index, error in sorted(errors.items()):
        if len(lines) < SHOWN_BROKEN:
            messages = " ".join(
                f"{field}: {' '.join(messages)}" if field != NON_FIELD_ERRORS else " ".join(messages)
                for field, messages in error.message_dict.items()
            )
            lines.append(f"{label}(pk={rows[index].pk}): {messages}")
    return len(errors)


def snapshot_rows(rows, labels: list[str], member: str) -> list[dict]:
    """``rows`` (a snapshot's ``member``, as loaddata reads it) once each is a row of one of
    ``labels`` (``app_label.Model``, any case) with its fields, and no two name the same record;
    else ``ValueError`` naming the row. A row of another model was restored as loaddata saves any
    (adversarial probe: a snapshot edited to hold a superuser and an API token gave their holder
    the registry, a snapshot holds no account), and a second row with a record's primary key
    overwrote the first (a city replaced, its partnerships pointing at the copy)."""
    if not isinstance(rows, list):
        raise ValueError(f"{member} is not a list of rows.")
    allowed = {label.lower() for label in labels}
    seen: set[tuple[str, str]] = set()
    for row in rows:
        model = str(row.get("model", "")) if isinstance(row, dict) else ""
        if model.lower() not in allowed:
            raise ValueError(
                f"{member} holds a row of “{model or str(row)[:80]}”, which a snapshot never holds "
                "(only the registry's records and their change history, no account)."
            )
        if not isinstance(row.get("fields"), dict):
            raise ValueError(f"{member} holds a {model} row without its fields: {str(row)[:80]}")
        if row.get("pk") is not None:
            key = (model.lower(), str(row["pk"]))
            if key in seen:
                raise ValueError(f"{member} holds {model}(pk={row['pk']}) twice: each record is in a snapshot once.")
            seen.add(key)
    return rows


def with_known_accounts(rows) -> list:
    """``rows`` (a snapshot's, as loaddata reads them) with each reference to a user account
    (by user name: the snapshot holds no accounts) that this database lacks made empty: who
    accepted a Wikidata proposal, say. A row naming an account this database has keeps it."""
    if not isinstance(rows, list):
        raise ValueError("The snapshot is not a list of rows.")
    user_model = get_user_model()
    known = {(name,) for name in user_model.objects.values_list(user_model.USERNAME_FIELD, flat=True)}
    account_fields: dict[str, list[str]] = {}
    for model in apps.get_app_config("registry").get_models():
        names = [f.name for f in model._meta.concrete_fields if f.is_relation and f.related_model is user_model]
        account_fields[model._meta.label_lower] = names
    for row in rows:
        fields = row.get("fields") if isinstance(row, dict) else None
        if not isinstance(fields, dict):
            continue
        for name in account_fields.get(str(row.get("model", "")).lower(), ()):
            value = fields.get(name)
            if isinstance(value, list) and tuple(value) not in known:
                fields[name] = None
    return rows


def refusal(error: IntegrityError) -> str:
    """Why the database refused a row of a snapshot, for a person: the row (``registry.City(pk=39)``,
    as loaddata names it), the rule's name and its message when it is one of the registry's
    constraints (a snapshot written before the rule existed may hold rows it refuses), else the
    database's own words, without PostgreSQL's copy of the whole row, and saying so when an empty
    reference is a record the snapshot lacks."""
    text = str(error)
    found = REFUSED_ROW.search(text)
    row = found["row"] if found else "a row"
    refused = refused_rule(error)
    if refused is not None:
        return (
            f"{row} breaks the rule {refused.code}: {refused.message} "
            "A snapshot written before the rule existed may hold such rows: correct them "
            "(in the registry it came from, then export again) and restore again."
        )
    detail = " ".join((text[found.end() :] if found else text).lstrip(": ").split())
    detail = detail.split(" DETAIL: Failing row contains")[0]  # PostgreSQL's copy of the whole row
    if NULL_REFERENCE.search(detail):
        detail += " (a reference names a record that is not in the snapshot)"
    return f"the database refused {row}: {detail}"


def load_without_history(*fixtures: str, **options) -> None:
    """``loaddata`` of ``fixtures`` (paths or fixture names; ``options`` as loaddata's), with no
    change history written and the data generation moved once (:func:`registry.cache.one_change`).

    loaddata saves rows raw, which simple-history skips, but then sets each row's many-to-many
    links, which it records as a change of the row: each partnership or city with sources got a
    history entry "changed" dated at the load. A restore's archive then overwrote them by id
    (leaving any it did not), and ``populate_history`` skipped every such model, so its rows
    without sources had no history and the others began with "changed" instead of "created".
    """
    with one_change(), override_settings(SIMPLE_HISTORY_ENABLED=False):
        call_command("loaddata", *fixtures, **options)


def tracked_models() -> list[str]:
    """``app_label.Model`` labels of the registry models with change history, in snapshot order."""
    tracked = history_models()
    return [label for label in snapshot_models() if label.lower() in tracked]


def record_first_history(labels: list[str], progress: TextIO | None = None) -> None:
    """A first change-history entry ("created", dated now, by nobody) for every row of each
    model in ``labels`` (``app_label.Model``) that has no history yet; models with history are
    left alone. Each entry holds the row's many-to-many links (sources, cooperation fields,
    parties) as later entries do; ``populate_history`` left them out, so a row's first edit
    showed every source as added and a deleted row was restored without them. One
    transaction; ``progress``: a stream for a progress bar per model, or ``None``."""
    with one_change(), transaction.atomic():
        for label in labels:
            model = apps.get_model(label)
            if model.history.exists():
                continue
            rows = model._default_manager.order_by("pk")
            shown = tqdm(rows.iterator(), total=rows.count(), desc=label, file=progress, disable=progress is None)
            for instance in shown:
                CHANGE_HISTORY.create_historical_record(instance, "+")


def history_models() -> set[str]:
    """Lower-case ``app_label.model`` labels of the models with change history (simple_history)."""
    return {model._meta.label_lower for model in registered_models.values()}
