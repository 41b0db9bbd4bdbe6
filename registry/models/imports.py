"""Spreadsheet imports that run in the background (files above ``REGISTRY_IMPORT_BACKGROUND_ROWS``)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportJobQuerySet(models.QuerySet):
    def stalled(self, now: datetime.datetime | None = None) -> ImportJobQuerySet:
        """Jobs the worker should be running (queued, checking, importing) but has not reported
        on (``updated_at``, the heartbeat) for more than ``settings.REGISTRY_IMPORT_STALL_MINUTES``
        minutes before ``now`` (an aware datetime; the current time by default): the worker
        stopped (killed, machine restarted) or is not running. The same rule as
        :attr:`ImportJob.stalled`."""
        return self.filter(status__in=ImportJob.RUNNING, updated_at__lt=ImportJob.stall_cutoff(now))


class ImportJob(models.Model):
    """A spreadsheet import run by the task worker (:mod:`registry.imports`): first a preview
    (every row validated, nothing written), then, once the manager confirms, the import. Holds
    the uploaded file, the progress (``rows_done`` of ``rows_total``) and the result: counts by
    kind of row (``totals``) and each invalid row's errors by column (``errors``).

    ``updated_at`` is the worker's heartbeat: every status change and progress write sets it, so
    a running job whose heartbeat is older than ``settings.REGISTRY_IMPORT_STALL_MINUTES`` is
    *stalled* (:meth:`ImportJobQuerySet.stalled`, :attr:`stalled`)."""

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
    rows_read = models.JSONField(
        _("records checked"),
        null=True,
        blank=True,
        help_text=_(
            "The stored record each row of the file matched when it was checked, by data row (the first under "
            'the header is "1"): {"1": [pk, version], …}; a new row is not in it. Confirming refuses a row whose '
            "record changed, was deleted or was added since. Empty for a job checked before it was kept."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=15,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_(
            "BCP 47 tag of the language of the admin the manager started or confirmed the import in (en, ko): "
            "the worker writes the errors in it."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(
        _("last news from the worker"),
        auto_now=True,
        help_text=_("Set by every status change and progress write: the worker's heartbeat."),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

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

    @staticmethod
    def stall_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
        """The heartbeat before which a running job is stalled: ``now`` (an aware datetime; the
        current time by default) less ``settings.REGISTRY_IMPORT_STALL_MINUTES`` minutes."""
        return (now or timezone.now()) - datetime.timedelta(minutes=settings.REGISTRY_IMPORT_STALL_MINUTES)

    @property
    def stalled(self) -> bool:
        """Whether the job is running but its heartbeat (``updated_at``) is older than
        :meth:`stall_cutoff`: the worker stopped working on it. The same rule as
        :meth:`ImportJobQuerySet.stalled`, which the admin's "End" uses."""
        return self.running and self.updated_at < self.stall_cutoff()
