"""Base classes and shared rules of every registry model.

Dates that sources give only to the month or the year are stored as the first day of
that period with a ``*_precision`` of ``month`` or ``year`` (see :class:`DatePrecision`),
and are shown at that precision, never as an invented day.

Rules live in the database as named constraints (see each ``Meta.constraints``, built with
:func:`rule` and :func:`unique`); the admin, forms and the API report them on the field they
concern through :meth:`RegistryModel.validate_constraints`.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, router
from django.db.models import ProtectedError, Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

models.CharField.register_lookup(Length)

# Longest free text accepted from forms, the API and imports (characters).
TEXT_MAX = 20_000

# Constraint name → the field its error belongs to (filled by ``rule()``).
CONSTRAINT_FIELDS: dict[str, str] = {}


def rule(name: str, condition: Q, message: str, field: str | None = None) -> models.CheckConstraint:
    """A named ``CheckConstraint`` whose violation is reported as ``message`` on ``field``."""
    if field:
        CONSTRAINT_FIELDS[name] = field
    return models.CheckConstraint(
        condition=condition, name=name, violation_error_code=name, violation_error_message=message
    )


def unique(name: str, *expressions, message: str, field: str, **kwargs) -> models.UniqueConstraint:
    """A named ``UniqueConstraint`` whose violation is reported as ``message`` on ``field``."""
    CONSTRAINT_FIELDS[name] = field
    return models.UniqueConstraint(
        *expressions, name=name, violation_error_code=name, violation_error_message=message, **kwargs
    )


class DatePrecision(models.TextChoices):
    """How much of a date the source gives. A ``year`` date is stored as 1 January of
    that year and a ``month`` date as the first of the month."""

    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


def truncate_to_precision(value: datetime.date | None, precision: str) -> datetime.date | None:
    """Return the first day of the period ``value`` falls in at ``precision``."""
    if value is None:
        return None
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    return value


class Confidence(models.TextChoices):
    """How well the sources support a row (from the research notes)."""

    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


class RegistryQuerySet(models.QuerySet):
    """Base queryset of every registry model."""


class SluggedQuerySet(RegistryQuerySet):
    """Queryset (and, through ``as_manager()``, manager) of models found by slug."""

    def get_by_natural_key(self, slug):
        """The row whose natural key (its slug) is ``slug``; ``DoesNotExist`` otherwise."""
        return self.get(slug=slug)


class Publication(models.TextChoices):
    """Whether the public may see a record: drafts are for staff only."""

    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class PublishableQuerySet(SluggedQuerySet):
    """Queryset of records with a draft/published state."""

    def published(self):
        """Only the records the public may see."""
        return self.filter(publication=Publication.PUBLISHED)

    def visible_to(self, user):
        """Everything for staff, published records for everyone else."""
        return self if getattr(user, "is_staff", False) else self.published()


def publication_field():
    """The ``publication`` field shared by partnerships, agreements, events and delegations."""
    return models.CharField(
        _("publication"),
        max_length=10,
        choices=Publication.choices,
        default=Publication.DRAFT,
        db_index=True,
        help_text=_("Drafts are visible to staff only: never on public pages, in the API, feeds or exports."),
    )


class RegistryModel(models.Model):
    """Abstract base: timestamps (UTC), change history and constraint errors on fields."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Raised by one on every save; an edit based on an older version is refused."),
    )
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version", "updated_at"}
        super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        """Check the database constraints and report each error on its field.

        Every constraint is checked by Django's own ``constraint.validate()``, i.e. by the
        database (one query per constraint), so NULL, ``LIKE`` case rules and the rest
        behave exactly as the table's constraint does. A violation is reported on the field
        ``CONSTRAINT_FIELDS`` names for the rule (a one-field unique constraint on that
        field), or as a non-field error when there is none or that field is excluded.

        Raises ``ValidationError`` (a dict of field name → errors, each with the rule's name
        as its code) when any constraint would be violated.
        """
        exclude = set(exclude or ())
        using = router.db_for_write(type(self), instance=self)
        errors: dict[str, list[ValidationError]] = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    code = getattr(error, "code", None)
                    target = CONSTRAINT_FIELDS.get(code, NON_FIELD_ERRORS)
                    if code == "unique" and len(getattr(constraint, "fields", ())) == 1:
                        target = constraint.fields[0]
                    if target in exclude:
                        target = NON_FIELD_ERRORS
                    for message in error.error_list:
                        errors.setdefault(target, []).append(message)
        if errors:
            raise ValidationError(errors)


class SluggedModel(RegistryModel):
    """Abstract base for models found by a unique slug (their natural key)."""

    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        allow_unicode=False,
        help_text=_("Lower-case ASCII identifier used in URLs and fixtures, e.g. “almaty”."),
    )

    objects = SluggedQuerySet.as_manager()

    class Meta:
        abstract = True

    def natural_key(self):
        return (self.slug,)


class ReferencedByManyMixin:
    """For rows that other records cite through many-to-many fields (sources, cooperation
    fields): deleting one that is still cited is refused, as ``PROTECT`` refuses it for keys,
    instead of silently removing it from every record."""

    def citing_records(self, limit: int = 20) -> list[models.Model]:
        """Up to ``limit`` records that refer to this row through a many-to-many field."""
        found: list[models.Model] = []
        for relation in self._meta.related_objects:
            if relation.many_to_many and len(found) < limit:
                found += list(getattr(self, relation.get_accessor_name()).all()[: limit - len(found)])
        return found

    def delete(self, *args, **kwargs):
        citing = self.citing_records()
        if citing:
            raise ProtectedError(
                f"“{self}” is still cited by {len(citing)}{'+' if len(citing) >= 20 else ''} record(s), "
                f"e.g. {', '.join(str(record) for record in citing[:5])}; remove it from them first.",
                set(citing),
            )
        return super().delete(*args, **kwargs)
