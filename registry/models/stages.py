"""The life of a partnership: its dated stages (letter of intent, signed, suspended, resumed, ended, …).

Split from :mod:`registry.models.partnerships` (which reads the stages for the counting rule and a
relation's life) so that neither module passes ~600 lines; re-exported by :mod:`registry.models`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..dates import validate_in_range, validate_not_in_future
from ..text import localized, localized_language
from .base import (
    TEXT_MAX,
    DatePrecision,
    RegistryModel,
    truncate_to_precision,
)
from .sources import Source

# --------------------------------------------------------------------------- the life of a relation


class PartnershipStageManager(models.Manager):
    def get_by_natural_key(self, city_slug, partner_slug, kind, established_on, stage_kind, on):
        return self.get(
            partnership=self.model._meta.get_field("partnership").related_model.objects.get_by_natural_key(
                city_slug, partner_slug, kind, established_on
            ),
            kind=stage_kind,
            on=on,
        )


class PartnershipStage(RegistryModel):
    """A dated stage in the life of a partnership: letter of intent, council approval, signed,
    upgraded, renewed, suspended, resumed or ended, with its precision, reason and sources.

    Stages are written by the actions in :mod:`registry.services` (and by the fixtures); a
    suspension takes the partnership out of force from its date until the next resumption
    (:meth:`PartnershipQuerySet.in_force_on`).
    """

    class Kind(models.TextChoices):
        LETTER_OF_INTENT = "letter_of_intent", _("letter of intent")
        COUNCIL_APPROVAL = "council_approval", _("council approval")
        SIGNED = "signed", _("signed")
        UPGRADED = "upgraded", _("upgraded")
        RENEWED = "renewed", _("renewed")
        SUSPENDED = "suspended", _("suspended")
        RESUMED = "resumed", _("resumed")
        ENDED = "ended", _("ended")

    partnership = models.ForeignKey(
        "registry.Partnership", on_delete=models.CASCADE, related_name="stages", verbose_name=_("partnership")
    )
    kind = models.CharField(_("stage"), max_length=20, choices=Kind.choices)
    on = models.DateField(
        _("date"),
        help_text=_("For a year- or month-only date, the first day of that period."),
        validators=[validate_in_range, validate_not_in_future],
    )
    precision = models.CharField(
        _("precision of the date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    reference = models.CharField(
        _("reference"), max_length=200, blank=True, help_text=_("E.g. the council resolution's number.")
    )
    note_en = models.TextField(_("reason or note (English)"), max_length=TEXT_MAX, blank=True)
    note_ko = models.TextField(_("reason or note (Korean)"), max_length=TEXT_MAX, blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="partnership_stages", verbose_name=_("sources"))

    objects = PartnershipStageManager()

    class Meta:
        ordering = ["partnership", "on", "id"]
        verbose_name = _("stage of a partnership")
        verbose_name_plural = _("stages of partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "kind", "on"],
                name="partnershipstage_natural_key",
                violation_error_message=_("This partnership already has this stage on this date."),
            ),
        ]
        indexes = [models.Index(fields=["partnership", "kind", "on"], name="partnershipstage_pause_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.on.isoformat() if self.on else ''}".strip()

    def natural_key(self):
        return (*self.partnership.natural_key(), self.kind, self.on.isoformat())

    natural_key.dependencies = ["registry.partnership", "registry.source"]

    def clean(self):
        """Truncate the date to its precision."""
        self.on = truncate_to_precision(self.on, self.precision)

    @property
    def note(self) -> str:
        """Reason or note in the active language."""
        return localized(self, "note")

    @property
    def note_language(self) -> str:
        """BCP 47 tag of :attr:`note` (``en`` for the English fallback on Korean pages)."""
        return localized_language(self, "note")
