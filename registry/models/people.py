"""Organizations, people, and the shared shape of anyone taking part (signatory, participant, member)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ..text import fold, localized, localized_language
from .base import (
    RegistryModel,
    RegistryQuerySet,
    RemarksModel,
    SluggedQuerySet,
    order_field,
    referenced_by_public,
    rule,
    staff_notes_field,
)
from .cities import City
from .search import WordSearchMixin
from .slugs import slug_rule
from .sources import SourcedModel

# --------------------------------------------------------------------------- people


class OrganizationQuerySet(WordSearchMixin, SluggedQuerySet):
    """An organization is public when a published record names it: a party to or the
    organization of a signatory of an agreement, an event participant's organization, a
    delegation's organizer or a member's organization."""

    search_fields = ("name_en", "name_ko", "name_native")

    def public(self) -> OrganizationQuerySet:
        """Organizations anyone may see (see the class docstring)."""
        return self.filter(
            referenced_by_public(
                ("Agreement", "parties"),
                ("Agreement", "signatories__organization"),
                ("Event", "participants__organization"),
                ("Delegation", "organizer"),
                ("Delegation", "members__organization"),
            )
        )

    def for_country(self, *codes: str) -> OrganizationQuerySet:
        """Organizations based in any of the ISO alpha-2 ``codes``."""
        return self.filter(country__in=[code.upper() for code in codes])


class PersonQuerySet(WordSearchMixin, SluggedQuerySet):
    """A person is public when a published record names them: a signatory of an agreement,
    a participant in an event, a delegation's leader or member. Someone who only signed a
    draft appears on no public surface."""

    search_fields = ("name_en", "name_ko", "name_native")

    def named(self, *names: str) -> PersonQuerySet:
        """People one of whose names (English, Korean, native) folds (:func:`~registry.text.fold`:
        case, accents, width, hyphens and spaces) as one of ``names`` does; empty names are
        skipped, none given: nobody. Folded in Python over every person's names (one query of
        three columns; a registry holds hundreds of people), as SQLite's ``iexact`` folds ASCII
        only: "ерлан кожаев" found "Ерлан Кожаев" on PostgreSQL alone, and a double space or
        full-width letters hid a recorded person on both (adversarial probe). The guided entry
        asks it before recording a new signatory, who was recorded a second time without a word
        (new-user probe)."""
        wanted = {fold(name) for name in names} - {""}
        if not wanted:
            return self.none()
        rows = self.order_by().values_list("pk", "name_en", "name_ko", "name_native")
        return self.filter(pk__in=[pk for pk, *own in rows if wanted & {fold(name) for name in own}])

    def public(self) -> PersonQuerySet:
        """People anyone may see (see the class docstring)."""
        return self.filter(
            referenced_by_public(
                ("Agreement", "signatories__person"),
                ("Event", "participants__person"),
                ("Delegation", "leader"),
                ("Delegation", "members__person"),
            )
        )


class Organization(RemarksModel, SourcedModel):
    """A government, council, agency, company or association."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("city or regional government")
        COUNCIL = "council", _("council")
        AGENCY = "agency", _("public agency")
        COMPANY = "company", _("company")
        ASSOCIATION = "association", _("association")
        UNIVERSITY = "university", _("university")
        OTHER = "other", _("other")

    name_en = models.CharField(_("name (English)"), max_length=300)
    name_ko = models.CharField(_("name (Korean)"), max_length=300, blank=True)
    name_native = models.CharField(_("native name"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("city"),
    )
    country = CountryField(_("country"), blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    notes = staff_notes_field()

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name_en", "slug"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [slug_rule("organization")]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """Name in the active language."""
        return localized(self, "name")


class Person(RemarksModel, SourcedModel):
    """A named person. Someone the source does not name is recorded as a role instead."""

    name_en = models.CharField(_("name (English)"), max_length=200, help_text=_("Romanized name as in the source."))
    name_ko = models.CharField(_("name (Korean)"), max_length=200, blank=True)
    name_native = models.CharField(_("native name"), max_length=200, blank=True)
    notes = staff_notes_field()

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name_en", "slug"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [slug_rule("person")]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """Name in the active language."""
        return localized(self, "name")


class ParticipantFields(RegistryModel):
    """Abstract: someone taking part, named (person) or by role only, with organization."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("person"))
    role = models.CharField(
        _("role"),
        max_length=300,
        blank=True,
        help_text=_("Office or role, e.g. “Deputy Mayor of Almaty”; alone when the source names no person."),
    )
    role_ko = models.CharField(
        _("role (Korean)"),
        max_length=300,
        blank=True,
        help_text=_("Shown on Korean pages; where empty, the English one is shown."),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("organization")
    )
    order = order_field(default=1)

    class Meta:
        abstract = True

    def __str__(self):
        return ", ".join(str(part) for part in (self.person, self.role_localized, self.organization) if part)

    @property
    def role_localized(self) -> str:
        """The role in the active language: ``role_ko`` on Korean pages when filled, else ``role``."""
        return localized(self, "role")

    @property
    def role_language(self) -> str:
        """BCP 47 tag of :attr:`role_localized` (``en`` for the English fallback)."""
        return localized_language(self, "role")


def _person_or_role(prefix: str) -> models.CheckConstraint:
    return rule(
        f"{prefix}_person_or_role",
        Q(person__isnull=False) | ~Q(role=""),
        _("Name a person or, where the source names none, the role."),
        "role",
    )


class OrderedChildManager(models.Manager.from_queryset(RegistryQuerySet)):
    """Natural key of a child row: its parent's slug and its order."""

    parent_field = ""

    def get_by_natural_key(self, order, parent_slug):
        return self.get(order=order, **{f"{self.parent_field}__slug": parent_slug})
