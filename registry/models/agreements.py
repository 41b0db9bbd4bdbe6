"""Agreements and their signatories."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..dates import validate_in_range
from ..text import localized
from .base import (
    TEXT_MAX,
    CountryQuerySetMixin,
    DatePrecision,
    PublishableQuerySet,
    WordSearchMixin,
    publication_field,
    truncate_to_precision,
)
from .cities import City
from .partnerships import CooperationField, Partnership
from .people import OrderedChildManager, Organization, ParticipantFields, _person_or_role
from .sources import SourcedModel

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


def validate_pdf(upload) -> None:
    """Raise ``ValidationError`` unless ``upload`` is a PDF (by its first bytes) of at most 20 MB."""
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The document is %(size)s MB; the limit is 20 MB."),
            code="file_too_large",
            params={"size": round(upload.size / 1024 / 1024, 1)},
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(5)
    upload.seek(position)
    if head != b"%PDF-":
        raise ValidationError(_("Only PDF documents can be uploaded."), code="not_pdf")


# --------------------------------------------------------------------------- agreements


class AgreementQuerySet(CountryQuerySetMixin, WordSearchMixin, PublishableQuerySet):
    """Agreements; drafts are visible only to staff (:meth:`visible_to`)."""

    search_fields = ("title_en", "title_ko", "summary_en", "summary_ko", "venue")

    def for_country(self, *codes: str) -> AgreementQuerySet:
        """Agreements signed in, or with a partner city in, any of the ISO alpha-2 ``codes``."""
        codes = [code.upper() for code in codes]
        return self.filter(Q(place__country__in=codes) | Q(partnership__partner__country__in=codes))


class Agreement(SourcedModel):
    """A signed document: sister city agreement, memorandum of understanding, ..."""

    class Kind(models.TextChoices):
        SISTER_CITY = "sister_city", _("sister city agreement")
        FRIENDSHIP_CITY = "friendship_city", _("friendship city agreement")
        MOU = "mou", _("memorandum of understanding")
        BUSINESS = "business", _("business agreement")
        OTHER = "other", _("other")

    title_en = models.CharField(_("title (English)"), max_length=300)
    title_ko = models.CharField(_("title (Korean)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("partnership"),
        help_text=_("Leave empty for an agreement between organizations outside a partnership."),
    )
    parties = models.ManyToManyField(Organization, blank=True, related_name="agreements", verbose_name=_("parties"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True, validators=[validate_in_range])
    signed_precision = models.CharField(
        _("precision of the date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    place = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements_signed_here",
        verbose_name=_("place (city)"),
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True, help_text=_("e.g. “Almaty City Hall”."))
    fields = models.ManyToManyField(
        CooperationField, blank=True, related_name="agreements", verbose_name=_("cooperation fields")
    )
    summary_en = models.TextField(_("summary (English)"), max_length=TEXT_MAX, blank=True)
    summary_ko = models.TextField(_("summary (Korean)"), max_length=TEXT_MAX, blank=True)
    document = models.FileField(
        _("document"),
        upload_to="agreements/",
        blank=True,
        max_length=200,
        validators=[FileExtensionValidator(["pdf"]), validate_pdf],
        help_text=_("The signed text as a PDF, at most 20 MB. Served as a download, only when published."),
    )
    publication = publication_field()

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "slug"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        indexes = [models.Index(fields=["publication", "-signed_on", "slug"], name="agreement_list_idx")]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        """Title in the active language."""
        return localized(self, "title")

    @property
    def summary(self) -> str:
        """Summary in the active language."""
        return localized(self, "summary")

    def get_absolute_url(self):
        return reverse("registry:agreement-detail", kwargs={"slug": self.slug})

    def get_document_url(self) -> str | None:
        """Path of the signed PDF's download (``/agreements/<slug>/document.pdf``), or ``None``
        without a document. The file is never served from ``MEDIA_URL``."""
        if not self.document:
            return None
        return reverse("registry:agreement-document", kwargs={"slug": self.slug})

    def clean(self):
        self.signed_on = truncate_to_precision(self.signed_on, self.signed_precision)


class SignatoryManager(OrderedChildManager):
    parent_field = "agreement"


class Signatory(ParticipantFields):
    """A person (or role) who signed an agreement on behalf of an organization."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("agreement")
    )

    objects = SignatoryManager()

    class Meta:
        ordering = ["agreement", "order", "id"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        constraints = [
            _person_or_role("signatory"),
            models.UniqueConstraint(fields=["agreement", "order"], name="signatory_order_unique"),
        ]

    def natural_key(self):
        return (self.order, self.agreement.slug)

    natural_key.dependencies = ["registry.agreement", "registry.person", "registry.organization"]
