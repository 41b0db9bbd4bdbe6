"""Proposals from a Wikidata file: twinning statements (P190) compared with the registry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import DatePrecision
from .cities import City
from .partnerships import Partnership


class WikidataProposal(models.Model):
    """One difference between a Wikidata file and the registry, for a manager to accept or not
    (:func:`registry.services.accept_wikidata_proposal`: a new relation as a draft of the kind the
    manager chooses, a difference as claims beside the registry's), and a difference then perhaps
    to take as a correction (:func:`registry.services.correct_from_wikidata`). Made by
    :mod:`registry.wikidata`."""

    class Kind(models.TextChoices):
        NEW = "new", _("new: in Wikidata, not in the registry")
        DIFFERENT = "different", _("different dates")
        ONLY_HERE = "only_here", _("only here: in the registry, not in Wikidata")
        ONLY_THERE = "only_there", _("only there: the partner city is not in the registry")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("accepted")
        CORRECTED = "corrected", _("taken as a correction")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="wikidata_proposals", verbose_name=_("city"),
        help_text=_("The city whose Wikidata item states the relation (P190)."),
    )  # fmt: skip
    partner = models.ForeignKey(
        City, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("partner city")
    )
    partner_qid = models.CharField(_("partner's Wikidata ID"), max_length=20, blank=True)
    partner_label = models.CharField(_("partner's label in Wikidata"), max_length=300, blank=True)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("partnership")
    )
    established_on = models.DateField(_("start time (P580)"), null=True, blank=True)
    established_precision = models.CharField(
        _("precision of the start"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    ended_on = models.DateField(_("end time (P582)"), null=True, blank=True)
    ended_precision = models.CharField(
        _("precision of the end"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    source_url = models.URLField(_("Wikidata URL"), max_length=500, help_text=_("The item, or its revision."))
    retrieved_on = models.DateField(_("retrieved on"), help_text=_("When the Wikidata file was retrieved."))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("accepted by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["city", "kind", "partner_label", "id"]
        verbose_name = _("Wikidata proposal")
        verbose_name_plural = _("Wikidata proposals")

    def __str__(self):
        partner = self.partner.name if self.partner else self.partner_label or self.partner_qid
        return f"{self.city} – {partner}: {self.get_kind_display()}"
