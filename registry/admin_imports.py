"""Spreadsheet import and export in the admin (django-import-export), and background imports.

A file with more rows than ``settings.REGISTRY_IMPORT_BACKGROUND_ROWS`` is not previewed in the
request: it becomes an :class:`~registry.models.ImportJob` checked by the task worker
(:mod:`registry.imports`), whose page shows the progress, refreshes itself without script
while the worker runs, lists the result and each error by row and column, and offers
"Confirm import" once every row is valid. A job the worker stopped working on
(:attr:`ImportJob.stalled`) is shown as such, without reloading, with buttons to end it
(:func:`registry.imports.end_stalled`) or to end it and check the file again.
"""

from __future__ import annotations

import json
import re
import tempfile
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied
from django.core.files.base import ContentFile
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.forms import SelectableFieldsExportForm
from import_export.tmp_storages import TempFolderStorage

from . import imports, resources
from .decoding import decode_csv
from .exports import BOM
from .exports.responses import export_filename
from .import_widgets import file_row
from .models import ImportJob
from .resource_writes import WrittenMeanwhile

ERRORS_SHOWN = 500  # errors listed on a job's page (the count says how many more)
RECENT_JOBS = 10  # background imports listed on the import page
# The kinds of row a job's totals count (the library's ``RowResult`` import types), as its page
# names them: the words of the preview's rows (the library's catalog) and two of ours.
ROW_KINDS = {
    "new": _("New"),
    "update": _("Update"),
    "skip": _("Skipped"),
    "delete": _("Delete"),
    "invalid": _("Invalid"),
    "error": _("Error"),
}
# The same kinds once an import has written them (status ``imported``): what was done, not what
# the file asks for.
WRITTEN_KINDS = {"new": _("Added"), "update": _("Updated"), "skip": _("Unchanged"), "delete": _("Deleted")}


def job_totals(job: ImportJob) -> tuple[str, list[tuple[str, int]]]:
    """What a job's page says of its rows: a heading, then ``(kind, count)`` for each kind of
    row (:data:`ROW_KINDS`; :data:`WRITTEN_KINDS` once imported). Before an import has written
    anything the counts are what the file would do, and the heading says that nothing was
    written: a refused file read "Update: 14,998" above "Nothing was imported" (helper-91)."""
    if job.status == ImportJob.Status.IMPORTED:
        heading, kinds = _("Written:"), WRITTEN_KINDS
    elif job.status in (ImportJob.Status.INVALID, ImportJob.Status.FAILED):
        heading, kinds = _("What the file asked for (nothing was written):"), ROW_KINDS
    else:
        heading, kinds = _("What the file asks for (nothing written yet):"), ROW_KINDS
    return heading, [(kinds.get(kind, ROW_KINDS.get(kind, kind)), count) for kind, count in job.totals.items()]


class PreviewedFileStorage(TempFolderStorage):
    """Where a file waits between its preview and "Confirm import": a folder of its own,
    ``<temp>/diplomacy-import-previews`` (mode 0700), under a random name of 32 hexadecimal
    digits. A name in any other form is refused (``PermissionDenied``). The library's storage
    took any name in the system's temporary folder, so a manager who sent another name on the
    confirmation imported, without a preview, any file there and deleted it (adversarial probe).
    :meth:`SpreadsheetMixin.process_import` also takes only a name this session previewed."""

    NAME = re.compile(r"[0-9a-f]{32}")

    @staticmethod
    def folder() -> Path:
        """The folder of previewed files, made on first use."""
        path = Path(tempfile.gettempdir()) / "diplomacy-import-previews"
        path.mkdir(mode=0o700, exist_ok=True)
        return path

    def get_full_path(self) -> str:
        if not self.NAME.fullmatch(self.name or ""):
            raise PermissionDenied("Not the name of a previewed import file.")
        return str(self.folder() / self.name)

    def preview_path(self) -> Path:
        """Where what the preview read waits beside the file (:meth:`save_preview`)."""
        return Path(f"{self.get_full_path()}.preview.json")

    def save_preview(self, *, rows_read: dict, file_format: int) -> None:
        """Keep for the confirmation what the preview read: ``rows_read`` (file row number →
        ``(pk, version)`` of the stored record it showed,
        :meth:`registry.resource_base.RegistryResource.import_data`) and the number of the format
        it read the file as."""
        data = {"rows_read": rows_read, "format": file_format}
        self.preview_path().write_text(json.dumps(data), encoding="utf-8")

    def preview(self) -> dict | None:
        """What :meth:`save_preview` kept (``rows_read``' keys are strings, as JSON gives them), or
        ``None`` when the preview kept nothing."""
        try:
            return json.loads(self.preview_path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def remove(self):
        """The file and what its preview read."""
        self.preview_path().unlink(missing_ok=True)
        super().remove()

    def _open(self, mode="r"):
        if not self.name:  # saving the upload's bytes, as the library's storage does
            self.name = uuid.uuid4().hex
            return open(self.get_full_path(), "wb")  # noqa: SIM115 - the library's protocol
        return open(self.get_full_path(), mode, encoding=self.encoding)  # noqa: SIM115


class ColumnsExportForm(SelectableFieldsExportForm):
    """The export page's column checkboxes, each labelled with what the column holds in the
    reader's language and the column's name in the file: “체결일 (established_on)”. The library
    title-cased the column's name (“Established On”, “Status Reason Ko”), in English on the
    Korean admin too (new-user probe)."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        column = field.column_name if field else field_name
        try:
            meaning = resource._meta.model._meta.get_field(
                (field.attribute if field else None) or field_name
            ).verbose_name
        except FieldDoesNotExist:  # a column of the resource's own: its ``column_meanings``, if any
            meaning = getattr(resource, "column_meanings", {}).get(column)
            if meaning is None:
                return column
        return f"{capfirst(meaning)} ({column})"


#: The session's key for the names of the files it previewed (:class:`PreviewedFileStorage`).
PREVIEWED_FILES = "registry_previewed_import_files"


class SpreadsheetMixin(ImportExportMixin):
    """CSV/XLSX import (Registry managers: ``registry.import_records``) and export (anyone who
    may view). Import previews every row with its errors and writes nothing until confirmed;
    a large file is checked and imported in the background (see the module)."""

    formats = [imports.CSV, imports.XLSX]
    tmp_storage_class = PreviewedFileStorage
    export_form_class = ColumnsExportForm

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """The library's export, a CSV beginning with the UTF-8 byte-order mark as the pages' and
        the API's do (:data:`registry.exports.BOM`): without it Excel read the Korean names as
        another encoding (new-user probe). The imports read it back (``decode_csv``)."""
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        if file_format.is_binary():
            return data
        return (BOM.encode("utf-8") + data) if isinstance(data, bytes) else BOM + data

    def get_export_filename(self, request, queryset, file_format):
        """The site's name of an export (:func:`registry.exports.responses.export_filename`):
        the records' plural name in English and today's date, ``cities_2026-12-04.csv``; the
        library wrote ``City-2026-12-04.csv``."""
        with translation.override("en"):
            base = str(self.model._meta.verbose_name_plural)
        return export_filename(base, {}, extension=file_format.get_extension())

    def has_import_permission(self, request):
        return request.user.has_perm("registry.import_records") and self.has_add_permission(request)

    def write_to_tmp_storage(self, import_file, input_format):
        """A CSV is stored as UTF-8 whatever it was saved in (:func:`registry.decoding.decode_csv`:
        UTF-8, UTF-16, CP949); bytes in none of them are stored as they are and refused on reading."""
        if not input_format.is_binary():
            data = b"".join(import_file.chunks())
            try:
                import_file = ContentFile(decode_csv(data).encode("utf-8"), name=import_file.name)
            except UnicodeDecodeError:
                import_file = ContentFile(data, name=import_file.name)
        return super().write_to_tmp_storage(import_file, input_format)

    def add_data_read_fail_error_to_form(self, form, e):
        """The reason a file could not be read, as a form error on ``import_file`` that names the
        rule (the library's says only the exception's class, e.g. ``'InvalidDimensions'`` or
        ``'BadZipFile'``)."""
        if isinstance(e, UnicodeDecodeError):
            form.add_error("import_file", _("The file is not text in UTF-8, UTF-16 or CP949 (Korean Excel)."))
        elif isinstance(e, zipfile.BadZipFile):  # "XLSX" chosen for a file that is no workbook (a CSV)
            form.add_error(
                "import_file",
                _("The file is not an XLSX workbook: choose the format it is in (a .csv file is csv)."),
            )
        elif isinstance(e, imports.FormulaWithoutValue | imports.UnreadableRow):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def import_action(self, request, **kwargs):
        """As the library's, but a file above the background threshold goes to the worker (see
        the module), and an error about the whole file (e.g. a missing ``slug`` column,
        :class:`registry.resources.MissingColumnsError`) is a form error, never a traceback."""
        if request.method == "POST" and self.has_import_permission(request):
            job = self.start_background_import(request)
            if job is not None:
                opts = self.model._meta
                return HttpResponseRedirect(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_import_job", args=[job.pk])
                )
        response = super().import_action(request, **kwargs)
        if getattr(response, "context_data", None) is not None:
            response.context_data["recent_jobs"] = self.recent_jobs()
            if not response.context_data.get("fields_list"):
                response.context_data["fields_list"] = self.import_columns(request, response.context_data["form"])
        confirm_form = getattr(response, "context_data", {}).get("confirm_form")
        if confirm_form is not None:  # a preview: its file may be confirmed by this session
            name = confirm_form.initial.get("import_file_name")
            request.session[PREVIEWED_FILES] = [*request.session.get(PREVIEWED_FILES, [])[-19:], name]
            PreviewedFileStorage(name=name).save_preview(
                rows_read=response.context_data["result"].rows_read, file_format=int(confirm_form.initial["format"])
            )
        result = getattr(response, "context_data", {}).get("result")
        if result is not None and result.base_errors:
            form = response.context_data["form"]
            for error in result.base_errors:
                if isinstance(error.error, resources.MissingColumnsError):
                    form.add_error("import_file", str(error.error))
                else:
                    form.add_error("import_file", _("The file could not be imported; it was left unchanged."))
            response.context_data["result"] = None
        return response

    def import_columns(self, request, form) -> list[tuple[str, list[str]]]:
        """``(resource name, its columns)`` for each resource a file may be imported with, as the
        library lists them above the form. The library lists them only for a file it could read
        (after a file it cannot read, "This importer will import the following fields:" was
        followed by nothing; helper-92)."""
        options = self.get_import_resource_kwargs(request=request, form=form)
        found = (resource_class(**options) for resource_class in self.get_import_resource_classes(request))
        return [(r.get_display_name(), [f.column_name for f in r.get_user_visible_fields()]) for r in found]

    def recent_jobs(self) -> list[ImportJob]:
        """The latest :data:`RECENT_JOBS` background imports of this model, by anyone, newest
        first (with their user: one query), listed on the import page with links to their pages:
        a job's page was reachable only by its address once the manager had left it (new-user probe)."""
        jobs = ImportJob.objects.filter(model_name=self.model._meta.model_name).select_related("user")
        return list(jobs.defer("data", "errors", "rows_read")[:RECENT_JOBS])

    def process_import(self, request, **kwargs):
        """The library's confirmation, for a file this session previewed only (:data:`PREVIEWED_FILES`):
        another name, or one already imported (a second click on "Confirm import") or whose
        preview is gone, sends the manager back to the import page with a message; the
        library read any file of the temporary folder (:class:`PreviewedFileStorage`) and
        answered 500 to a file already imported."""
        name = request.POST.get("import_file_name", "")
        previewed = request.session.get(PREVIEWED_FILES, [])
        try:
            waiting = name in previewed and Path(PreviewedFileStorage(name=name).get_full_path()).exists()
        except PermissionDenied:
            waiting = False
        if self.has_import_permission(request) and not waiting:
            return self.not_waiting(request)
        # What the preview showed each row as: a record changed, deleted or added since refuses
        # the import (RegistryResource.recheck); the confirmation overwrote edits made after it.
        kept = (PreviewedFileStorage(name=name).preview() if waiting else None) or {}
        request.import_previewed, request.import_format = kept.get("rows_read"), kept.get("format")
        if self.has_import_permission(request) and not self.confirms_its_preview(request):
            return self.not_waiting(request)
        try:
            response = super().process_import(request, **kwargs)
        except FileNotFoundError:
            # A second click sent at the same time as the first: both found the file waiting, and
            # the first imported and removed it before this one read it (adversarial probe: 500).
            return self.not_waiting(request)
        request.session[PREVIEWED_FILES] = [other for other in previewed if other != name]
        return response

    def confirms_its_preview(self, request) -> bool:
        """Whether the confirmation names the format and the list the preview read the file with
        (kept beside it, :meth:`PreviewedFileStorage.save_preview`): another format or a list
        number out of range was a 500 (``BadZipFile``, ``IndexError``; adversarial probe)."""
        try:
            file_format = int(request.POST.get("format", ""))
            resource = int(request.POST.get("resource") or 0)
        except ValueError:
            return False
        formats, resources = self.get_import_formats(), self.get_import_resource_classes(request)
        return (
            0 <= file_format < len(formats)
            and 0 <= resource < len(resources)
            and getattr(request, "import_format", None) in (None, file_format)
        )

    def get_import_data_kwargs(self, **kwargs):
        """As the library's, with what the preview showed on a confirmation (:meth:`process_import`)."""
        previewed = getattr(kwargs.get("request"), "import_previewed", None)
        data = super().get_import_data_kwargs(**kwargs)
        if previewed is not None:
            data["previewed"] = previewed
        return data

    def not_waiting(self, request):
        """Back to the import page, saying the file is not waiting to be imported."""
        message = _(
            "This file is not waiting to be imported: it was imported already, or its preview is gone. Choose it again."
        )
        self.message_user(request, message, messages.ERROR)
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))

    def process_result(self, result, request):
        """After the confirmation: as the library's (its message, the changelist), unless rows
        were refused while being written (another writer changed a record or broke a rule
        meanwhile, :meth:`registry.resource_base.RegistryResource.write`): then nothing was imported,
        and each refused row's error is listed, back on the import page."""
        if result.has_errors():
            # The write failed (a database error: another import of the same rows committed
            # first); the library would still say "Import finished: 1500 new" (adversarial probe).
            errors = [*result.base_errors, *(error for _number, found in result.row_errors() for error in found)]
            if isinstance(errors[0].error, WrittenMeanwhile):  # its own words say it all, once
                message = str(errors[0].error)
            else:
                message = _("Nothing was imported: the database refused the write (%(error)s). Import the file again.")
                message %= {"error": errors[0].error}
            self.message_user(request, message, messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))
        if not result.has_validation_errors():
            return super().process_result(result, request)
        self.message_user(request, _("Nothing was imported."), messages.ERROR)
        for row in result.invalid_rows:
            for column, errors in row.error_dict.items():
                values = {"number": file_row(row.number), "column": column, "error": " ".join(errors)}
                if column == NON_FIELD_ERRORS:
                    self.message_user(request, _("Row %(number)s: %(error)s") % values, messages.ERROR)
                else:
                    self.message_user(
                        request, _("Row %(number)s, column “%(column)s”: %(error)s") % values, messages.ERROR
                    )
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))

    def start_background_import(self, request) -> ImportJob | None:
        """An :class:`ImportJob` for the uploaded file when it has more rows than
        ``REGISTRY_IMPORT_BACKGROUND_ROWS``; ``None`` for a smaller file or one the library's
        form should report on (no file, unknown format, unreadable bytes)."""
        upload = request.FILES.get("import_file")
        try:
            file_format = self.get_import_formats()[int(request.POST.get("format", ""))]()
        except (ValueError, IndexError):
            return None
        if upload is None or self.model._meta.model_name not in imports.RESOURCES:
            return None
        data = b"".join(upload.chunks())
        try:
            if not file_format.is_binary():
                data = decode_csv(data).encode("utf-8")
            rows = len(file_format.create_dataset(data if file_format.is_binary() else data.decode("utf-8")))
        except Exception:  # noqa: BLE001 - the library's form reports an unreadable file
            upload.seek(0)
            return None
        if rows <= settings.REGISTRY_IMPORT_BACKGROUND_ROWS:
            upload.seek(0)
            return None
        return imports.start(
            user=request.user,
            model_name=self.model._meta.model_name,
            file_name=upload.name,
            file_format=file_format.get_title(),
            data=data,
            rows=rows,
        )

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "import/job/<int:pk>/",
                self.admin_site.admin_view(self.import_job_view),
                name=f"{opts.app_label}_{opts.model_name}_import_job",
            ),
            *super().get_urls(),
        ]

    def import_job_view(self, request, pk: int):
        """A background import: progress while the worker runs (the page reloads itself every
        two seconds, without script), then the totals and errors; POST confirms a checked file,
        or, with ``end`` or ``check_again``, ends a stalled job (:meth:`end_import_job`)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ImportJob, pk=pk, model_name=self.model._meta.model_name)
        if request.method == "POST" and ("end" in request.POST or "check_again" in request.POST):
            return self.end_import_job(request, job)
        if request.method == "POST" and job.status == ImportJob.Status.VALID:
            imports.confirm(job)
            self.message_user(request, _("The import has started."), messages.INFO)
            return HttpResponseRedirect(request.path)
        totals_heading, totals = job_totals(job)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import of %(file)s") % {"file": job.file_name},
            "job": job,
            "totals_heading": totals_heading,
            "totals": totals,
            "stalled": job.stalled,
            "stall_minutes": settings.REGISTRY_IMPORT_STALL_MINUTES,
            "errors": job.errors[:ERRORS_SHOWN],
            "more_errors": max(0, len(job.errors) - ERRORS_SHOWN),
        }
        return TemplateResponse(request, "admin/registry/import_job.html", context)

    def end_import_job(self, request, job: ImportJob) -> HttpResponseRedirect:
        """End a stalled ``job`` as ``failed`` (:func:`registry.imports.end_stalled`); with
        ``check_again`` in the POST, also start a new check of its file and go to its page. A job
        that is not stalled (the worker reported on it lately, or it has finished) is left as it
        is, with an error message."""
        if "check_again" in request.POST:
            new_job = imports.check_again(job, user=request.user)
            ended = new_job is not None
        else:
            new_job, ended = None, imports.end_stalled(job)
        if not ended:
            self.message_user(
                request,
                _(
                    "This job was not ended: it has finished, or the task worker reported on it in the last "
                    "%(minutes)s minutes."
                )
                % {"minutes": settings.REGISTRY_IMPORT_STALL_MINUTES},
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)
        if new_job is None:
            self.message_user(request, _("The job was ended."), messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        self.message_user(request, _("The job was ended; the file is being checked again."), messages.SUCCESS)
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import_job", args=[new_job.pk]))

    def has_export_permission(self, request):
        return self.has_view_permission(request)
