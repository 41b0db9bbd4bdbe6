"""Spreadsheet imports in the background: a file with more rows than
``settings.REGISTRY_IMPORT_BACKGROUND_ROWS`` is stored as an :class:`~registry.models.ImportJob`
and checked, then (once the manager confirms) imported by :data:`run_import`, a task of Django's
tasks API (``django-tasks``, stored by ``django-tasks-db``; ``manage.py db_worker`` runs it).
The worker writes the progress to the job every :data:`PROGRESS_EVERY` rows; the admin page of
the job shows it and refreshes itself until the step is done. Checking and importing are the
same as in the request (:mod:`registry.resources`): nothing is written unless every row is valid.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from import_export.formats import base_formats

from . import resources
from .models import ImportJob

PROGRESS_EVERY = 500  # rows between two progress writes
RESOURCES = {
    "city": resources.CityResource,
    "partnership": resources.PartnershipResource,
    "agreement": resources.AgreementResource,
    "event": resources.EventResource,
}
FORMATS = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX}


def start(*, user, model_name: str, file_name: str, file_format: str, data: bytes, rows: int) -> ImportJob:
    """Store an uploaded file (``data``: UTF-8 CSV or XLSX bytes, ``rows`` data rows) as a job and
    enqueue its check. ``model_name`` is a key of :data:`RESOURCES`."""
    job = ImportJob.objects.create(
        user=user, model_name=model_name, file_name=file_name, file_format=file_format, data=data, rows_total=rows
    )
    transaction.on_commit(lambda: run_import.enqueue(job.pk, confirm=False))
    return job


def confirm(job: ImportJob) -> None:
    """Enqueue the import of a job whose check found no error (status ``valid``)."""
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALID).update(
        status=ImportJob.Status.QUEUED, rows_done=0
    )
    transaction.on_commit(lambda: run_import.enqueue(job.pk, confirm=True))


@task()
def run_import(job_id: int, confirm: bool = False) -> str:
    """Check (``confirm`` false) or import the file of the job ``job_id``; returns its new status.
    Progress goes to the job as rows are read; the result (totals, errors by row and column) at
    the end. A file that cannot be read, or any unexpected error, leaves the job ``failed``."""
    job = ImportJob.objects.get(pk=job_id)
    step = ImportJob.Status.IMPORTING if confirm else ImportJob.Status.CHECKING
    ImportJob.objects.filter(pk=job_id).update(status=step, rows_done=0)

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(rows_done=done)

    try:
        data = bytes(job.data)
        file_format = FORMATS[job.file_format]()
        dataset = file_format.create_dataset(data if file_format.is_binary() else data.decode("utf-8"))
        resource = RESOURCES[job.model_name]()
        result = resource.import_data(dataset, dry_run=not confirm, user=job.user, progress=progress, preview=False)
    except Exception as error:  # noqa: BLE001 - the job reports it; the worker goes on
        job.errors = [{"row": None, "column": "", "messages": [str(error)]}]
        status = ImportJob.Status.FAILED
    else:
        job.errors = errors_of(result)
        job.totals = {kind: count for kind, count in result.totals.items() if count}
        if result.has_errors():
            status = ImportJob.Status.FAILED
        elif result.has_validation_errors():
            status = ImportJob.Status.INVALID
        else:
            status = ImportJob.Status.IMPORTED if confirm else ImportJob.Status.VALID
        job.rows_done = job.rows_total
    job.status = status
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "errors", "totals", "rows_done", "finished_at"])
    return status


def errors_of(result) -> list[dict]:
    """Each error of an import ``result`` as ``{"row", "column", "messages"}`` (``row`` counts
    data rows from 1; ``column`` is empty for an error of the whole row or file)."""
    found = []
    for error in result.base_errors:
        found.append({"row": None, "column": "", "messages": [str(error.error)]})
    for number, errors in result.row_errors():
        found.append({"row": number, "column": "", "messages": [str(error.error) for error in errors]})
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            found.append({"row": row.number, "column": column if column != "__all__" else "", "messages": messages})
    return found
