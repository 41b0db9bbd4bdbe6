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
import functools
from collections import Counter

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.signals import setting_changed
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models, router
from django.db.models import ProtectedError
from django.db.models.functions import Coalesce, Length
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .. import regions
from ..dates import coarser_than
from ..text import (
    MADE_SLUG_TAKEN,
    NAME_GIVES_NO_SLUG,
    is_visible,
    localized,
    slug_of,
    stored_text,
)
from .choices import choice_label
from .compiled import CompiledOnce
from .compiled import forget as forget_compiled

# The rules as named constraints and how their errors are reported; re-exported, as the models and
# the imports name them here.
from .constraints import (  # noqa: F401
    CHECKED_BY_FIELD,
    CONCURRENT_CHANGE,
    CONSTRAINT_FIELDS,
    IMPLIED_RULES,
    RefusedRule,
    constraint_name,
    no_such_record,
    refused_rule,
    rule,
    stored_values,
    unique,
    values_in,
    without_implied,
)
from .text_rules import check_text

models.CharField.register_lookup(Length)

# Longest free text accepted from forms, the API and imports (characters).
TEXT_MAX = 20_000


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


def same_period(
    first: datetime.date | None, first_precision: str, second: datetime.date | None, second_precision: str
) -> bool:
    """Whether two partial dates may name the same day: each cut to the coarser of their two
    precisions (:func:`truncate_to_precision`; ``"year"``, ``"month"`` or ``"day"``, an unknown
    one read as ``"day"``) they are equal. 1989-10-24 (``day``) and 1989 (``year``) are; June
    1989 (``month``) and 1989-07-02 (``day``) are not. ``None`` is the same period only as ``None``.
    The one rule by which an import without a precision column matches a stored partial date
    (:class:`registry.resource_rows.NaturalKeyLoader`) and leaves it unchanged
    (:meth:`registry.resource_base.RegistryResource.import_instance`)."""
    if first is None or second is None:
        return first is second
    coarser = first_precision if coarser_than(first_precision, second_precision) else second_precision
    return truncate_to_precision(first, coarser) == truncate_to_precision(second, coarser)


class Confidence(models.TextChoices):
    """How well the sources support a row (from the research notes)."""

    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


class RegistryQuerySet(models.QuerySet):
    """Base queryset of every registry model, with the one rule of who may see what.

    :meth:`visible_to` is the only code that decides visibility from a user's permissions:
    every page, API list and detail, filter choice, export, feed, sitemap, search and count
    goes through it (or through :meth:`public`, what an anonymous reader sees). Models with
    a derived public rule (cities, people, organizations, sources) override :meth:`public`.
    """

    def sees_everything(self, user) -> bool:
        """Whether ``user`` may see every row of this model, drafts and staff notes included:
        an active staff member holding the model's ``view`` permission. The only place that
        reads a permission for visibility."""
        if user is None or not getattr(user, "is_active", False) or not getattr(user, "is_staff", False):
            return False
        opts = self.model._meta
        return user.has_perm(f"{opts.app_label}.view_{opts.model_name}")

    def public(self):
        """The rows anyone may see (an anonymous reader). By default every row."""
        return self

    def visible_to(self, user):
        """The rows ``user`` may see: every row when :meth:`sees_everything`, else :meth:`public`."""
        return self.visible_as(self.sees_everything(user))

    def visible_as(self, everything: bool):
        """The rows a reader may see who sees every row (``everything``: :meth:`sees_everything`)
        or only the public ones, for a condition built once for each kind of reader
        (:meth:`registry.models.delegations.DelegationQuerySet.with_travel_dates`)."""
        return self if everything else self.public()

    def with_visibility(self, user, *fields: str):
        """Annotate ``<field>_visible`` (a boolean) for each foreign key in ``fields`` (or the
        reverse side of a one-to-one field, such as a partnership's ``successor``): whether
        ``user`` may see the row it points to, decided by that model's :meth:`visible_to` in
        the database (no query per row). Templates and serializers read the annotation instead
        of re-deriving the rule. Each is a scalar subquery looking up the one related row by
        primary key, so only the rows returned (one page) are tested; an ``EXISTS`` let the
        database hash the whole related table first (80 ms for 100,000 partnerships behind a
        page of 50 events on PostgreSQL), and a ``COUNT`` of the list does not compute it."""
        annotations = {}
        for name in fields:
            related = self.model._meta.get_field(name).related_model
            visible = related._default_manager.all().visible_to(user).order_by()
            row = visible.filter(pk=models.OuterRef(name)).values(shown=models.Value(True))[:1]
            annotations[f"{name}_visible"] = Coalesce(
                models.Subquery(row, output_field=models.BooleanField()), models.Value(False)
            )
        return self.annotate(**annotations)


class SluggedQuerySet(RegistryQuerySet):
    """Queryset (and, through ``as_manager()``, manager) of models found by slug."""

    def get_by_natural_key(self, slug):
        """The row whose natural key (its slug) is ``slug``; ``DoesNotExist`` otherwise."""
        return self.get(slug=slug)


class CountryQuerySetMixin:
    """Queryset methods of records placed in countries, which the ``country`` and ``region``
    filters of every list call. Each model's queryset says in :meth:`for_country` which
    country counts (a city's own, a partnership's partner's, any stop of an itinerary, ...);
    :meth:`in_region` is region membership for all of them."""

    def for_country(self, *codes: str):
        """Rows placed in any of the ISO 3166-1 alpha-2 ``codes`` (any case)."""
        raise NotImplementedError

    def in_region(self, region: regions.Region):
        """Rows :meth:`for_country` places in a country of the UN M49 ``region`` (any level)."""
        return self.for_country(*sorted(regions.countries_in(region)))

    def country_sets(self) -> Counter[frozenset[str]]:
        """How many rows :meth:`for_country` places in each set of countries (ISO alpha-2 codes in
        capitals; a row placed nowhere is left out), in one query grouped by the places it reads:
        what a list's menus count (``registry.forms``); a test holds it to :meth:`for_country`."""
        raise NotImplementedError


class Publication(models.TextChoices):
    """Whether the public may see a record: drafts are for staff only."""

    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class PublishableMixin:
    """Queryset methods of records with a draft/published state (``publication``)."""

    def public(self):
        """Published records only: drafts are for staff."""
        return self.filter(publication=Publication.PUBLISHED)


def referenced_by_public(*references: tuple[str, str]) -> models.Q:
    """A condition on ``pk``: the row is referenced by a public row of another model.

    Each reference is ``("Model", "field")``, the registry model and its field (a foreign
    key or many-to-many; ``"self__field"`` paths allowed) that points at this row; the other
    model's own :meth:`RegistryQuerySet.public` decides which of its rows count. One
    correlated ``EXISTS`` per reference (an index lookup on the foreign key): the database may
    probe per row, stopping at the first reference found, or hash the referencing rows once;
    uncorrelated ``IN`` subqueries left it only the hash, which cost 150–250 ms per query at
    100,000 partnerships and 200,000 events on PostgreSQL, even for one page of rows.

    The condition is built once per process and reused (a ``Q`` and its subqueries are not
    changed by the querysets that filter on them): a source's is 27 nested subqueries, whose
    building took 10 ms of every request that lists sources or tests a city's visibility. Its
    SQL is compiled once per database too, where it is at the top of a query
    (:class:`~registry.models.compiled.CompiledOnce`): compiling it took 12.6 of the 23 ms of a
    list of sources, and 2–3 ms of each query of a list of cities that filters on it.
    A test that changes a setting starts afresh (:func:`forget_public_conditions`).
    """
    return _referenced_by_public(references)


@functools.cache
def _referenced_by_public(references: tuple[tuple[str, str], ...]) -> models.Q:
    def build() -> models.Q:
        from django.apps import apps

        condition = models.Q()
        for model_name, field in references:
            model = apps.get_model("registry", model_name)
            condition |= models.Q(
                models.Exists(model._default_manager.all().public().filter(**{field: models.OuterRef("pk")}))
            )
        return condition

    return models.Q(CompiledOnce(("referenced_by_public", references), functools.cache(build)))


@receiver(setting_changed)
def forget_public_conditions(**kwargs) -> None:
    """Rebuild the conditions of :func:`referenced_by_public` after a test changes a setting
    (a city's is public when it is ``REGISTRY_HOME_CITY``)."""
    _referenced_by_public.cache_clear()
    forget_compiled()


class PublishableQuerySet(PublishableMixin, SluggedQuerySet):
    """Queryset of slugged records with a draft/published state (agreements, events, delegations)."""


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


class ManyToManyOfModel:
    """Class attribute read by django-simple-history (``_history_m2m_fields``) when it builds a
    model's history: every many-to-many field of the concrete model (sources, cooperation
    fields, parties), so each history record keeps them and diffs show their changes."""

    def __get__(self, instance, owner):
        return [field.name for field in owner._meta.many_to_many]


# The change history of every registry model (one registration, inherited): fields, many-to-many
# relations and a free-text change reason (a history record's ``history_change_reason``).
HISTORY = HistoricalRecords(inherit=True, history_change_reason_field=models.TextField(null=True))


@functools.cache
def text_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    """The concrete ``CharField`` and ``TextField`` fields of ``model`` whose value is a ``str``:
    the fields :meth:`RegistryModel.clean_fields` reads (once per class). A ``CountryField`` is
    left out: its value reads as a ``Country`` object, made anew on every read, and its code is
    checked by its choices."""
    return tuple(
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and not isinstance(field, CountryField)
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
    history = HISTORY
    _history_m2m_fields = ManyToManyOfModel()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.before_write()
        if not self._state.adding and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version", "updated_at"}
        super().save(*args, **kwargs)

    def _get_FIELD_display(self, field):
        """``get_<field>_display()``: Django's answer, from the field's labels translated once per
        language (:func:`registry.models.choices.choice_label`)."""
        return choice_label(self, field)

    def clean_fields(self, exclude=None):
        """Django's check of each field, then refuse a required text (a ``CharField`` or
        ``TextField`` without ``blank=True``: a name, a title) that shows nothing, only spaces,
        zero-width or direction marks (:func:`registry.text.is_visible`), as empty: Django's
        “This field cannot be blank.” (code ``blank``) on the field, in the admin, the API and
        imports alike. Found by the fresh-clone tester: a city named ``"\u200b"`` was stored and
        listed with no name. A short text (a ``CharField``: a name, a title, a role) holding a
        character that hides or reorders the text around it (:func:`registry.text.hiding_character`:
        a right-to-left override showed "\u202eytiC" reversed in the admin's list) is refused too,
        code ``hiding_character``, naming the character (adversarial probe). First, every text is
        made what the registry stores (:meth:`compose_texts`): Unicode's composed form (NFC), so
        "と" followed by a separate sound mark is "ど" and Hangul typed as separate jamo its
        syllables (adversarial probe: an alias stored with a separate mark was found by a search
        for the mark alone), and a long text's line breaks as ``\n``: a browser sends a text
        area's as ``\r\n``, so a record saved once in the admin was stored with them and its
        exported CSV, which writes ``\n``, re-imported as a change (fresh-clone probe). An
        optional text that shows nothing (a Hangul filler, U+3164, as a signatory's role) is stored
        empty, so a rule that asks for one text or another ("a person or a role") sees it as none
        (adversarial probe). A long text (a ``TextField``) longer than its ``max_length``
        (:data:`TEXT_MAX`) is refused with Django's own message, code ``max_length``, as the admin's
        forms and the API refuse it: Django checks it in neither ``full_clean()`` nor the database,
        so a spreadsheet import stored notes of 100,000 characters that no form could save again
        (adversarial probe). One stored so before is kept as long as it is not changed
        (:meth:`kept_as_stored`)."""
        self.compose_texts()
        fields = text_fields(type(self))
        exclude = set(exclude or ())
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in fields:
            if field.name in errors or field.name in exclude:
                continue
            value = getattr(self, field.attname)
            if not isinstance(value, str) or not value:
                continue  # an empty text holds no character to refuse; Django's blank rule has said its word
            long_text = isinstance(field, models.TextField)
            if not field.blank and not field.choices and value and not is_visible(value):
                errors[field.name] = [ValidationError(field.error_messages["blank"], code="blank")]
                continue
            try:
                check_text(value, lines=long_text, hiding=long_text)
            except ValidationError as error:
                errors[field.name] = error.error_list
                continue
            if (
                long_text
                and field.max_length
                and len(value) > field.max_length
                and not self.kept_as_stored(field, value)
            ):
                # Django checks a TextField's max_length in forms and DRF, never in full_clean().
                try:
                    MaxLengthValidator(field.max_length)(value)
                except ValidationError as error:
                    errors[field.name] = error.error_list
        if errors:
            raise ValidationError(errors)

    def kept_as_stored(self, field: models.Field, value) -> bool:
        """Whether ``value`` is what the database holds in ``field`` for this record (one query,
        asked only of a text over its ``max_length``): a long text stored before that limit was
        checked on imports is kept until it is changed, so an edit of another field, or an action,
        still saves (helper-90: every write to such a record was refused under ``notes``)."""
        if self._state.adding or self.pk is None:
            return False
        stored = type(self)._base_manager.filter(pk=self.pk).values_list(field.attname, flat=True)
        return stored.first() == value

    def compose_texts(self) -> None:
        """Each text field's value as the registry stores it (:func:`registry.text.stored_text`:
        Unicode's composed form, a long text's line breaks as ``\n``; an optional text that
        shows nothing, :func:`registry.text.is_visible`, as empty); called by :meth:`clean_fields`
        and by an import before it compares a row with the stored record (a file in decomposed
        form showed every row as changed; adversarial probe)."""
        for field in text_fields(type(self)):
            value = getattr(self, field.attname)
            if isinstance(value, str) and value:
                stored = stored_text(value, lines=isinstance(field, models.TextField))
                if field.blank and not field.choices and not is_visible(stored):
                    stored = ""  # an optional text that shows nothing is none
                if stored != value:
                    setattr(self, field.attname, stored)

    @property
    def is_draft(self) -> bool:
        """Whether the record is a draft (its ``publication``, :func:`publication_field`), which
        only staff see; ``False`` for a model without one (a city, a source).
        ``includes/draft_mark.html`` marks it where staff see it."""
        return getattr(self, "publication", None) == Publication.DRAFT

    def before_write(self) -> None:
        """What every write of the record derives, by ``save()`` and by bulk writes (imports):
        a stored record's ``version`` goes up by one. Models with derived fields extend it."""
        if not self._state.adding:
            self.version += 1

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
                if constraint.name in CHECKED_BY_FIELD:
                    continue
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
            raise ValidationError(without_implied(errors))


# The largest ``order`` of a record's rows (signatories, members, participants, stops, outcomes).
ORDER_MAX = 999


def order_field(**kwargs) -> models.PositiveSmallIntegerField:
    """The ``order`` of a row among its record's rows: 1 for the first, at most :data:`ORDER_MAX`.
    The bounds are named here so that they are the same on every database: where a model names
    none, Django takes the column's (any 64-bit number on SQLite, 32,767 for PostgreSQL's
    smallint), and the admin, imports and the API schema would answer differently on each."""
    return models.PositiveSmallIntegerField(
        _("order"), validators=[MinValueValidator(1), MaxValueValidator(ORDER_MAX)], **kwargs
    )


def staff_notes_field():
    """The staff-only ``notes`` field: research notes, conflicts between sources, doubts. Never
    shown on a public page, in a public API answer or a public export; ``remarks_en``/``remarks_ko``
    (see :class:`RemarksMixin`) are what the public reads."""
    return models.TextField(
        _("staff notes"),
        max_length=TEXT_MAX,
        blank=True,
        help_text=_("Staff only: research notes, conflicts between sources. Never shown to the public."),
    )


class RemarksModel(models.Model):
    """Abstract: public remarks in English and Korean (what the public reads about a record)."""

    remarks_en = models.TextField(
        _("public remarks (English)"),
        max_length=TEXT_MAX,
        blank=True,
        help_text=_("Shown to the public on the record's page and in the API."),
    )
    remarks_ko = models.TextField(_("public remarks (Korean)"), max_length=TEXT_MAX, blank=True)

    class Meta:
        abstract = True

    @property
    def remarks(self) -> str:
        """Public remarks in the active language (Korean where given, else English)."""
        return localized(self, "remarks")


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

    def clean_fields(self, exclude=None):
        """:meth:`RegistryModel.clean_fields`, and a slug with capitals refused on ``slug`` (code
        ``slug_lower_case``), naming it in small letters: the slug's rule, which Django's slug
        validator leaves to the writer (``Almaty`` was stored beside ``almaty``, two addresses for
        what reads as one city; adversarial probe)."""
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "slug" not in errors and "slug" not in (exclude or ()) and self.slug and self.slug != self.slug.lower():
            message = _("A slug is written in small letters: “%(slug)s”.")
            errors["slug"] = [ValidationError(message, code="slug_lower_case", params={"slug": self.slug.lower()})]
        if errors:
            raise ValidationError(errors)

    @classmethod
    def slug_made_from(cls, name: str, field: str) -> str:
        """The slug a new record's ``name`` gives (:func:`registry.text.slug_of`, cut to the slug's
        length), the one rule of a slug left empty in the API (``slug_from``) and the admin
        (``RegistryAdmin.slug_from``). ``field`` names where ``name`` came from in the writer's
        words (``name_en`` in the API, the field's label in the admin). Raises ``ValidationError``
        on ``slug``: code ``no_slug_in_name`` when ``name`` has no letter or digit
        (:data:`~registry.text.NAME_GIVES_NO_SLUG`), ``unique`` when another record holds the
        slug (:data:`~registry.text.MADE_SLUG_TAKEN`). One query. A name that shows nothing
        (:func:`~registry.text.is_visible`) gives ``""`` and no error, as an empty one does: the
        name's own rule refuses it, once (it was refused on the slug too, quoting the invisible
        name; adversarial probe)."""
        if not is_visible(name or ""):
            return ""
        made = slug_of(name, max_length=cls._meta.get_field("slug").max_length)
        if not made:
            error = ValidationError(NAME_GIVES_NO_SLUG, code="no_slug_in_name", params={"name": name, "field": field})
        elif cls._base_manager.filter(slug=made).exists():
            params = {"slug": made, "field": field, "model": cls._meta.verbose_name}
            error = ValidationError(MADE_SLUG_TAKEN, code="unique", params=params)
        else:
            return made
        raise ValidationError({"slug": [error]})


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
