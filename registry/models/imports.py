"""Spreadsheet imports that run in the background (files above ``REGISTRY_IMPORT_BACKGROUND_ROWS``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """A spreadsheet import run by the task worker (:mod:`registry.imports`): first a preview
    (every row validated, nothing written), then, once the manager confirms, the import. Holds
    the uploaded file, the progress (``rows_done`` of ``rows_total``) and the result: counts by
    kind of row (``totals``) and each invalid row's errors by column (``errors``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for the worker")
        CHECKING = "checking", _("checking the rows")
        VALID = "valid", _("checked: ready to import")
        INVALID = "invalid", _("checked: some rows have errors")
        IMPORTING = "importing", _("importing")
        IMPORTED = "imported", _("imported")
        FAILED = "failed", _("failed")

    RUNNING = (Status.QUEUED, Status.CHECKING, Status.IMPORTING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("user")
    )
    model_name = models.CharField(_("records"), max_length=40, help_text=_("The registry model, e.g. city."))
    file_name = models.CharField(_("file"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10, help_text=_("csv or xlsx"))
    data = models.BinaryField(_("file contents"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    totals = models.JSONField(_("totals"), default=dict, help_text=_("Rows by kind: new, update, skip, invalid …"))
    errors = models.JSONField(
        _("errors"), default=list, help_text=_('[{"row": 17, "column": "latitude", "messages": ["…"]}, …]')
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background import")
        verbose_name_plural = _("background imports")

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        """Whether the worker still has to run or finish this job's current step."""
        return self.status in self.RUNNING
