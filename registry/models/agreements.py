"""Agreements and their signatories."""

from __future__ import annotations

import datetime
from collections import Counter

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..dates import add_years, partial_date, validate_in_range, validate_not_in_future
from ..paths import record_path
from ..text import localized, localized_language
from .base import (
    TEXT_MAX,
    CountryQuerySetMixin,
    DatePrecision,
    PublishableQuerySet,
    publication_field,
    rule,
    truncate_to_precision,
)
from .cities import City
from .partnership_queries import of_city, other_side
from .partnerships import CooperationField, Partnership
from .people import OrderedChildManager, Organization, ParticipantFields, _person_or_role
from .search import WordSearchMixin
from .slugs import slug_rule
from .sources import SourcedModel

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024

# The bounds of an agreement's terms, for its validators and its database rules: a renewal of 1
# to 100 years and a notice period of at most ten years. Every term's end then lies within a few
# centuries of the registry's dates (:mod:`registry.dates`); a term of 8,000 years ran past the
# calendar's last year, 9999.
TERM_YEARS_MAX = 100
NOTICE_PERIOD_DAYS_MAX = 3650

# The order of an agreement's dates: signed ≤ entry into force ≤ expiry, each pair only when both
# dates are given. One row per pair: (rule name, earlier field, later field, the rule's message,
# the message naming both dates). ``Agreement.Meta.constraints`` makes each a named database rule
# reported on the later field; :meth:`Agreement.clean` reports it with both dates. A signing date
# of month or year precision is stored as the first day of its period (``truncate_to_precision``),
# so it is compared by the earliest day it can mean, as the partnership's dates are: "2024" then
# an entry into force on 2024-03-01 is in order; so is an entry into force on the signing day.
DATE_ORDER = (
    (
        "agreement_enters_into_force_after_signing",
        "signed_on",
        "entry_into_force_on",
        _("An agreement cannot enter into force before it is signed."),
        _(
            "The entry into force (%(later)s) is before the signing (%(earlier)s): an agreement enters "
            "into force on or after the day it is signed."
        ),
    ),
    (
        "agreement_expires_after_entry_into_force",
        "entry_into_force_on",
        "expires_on",
        _("An agreement cannot expire before it enters into force."),
        _(
            "The expiry (%(later)s) is before the entry into force (%(earlier)s): an agreement expires "
            "on or after the day it enters into force."
        ),
    ),
    (
        "agreement_expires_after_signing",
        "signed_on",
        "expires_on",
        _("An agreement cannot expire before it is signed."),
        _(
            "The expiry (%(later)s) is before the signing (%(earlier)s): an agreement expires on or after "
            "the day it is signed."
        ),
    ),
)


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

    search_fields = ("title_en", "title_ko", "summary_en", "summary_ko", "venue", "venue_ko")

    def for_country(self, *codes: str) -> AgreementQuerySet:
        """Agreements signed in, or under a partnership with a city in (on the other side from the
        home city, :meth:`PartnershipQuerySet.for_country`), any of the ISO alpha-2 ``codes``."""
        partnerships = Partnership.objects.for_country(*codes).values("pk")
        return self.filter(Q(place__country__in=[code.upper() for code in codes]) | Q(partnership__in=partnerships))

    def country_sets(self) -> Counter[frozenset[str]]:
        """How many of these agreements :meth:`for_country` places in each set of countries: the
        country of the place of signing and that of the partnership's city on the other side from
        the home city (:func:`other_side`, as :meth:`PartnershipQuerySet.country_sets` reads it),
        either missing or both the same. One query grouped by the two (a scalar subquery on the
        partnership's key for the second)."""
        partnership = Partnership.objects.order_by().filter(pk=OuterRef("partnership"))
        rows = self.order_by().annotate(partnership_country=Subquery(partnership.values(country=other_side("country"))))
        found: Counter[frozenset[str]] = Counter()
        for place, partner, count in rows.values_list("place__country", "partnership_country").annotate(n=Count("pk")):
            if codes := frozenset({place, partner} - {None, ""}):
                found[codes] += count
        return found

    def of_city(self, city) -> AgreementQuerySet:
        """Agreements of ``city`` (a :class:`~registry.models.City`): signed there, or under one of
        its partnerships (either side); see :func:`~registry.models.partnership_queries.of_city`."""
        return of_city(self, city, place="place")

    def expiring_between(self, start: datetime.date, end: datetime.date) -> AgreementQuerySet:
        """Agreements in force (status ``in_force``) that do not renew themselves and whose
        ``expires_on`` falls from ``start`` to ``end``, both included: the expiries to act on.
        An automatically renewing agreement never expires by itself; its notice deadline is
        :meth:`Agreement.notice_deadline`."""
        return self.filter(
            status=Agreement.Status.IN_FORCE, automatic_renewal=False, expires_on__gte=start, expires_on__lte=end
        )

    def with_term_dates(self) -> AgreementQuerySet:
        """Agreements in force with an expiry date: the ones whose term can end or renew
        (:meth:`Agreement.term_end_on`, :meth:`Agreement.notice_deadline`)."""
        return self.filter(status=Agreement.Status.IN_FORCE, expires_on__isnull=False)


class Agreement(SourcedModel):
    """A signed document: sister city agreement, memorandum of understanding, ..."""

    class Kind(models.TextChoices):
        SISTER_CITY = "sister_city", _("sister city agreement")
        FRIENDSHIP_CITY = "friendship_city", _("friendship city agreement")
        MOU = "mou", _("memorandum of understanding")
        BUSINESS = "business", _("business agreement")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        """Where the agreement stands. Staff set ``in_force``, ``terminated`` or ``superseded``;
        ``expired`` is derived (:meth:`Agreement.status_on`), never stored."""

        IN_FORCE = "in_force", _("in force")
        EXPIRED = "expired", _("expired")
        TERMINATED = "terminated", _("terminated")
        SUPERSEDED = "superseded", _("superseded")

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
    signed_on = models.DateField(
        _("signed on"), null=True, blank=True, validators=[validate_in_range, validate_not_in_future]
    )
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
    venue_ko = models.CharField(
        _("venue (Korean)"),
        max_length=300,
        blank=True,
        help_text=_("Shown on Korean pages; where empty, the English one is shown."),
    )
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

    # Terms: when the agreement applies and how it ends (staff-set; "expired" is derived).
    entry_into_force_on = models.DateField(
        _("entry into force"),
        null=True,
        blank=True,
        help_text=_("The day the agreement took effect."),
        validators=[validate_in_range],
    )
    expires_on = models.DateField(
        _("expires on"),
        null=True,
        blank=True,
        help_text=_("Last day of the (first) term; empty for an agreement without a term."),
        validators=[validate_in_range],
    )
    automatic_renewal = models.BooleanField(
        _("automatic renewal"),
        default=False,
        help_text=_("Renews itself for another term at expiry unless a party gives notice."),
    )
    term_years = models.PositiveSmallIntegerField(
        _("term (years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(TERM_YEARS_MAX)],
        help_text=_("Length of each renewal in years; required with automatic renewal."),
    )
    notice_period_days = models.PositiveSmallIntegerField(
        _("notice period (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(NOTICE_PERIOD_DAYS_MAX)],
        help_text=_("Days before the end of a term by which notice must be given to end or not renew it."),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=[Status.choices[0], *Status.choices[2:]],
        default=Status.IN_FORCE,
        help_text=_("“Expired” is not chosen: an agreement in force is expired once its term ends without renewal."),
    )
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
        help_text=_("The agreement that replaced this one; required when the status is “superseded”."),
    )

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "slug"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        indexes = [
            models.Index(fields=["publication", "-signed_on", "slug"], name="agreement_list_idx"),
            models.Index(fields=["publication", "updated_at"], name="agreement_changed_idx"),
        ]
        constraints = [
            slug_rule("agreement"),
            *(
                rule(
                    name,
                    Q(**{f"{later}__isnull": True})
                    | Q(**{f"{earlier}__isnull": True})
                    | Q(**{f"{later}__gte": F(earlier)}),
                    message,
                    later,
                )
                for name, earlier, later, message, _detail in DATE_ORDER
            ),
            rule(
                "agreement_renewal_has_term",
                Q(automatic_renewal=False) | Q(term_years__isnull=False, term_years__gte=1, expires_on__isnull=False),
                _("An automatically renewing agreement needs an expiry date and a term of at least one year."),
                "term_years",
            ),
            rule(
                "agreement_term_years_in_range",
                Q(term_years__isnull=True) | Q(term_years__gte=1, term_years__lte=TERM_YEARS_MAX),
                format_lazy(_("A term is from 1 to {most} years."), most=TERM_YEARS_MAX),
                "term_years",
            ),
            rule(
                "agreement_notice_period_days_in_range",
                Q(notice_period_days__isnull=True) | Q(notice_period_days__lte=NOTICE_PERIOD_DAYS_MAX),
                format_lazy(_("A notice period is at most {most} days."), most=NOTICE_PERIOD_DAYS_MAX),
                "notice_period_days",
            ),
            rule(
                "agreement_superseded_has_successor",
                Q(status="superseded", superseded_by__isnull=False)
                | (~Q(status="superseded") & Q(superseded_by__isnull=True)),
                _("A superseded agreement names the agreement that replaced it, and only a superseded one does."),
                "superseded_by",
            ),
            rule(
                "agreement_not_superseded_by_itself",
                ~Q(superseded_by=F("pk")),
                _("An agreement cannot supersede itself."),
                "superseded_by",
            ),
        ]

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

    @property
    def venue_localized(self) -> str:
        """The venue in the active language: ``venue_ko`` on Korean pages when filled, else ``venue``."""
        return localized(self, "venue")

    @property
    def venue_language(self) -> str:
        """BCP 47 tag of :attr:`venue_localized` (``en`` for the English fallback)."""
        return localized_language(self, "venue")

    def get_absolute_url(self):
        return record_path("registry:agreement-detail", slug=self.slug)

    def get_document_url(self) -> str | None:
        """Path of the signed PDF's download (``/agreements/<slug>/document.pdf``), or ``None``
        without a document. The file is never served from ``MEDIA_URL``."""
        if not self.document:
            return None
        return record_path("registry:agreement-document", slug=self.slug)

    # The partnership kind that an agreement of each relation-making kind belongs to.
    PARTNERSHIP_KIND = {Kind.SISTER_CITY: Partnership.Kind.SISTER, Kind.FRIENDSHIP_CITY: Partnership.Kind.FRIENDSHIP}

    @classmethod
    def kind_for_partnership(cls, kind: str) -> str:
        """The kind of the agreement that makes a partnership of ``kind`` (a
        :class:`Partnership.Kind`): ``sister_city`` for ``sister``, ``friendship_city`` for
        ``friendship`` (the reverse of :data:`PARTNERSHIP_KIND`); ``KeyError`` for another."""
        return {partnership: agreement for agreement, partnership in cls.PARTNERSHIP_KIND.items()}[kind]

    def clean(self):
        """Truncate the signing date to its precision; then each rule of :data:`DATE_ORDER` that
        the dates break is a ``ValidationError`` on its later field naming both dates (code: the
        rule's name, as the database's rule reports it; one per field), and a sister city
        (friendship city) agreement belongs to a sister city (friendship city) partnership, else a
        ``ValidationError`` on ``kind`` (code ``agreement_kind_mismatch``)."""
        self.signed_on = truncate_to_precision(self.signed_on, self.signed_precision)
        errors: dict[str, ValidationError] = {}
        for name, earlier, later, _message, detail in DATE_ORDER:
            first, last = getattr(self, earlier), getattr(self, later)
            if isinstance(first, datetime.date) and isinstance(last, datetime.date) and last < first:
                params = {"earlier": self.date_display(earlier), "later": self.date_display(later)}
                errors.setdefault(later, ValidationError(detail, code=name, params=params))
        expected = self.PARTNERSHIP_KIND.get(self.kind)
        if expected and self.partnership_id and self.partnership.kind != expected:
            message = _("A %(agreement)s belongs to a %(expected)s partnership; this partnership is a %(actual)s.")
            params = {
                "agreement": self.get_kind_display(),
                "expected": Partnership.Kind(expected).label,
                "actual": self.partnership.get_kind_display(),
            }
            errors["kind"] = ValidationError(message, code="agreement_kind_mismatch", params=params)
        if errors:
            raise ValidationError(errors)

    def date_display(self, field: str) -> str:
        """The date ``field`` in the active language, the signing date at its precision."""
        precision = self.signed_precision if field == "signed_on" else DatePrecision.DAY
        return partial_date(getattr(self, field), precision)

    def term_end_on(self, day: datetime.date) -> datetime.date | None:
        """The last day of the term that is running on ``day`` (or the last term, once it has
        ended): ``expires_on``, moved on by ``term_years`` for each automatic renewal that has
        happened by ``day``. ``None`` without an expiry date, and ``None`` when that term would
        end after the calendar's last day (9999-12-31): no term of 1 to :data:`TERM_YEARS_MAX`
        years does, but a record that never passed that rule (an older version in the history,
        an instance not yet validated) is shown as in force with no end instead of failing every
        page, list and reminder that reads it. :meth:`notice_deadline` and :meth:`status_on`
        read the end from here."""
        if self.expires_on is None:
            return None
        end = self.expires_on
        if self.automatic_renewal and self.term_years:
            try:
                while end < day:
                    end = add_years(end, self.term_years)
            except OverflowError:
                return None
        return end

    def notice_deadline(self, day: datetime.date) -> datetime.date | None:
        """The last day on which notice can be given for the term running on ``day``: its end
        (:meth:`term_end_on`) less ``notice_period_days``. ``None`` without both."""
        end = self.term_end_on(day)
        if end is None or not self.notice_period_days:
            return None
        return end - datetime.timedelta(days=self.notice_period_days)

    def status_on(self, day: datetime.date) -> str:
        """The status on ``day`` as shown: ``terminated`` or ``superseded`` as staff set it;
        ``expired`` for one in force whose term (:meth:`term_end_on`) ended before ``day``;
        else ``in_force``."""
        if self.status != self.Status.IN_FORCE:
            return self.status
        end = self.term_end_on(day)
        return self.Status.EXPIRED if end is not None and end < day else self.Status.IN_FORCE

    def get_status_on_display(self, day: datetime.date) -> str:
        """:meth:`status_on` in the active language."""
        return str(self.Status(self.status_on(day)).label)

    @property
    def current_status(self) -> str:
        """:meth:`status_on` today."""
        return self.status_on(timezone.localdate())

    @property
    def current_status_display(self) -> str:
        """:meth:`get_status_on_display` today."""
        return self.get_status_on_display(timezone.localdate())

    @property
    def current_term_end(self) -> datetime.date | None:
        """:meth:`term_end_on` today."""
        return self.term_end_on(timezone.localdate())

    @property
    def current_notice_deadline(self) -> datetime.date | None:
        """:meth:`notice_deadline` today."""
        return self.notice_deadline(timezone.localdate())

    def save(self, *args, **kwargs):
        """Save; when the document was replaced or cleared, the previous file is removed from
        storage once the transaction commits (unless another agreement still names it). A
        deleted agreement keeps its file, so that restoring it restores its document."""
        previous = ""
        if self.pk is not None and not self._state.adding:
            previous = type(self).objects.filter(pk=self.pk).values_list("document", flat=True).first() or ""
        super().save(*args, **kwargs)
        if previous and previous != self.document.name:
            storage = self.document.storage
            transaction.on_commit(lambda: remove_unused_document(storage, previous))


def remove_unused_document(storage, name: str) -> None:
    """Delete the file ``name`` from ``storage`` unless an agreement still names it."""
    if not Agreement.objects.filter(document=name).exists():
        storage.delete(name)


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
