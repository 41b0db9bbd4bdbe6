"""Spreadsheet imports in the background: a file with more rows than
``settings.REGISTRY_IMPORT_BACKGROUND_ROWS`` is stored as an :class:`~registry.models.ImportJob`
and checked, then (once the manager confirms) imported by :data:`run_import`, a task of Django's
tasks API (``django-tasks``, stored by ``django-tasks-db``; ``manage.py db_worker`` runs it).
The worker writes the progress to the job every :data:`PROGRESS_EVERY` rows; the admin page of
the job shows it and refreshes itself until the step is done. Checking and importing are the
same as in the request (:mod:`registry.resources`): nothing is written unless every row is valid.

Every write of the worker to a job is a conditional UPDATE on the status it expects, and sets
the heartbeat (``updated_at``): a job whose worker stopped is *stalled*
(:meth:`ImportJob.stalled`) and a manager may end it (:func:`end_stalled`); a worker that
comes to it late (restarted, or only paused) then changes nothing, and an import it would
still write is rolled back.
"""

from __future__ import annotations

import csv
import logging
from io import BytesIO, StringIO

import tablib
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from import_export.formats import base_formats
from tablib import InvalidDimensions

from . import resources
from .import_widgets import file_row
from .models import ImportJob

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 500  # rows between two progress writes
RESOURCES = {
    "city": resources.CityResource,
    "partnership": resources.PartnershipResource,
    "agreement": resources.AgreementResource,
    "event": resources.EventResource,
}


class FormulaWithoutValue(ValueError):
    """An XLSX cell holding a formula whose value the workbook does not carry (one written by a
    program, never opened and saved in a spreadsheet application): ``row`` (the sheet's row
    number, the header being row 1), ``column`` (its header) and ``formula``."""

    def __init__(self, row: int, column: str, formula: str):
        super().__init__(row, column, formula)
        self.row, self.column, self.formula = row, column, formula

    def __str__(self) -> str:
        return _(
            "Row %(row)s, column “%(column)s”: the formula %(formula)s has no value saved in the file. "
            "Open the file in a spreadsheet application and save it, or paste the values instead of the formulas."
        ) % {"row": self.row, "column": self.column, "formula": self.formula}


class XLSX(base_formats.XLSX):
    """The library's XLSX format, reading the first sheet's values the same way, but refusing a
    formula cell whose value the file does not carry (:class:`FormulaWithoutValue`), which read
    as an empty cell: a population ``=2*3`` was imported as none, and ``=1+1`` in ``name_en``
    was "This field cannot be blank." (adversarial probe). A formula with its saved value (a
    workbook saved by Excel or LibreOffice) is read as its value, as before. One pass over the
    sheet when it holds no formula; a second, for the saved values, when it does."""

    def create_dataset(self, in_stream):
        import openpyxl

        book = openpyxl.load_workbook(BytesIO(in_stream), read_only=True, data_only=False)
        rows = book.active.iter_rows()
        first = next(rows, None)
        if first is None:  # no row at all: as the library answers
            return super().create_dataset(in_stream)
        headers = [cell.value for cell in first]
        values, formulas = [], []
        for number, row in enumerate(rows, start=2):
            values.append([cell.value for cell in row])
            formulas.extend((number, index, cell.value) for index, cell in enumerate(row) if cell.data_type == "f")
        if not formulas:
            dataset = tablib.Dataset(headers=headers)
            for row in values:
                dataset.append(row)
            return dataset
        dataset = super().create_dataset(in_stream)  # the saved values
        for number, index, formula in formulas:
            if dataset[number - 2][index] is None:
                column = headers[index] if index < len(headers) else str(index + 1)
                raise FormulaWithoutValue(number, column, formula)
        return dataset


class UnreadableRow(ValueError):
    """A CSV row the reader cannot take; ``str()``: why, naming the row as a spreadsheet numbers it."""


class CSV(base_formats.CSV):
    """The library's CSV format, but a row it cannot read is named as a spreadsheet numbers it
    (the column names are row 1): a row with more cells than the first row has column names
    (tablib's ``InvalidDimensions``) and a cell longer than the ``csv`` module's limit
    (``csv.Error``) raise :class:`UnreadableRow`. Both named no row, so a manager searched a file
    of thousands of rows for it (helper-89). The row is found by reading the text again, only
    when the first reading failed."""

    def create_dataset(self, in_stream):
        try:
            return super().create_dataset(in_stream)
        except (InvalidDimensions, csv.Error) as error:
            text = in_stream.decode("utf-8", "replace") if isinstance(in_stream, bytes) else in_stream
            row = unreadable_row(text)
            if isinstance(error, InvalidDimensions):
                message = _(
                    "Row %(row)s has more cells than the first row has column names: give every row one cell "
                    "per column."
                )
            else:
                message = _("Row %(row)s has a cell longer than %(limit)s characters, the most a CSV cell may hold.")
            raise UnreadableRow(message % {"row": row, "limit": f"{csv.field_size_limit():,}"}) from error


def unreadable_row(text: str) -> int:
    """The number of the first row of the CSV ``text`` (the column names are row 1; a cell
    with line breaks inside quotes is one row, as a spreadsheet shows it) that has more cells
    than the first, or that the ``csv`` module cannot read (a cell over its limit)."""
    reader = csv.reader(StringIO(text))
    number, width = 0, None
    try:
        for number, row in enumerate(reader, start=1):
            if width is None:
                width = len(row)
            elif len(row) > width:
                return number
    except csv.Error:
        return number + 1
    return number


FORMATS = {"csv": CSV, "xlsx": XLSX}


def start(*, user, model_name: str, file_name: str, file_format: str, data: bytes, rows: int) -> ImportJob:
    """Store an uploaded file (``data``: UTF-8 CSV or XLSX bytes, ``rows`` data rows) as a job and
    enqueue its check, whose errors the worker writes in the current language (the manager's:
    :func:`job_language`). ``model_name`` is a key of :data:`RESOURCES`."""
    job = ImportJob.objects.create(
        user=user,
        model_name=model_name,
        file_name=file_name,
        file_format=file_format,
        data=data,
        rows_total=rows,
        language=job_language(),
    )
    transaction.on_commit(lambda: run_import.enqueue(job.pk, confirm=False))
    return job


def job_language() -> str:
    """The language a job's messages are written in: the site's variant of the current one (the
    admin's, as the manager sees it: ``ko-kr`` is ``ko``; Django's
    ``get_supported_language_variant``), else ``settings.LANGUAGE_CODE``; a BCP 47 tag."""
    try:
        return translation.get_supported_language_variant(translation.get_language() or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def confirm(job: ImportJob) -> None:
    """Enqueue the import of a job whose check found no error (status ``valid``), its messages in
    the language of the manager who confirms it (:func:`job_language`)."""
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALID).update(
        status=ImportJob.Status.QUEUED, rows_done=0, language=job_language()
    )
    transaction.on_commit(lambda: run_import.enqueue(job.pk, confirm=True))


class JobEnded(Exception):
    """Raised inside an import's write when its job is no longer ``importing`` (a manager ended
    it as stalled): the write is rolled back."""


@task()
def run_import(job_id: int, confirm: bool = False) -> str:
    """Check (``confirm`` false) or import the file of the job ``job_id``; returns its new status.
    Progress goes to the job as rows are read; the result (totals, errors by row and column) at
    the end. A file that cannot be read, or any unexpected error, leaves the job ``failed``.

    The job must be ``queued``: one that is not (ended by a manager as stalled, or already
    run) is left as it is and its status returned. Each later write is conditional on the step's
    status (``checking`` or ``importing``), so a job ended meanwhile stays ended; an import's
    write checks it inside its transaction and is rolled back if the job was ended.
    Its messages (errors, the reason it failed) are written in the job's ``language``, the
    manager's; the worker has no request to take one from.
    Raises :class:`ImportJob.DoesNotExist` if there is no such job."""
    job = ImportJob.objects.get(pk=job_id)
    with translation.override(job.language):
        return _run(job, confirm)


def _run(job: ImportJob, confirm: bool) -> str:
    """:func:`run_import` of ``job``, in the current language."""
    job_id = job.pk
    step = ImportJob.Status.IMPORTING if confirm else ImportJob.Status.CHECKING
    ours = ImportJob.objects.filter(pk=job_id, status=step)
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=step, rows_done=0, updated_at=timezone.now()
    )
    if not claimed:
        job.refresh_from_db(fields=["status"])
        logger.warning("Import job %s is %s, not queued: left as it is.", job_id, job.status)
        return job.status

    def progress(done: int) -> None:
        ours.update(rows_done=done, updated_at=timezone.now())

    def still_importing() -> None:
        # Inside the import's write transaction: the job's row stays locked (PostgreSQL) or the
        # database (SQLite) until the commit, and its fresh heartbeat keeps a manager from ending it.
        if not ours.update(updated_at=timezone.now()):
            raise JobEnded(_("The job was ended while it was importing: nothing was imported."))

    def written() -> None:
        # Inside the write's transaction, after the rows: the job is ``imported`` exactly when its
        # rows are (one commit), so a worker killed after it leaves no ``importing`` job whose rows
        # are in the registry, which a manager would end as ``failed``, "nothing was written"
        # (helper-95); the totals and the finishing time follow outside it.
        if not ours.update(status=ImportJob.Status.IMPORTED, updated_at=timezone.now()):
            raise JobEnded(_("The job was ended while it was importing: nothing was imported."))

    try:
        data = bytes(job.data)
        file_format = FORMATS[job.file_format]()
        dataset = file_format.create_dataset(data if file_format.is_binary() else data.decode("utf-8"))
        resource = RESOURCES[job.model_name]()
        result = resource.import_data(
            dataset,
            dry_run=not confirm,
            user=job.user,
            file_name=job.file_name,
            progress=progress,
            on_write=still_importing,
            on_written=written if confirm else None,
            preview=False,
            previewed=job.rows_read if confirm else None,
        )
    except Exception as error:  # noqa: BLE001 - the job reports it; the worker goes on
        errors, totals, rows_done = [{"row": None, "column": "", "messages": [str(error)]}], {}, job.rows_done
        status = ImportJob.Status.FAILED
    else:
        errors, rows_done = errors_of(result), job.rows_total
        totals = {kind: count for kind, count in result.totals.items() if count}
        if result.has_errors():
            status = ImportJob.Status.FAILED
        elif result.has_validation_errors():
            status = ImportJob.Status.INVALID
        else:
            status = ImportJob.Status.IMPORTED if confirm else ImportJob.Status.VALID
    now = timezone.now()
    read = {"rows_read": result.rows_read} if not confirm and status == ImportJob.Status.VALID else {}
    steps = [step, ImportJob.Status.IMPORTED] if status == ImportJob.Status.IMPORTED else [step]
    finished = ImportJob.objects.filter(pk=job_id, status__in=steps).update(
        status=status, errors=errors, totals=totals, rows_done=rows_done, finished_at=now, updated_at=now, **read
    )
    if not finished:
        job.refresh_from_db(fields=["status"])
        logger.warning("Import job %s was ended meanwhile (%s): its result is dropped.", job_id, job.status)
        return job.status
    return status


def end_stalled(job: ImportJob) -> bool:
    """Mark ``job`` ``failed`` if it is stalled (:meth:`ImportJobQuerySet.stalled`, checked in the
    same UPDATE, so a worker that has just reported keeps it), with an error saying the worker
    stopped. Returns whether it did; ``job`` is refreshed from the database either way."""
    minutes = settings.REGISTRY_IMPORT_STALL_MINUTES
    message = _(
        "The task worker stopped working on this file (no news from it for more than %(minutes)s minutes) "
        "and the job was ended. Check the file again: its preview shows rows already in the registry as "
        "unchanged."
    ) % {"minutes": minutes}
    now = timezone.now()
    ended = (
        ImportJob.objects.filter(pk=job.pk)
        .stalled(now)
        .update(
            status=ImportJob.Status.FAILED,
            errors=[{"row": None, "column": "", "messages": [message]}],
            finished_at=now,
            updated_at=now,
        )
    )
    job.refresh_from_db()
    return bool(ended)


def check_again(job: ImportJob, *, user) -> ImportJob | None:
    """End a stalled ``job`` (:func:`end_stalled`) and start a new check of the same file by
    ``user`` (a new job, so the old job's worker, should it come back, cannot touch it).
    Returns the new job, or ``None`` if ``job`` was not stalled (nothing changed)."""
    if not end_stalled(job):
        return None
    return start(
        user=user,
        model_name=job.model_name,
        file_name=job.file_name,
        file_format=job.file_format,
        data=bytes(job.data),
        rows=job.rows_total,
    )


def errors_of(result) -> list[dict]:
    """Each error of an import ``result`` as ``{"row", "column", "messages"}`` (``row`` as a
    spreadsheet numbers it, the header being row 1: :func:`~registry.import_widgets.file_row`;
    ``column`` is empty for an error of the whole row or file)."""
    found = []
    for error in result.base_errors:
        found.append({"row": None, "column": "", "messages": [str(error.error)]})
    for number, errors in result.row_errors():
        found.append({"row": file_row(number), "column": "", "messages": [str(error.error) for error in errors]})
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            found.append(
                {"row": file_row(row.number), "column": column if column != "__all__" else "", "messages": messages}
            )
    return found
