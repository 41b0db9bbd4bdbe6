"""Domain model of the City Diplomacy Registry.

Terms follow the field: a *partnership* joins two cities as *sister cities* or
*friendship cities*; it rests on *agreements* (sister city agreement, memorandum of
understanding, ...) signed by *signatories*; *delegations* travel an *itinerary* and
report *outcomes*; *events* record ceremonies, visits and anniversaries. Every fact
cites its *sources*.

Dates that sources give only to the month or the year are stored as the first day of
that period with a ``*_precision`` of ``month`` or ``year`` (see :class:`DatePrecision`),
and are shown at that precision, never as an invented day.

Rules live in the database as named constraints (see each ``Meta.constraints``); the
admin and forms report them on the field they concern through
:meth:`RegistryModel.validate_constraints`.
"""

from __future__ import annotations

import datetime

from babel.numbers import list_currencies
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, router
from django.db.models import F, ProtectedError, Q
from django.db.models.functions import Greatest, Least, Length
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from . import regions
from .conditions import UNSUPPORTED, evaluate, referenced_fields
from .text import fold, localized, search_words

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


def validate_currency(value: str) -> None:
    """Raise ``ValidationError`` unless ``value`` is an ISO 4217 currency code (``USD``)."""
    if value and value not in list_currencies():
        raise ValidationError(
            _("“%(value)s” is not an ISO 4217 currency code (three capital letters, e.g. USD, KRW)."),
            code="invalid_currency",
            params={"value": value},
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

        Check constraints with simple conditions are evaluated in Python
        (:mod:`registry.conditions`, same three-valued logic as SQL); the others, and
        unique constraints, by a query as Django does.
        """
        exclude = set(exclude or ())
        using = router.db_for_write(type(self), instance=self)
        errors: dict[str, list[ValidationError]] = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    if isinstance(constraint, models.CheckConstraint):
                        if referenced_fields(constraint.condition) & exclude:
                            continue
                        result = evaluate(constraint.condition, self)
                        if result is False:
                            raise ValidationError(
                                constraint.get_violation_error_message(), code=constraint.violation_error_code
                            )
                        if result is not UNSUPPORTED:
                            continue
                    elif isinstance(constraint, models.UniqueConstraint) and constraint.condition is not None:
                        # A conditional unique constraint only applies when its condition holds:
                        # skip the query when the condition is known to be false for this row.
                        if evaluate(constraint.condition, self) is False:
                            continue
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


# --------------------------------------------------------------------------- sources


class Source(ReferencedByManyMixin, SluggedModel):
    """What a fact rests on: a publication, web page or dataset."""

    title = models.CharField(_("title"), max_length=500)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    url = models.URLField(_("URL"), max_length=1000, blank=True, help_text=_("Where it was published."))
    published_on = models.DateField(_("published on"), null=True, blank=True)
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        help_text=_("BCP 47 language tag of the source, e.g. “en”, “ko”, “ru”."),
    )
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, blank=True)

    class Meta:
        ordering = ["title", "slug"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            unique(
                "source_url_unique",
                fields=["url"],
                condition=~Q(url=""),
                message=_("Another source already has this URL."),
                field="url",
            ),
        ]

    def __str__(self):
        return self.title


class SourcedModel(SluggedModel):
    """Abstract base for records that cite sources."""

    sources = models.ManyToManyField(
        Source,
        blank=True,
        related_name="%(class)s_records",
        verbose_name=_("sources"),
        help_text=_("Every fact needs at least one source."),
    )

    class Meta:
        abstract = True


# --------------------------------------------------------------------------- reference


class CooperationField(ReferencedByManyMixin, SluggedModel):
    """A field of cooperation named in agreements: economy, culture, tourism, ..."""

    name_en = models.CharField(_("name (English)"), max_length=100, unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=100, blank=True)

    class Meta:
        ordering = ["name_en", "slug"]
        verbose_name = _("cooperation field")
        verbose_name_plural = _("cooperation fields")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """Name in the active language."""
        return localized(self, "name")


# --------------------------------------------------------------------------- cities


class CityQuerySet(SluggedQuerySet):
    """Reusable filters for cities."""

    def for_country(self, *codes: str) -> CityQuerySet:
        """Cities in any of the ISO 3166-1 alpha-2 ``codes`` (any case)."""
        return self.filter(country__in=[code.upper() for code in codes])

    def in_region(self, region: regions.Region) -> CityQuerySet:
        """Cities whose country lies in the UN M49 ``region`` (any level)."""
        return self.filter(country__in=regions.countries_in(region))

    def search(self, query: str) -> CityQuerySet:
        """Cities whose English, Korean, native, former names or aliases contain ``query``,
        ignoring case and accents (matched on the folded ``search_text`` column)."""
        words = search_words(query)
        qs = self
        for word in words:
            qs = qs.filter(search_text__contains=word)
        return qs


class City(SourcedModel):
    """A city or sub-national government that takes part in partnerships."""

    class AdminLevel(models.TextChoices):
        CITY = "city", _("city")
        METROPOLITAN_CITY = "metropolitan_city", _("metropolitan city")
        SPECIAL_CITY = "special_city", _("special city")
        MUNICIPALITY = "municipality", _("municipality")
        PROVINCE = "province", _("province")
        STATE = "state", _("state")
        PREFECTURE = "prefecture", _("prefecture")
        REGION = "region", _("region")
        DISTRICT = "district", _("district")

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ko = models.CharField(_("name (Korean)"), max_length=200, blank=True)
    name_native = models.CharField(
        _("native name"),
        max_length=200,
        blank=True,
        help_text=_("Official name in its own script, e.g. Алматы, 大阪市, Valparaíso."),
    )
    country = CountryField(_("country"), help_text=_("ISO 3166-1 alpha-2 country code."))
    admin_level = models.CharField(
        _("administrative level"), max_length=32, choices=AdminLevel.choices, default=AdminLevel.CITY
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("WGS 84 decimal degrees, −90 to 90 (north positive)."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("WGS 84 decimal degrees, −180 to 180 (east positive)."),
    )
    coordinates_source = models.CharField(_("coordinates source"), max_length=300, blank=True)
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("population year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1000), MaxValueValidator(2200)],
        help_text=_("Year the population figure refers to."),
    )
    wikidata_id = models.CharField(
        _("Wikidata ID"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", _("A Wikidata ID is “Q” followed by digits, e.g. Q35493."))],
        help_text=_("Wikidata item, e.g. Q35493."),
    )
    confidence = models.CharField(
        _("confidence"),
        max_length=10,
        choices=Confidence.choices,
        default=Confidence.HIGH,
        help_text=_("How well the sources support this row."),
    )
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, blank=True)
    search_text = models.TextField(
        _("search text"),
        blank=True,
        editable=False,
        help_text=_("Folded names for search; kept up to date on save."),
    )

    objects = CityQuerySet.as_manager()

    class Meta:
        ordering = ["name_en", "slug"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        # Registry-wide permissions, attached to City for want of an app-level home.
        permissions = [
            ("restore_records", _("Can restore earlier versions and deleted records")),
            ("import_records", _("Can import spreadsheets")),
        ]
        constraints = [
            rule(
                "city_latitude_range",
                Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                _("Latitude must be between −90 and 90 degrees."),
                "latitude",
            ),
            rule(
                "city_longitude_range",
                Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                _("Longitude must be between −180 and 180 degrees."),
                "longitude",
            ),
            rule(
                "city_coordinates_together",
                Q(latitude__isnull=True, longitude__isnull=True) | Q(latitude__isnull=False, longitude__isnull=False),
                _("Give both latitude and longitude, or neither."),
                "longitude",
            ),
            rule(
                "city_wikidata_id_form",
                Q(wikidata_id="") | Q(wikidata_id__startswith="Q"),
                _("A Wikidata ID is “Q” followed by digits, e.g. Q35493."),
                "wikidata_id",
            ),
            unique(
                "city_wikidata_id_unique",
                fields=["wikidata_id"],
                condition=~Q(wikidata_id=""),
                message=_("Another city already has this Wikidata ID."),
                field="wikidata_id",
            ),
        ]
        indexes = [
            models.Index(fields=["country", "name_en"], name="city_country_name_idx"),
            models.Index(fields=["name_en", "slug"], name="city_name_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("registry:city-detail", kwargs={"slug": self.slug})

    @property
    def name(self) -> str:
        """Name in the active language (Korean where known, else English)."""
        return localized(self, "name")

    @property
    def region(self) -> regions.Region | None:
        """UN M49 region of the country (e.g. Asia)."""
        return regions.region_of(self.country.code)

    @property
    def subregion(self) -> regions.Region | None:
        """UN M49 sub-region of the country (e.g. Central Asia)."""
        return regions.subregion_of(self.country.code)

    def build_search_text(self, names: list[str] | None = None) -> str:
        """Folded English, Korean and native names plus former names and aliases,
        one per line. ``names`` overrides the former names/aliases read from the database."""
        if names is None:
            names = list(self.names.values_list("name", flat=True)) if self.pk else []
        parts = [self.name_en, self.name_ko, self.name_native, self.slug, *names]
        return "\n".join(dict.fromkeys(fold(part) for part in parts if part))

    def refresh_search_text(self) -> None:
        """Recompute ``search_text`` after its names changed (one UPDATE)."""
        City.objects.filter(pk=self.pk).update(search_text=self.build_search_text())


class CityNameManager(models.Manager):
    def get_by_natural_key(self, name, kind, city_slug):
        return self.get(name=name, kind=kind, city__slug=city_slug)


class CityName(RegistryModel):
    """A former official name (with the years it was used) or an alias of a city."""

    class Kind(models.TextChoices):
        FORMER = "former", _("former name")
        ALIAS = "alias", _("alias / other spelling")

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="names", verbose_name=_("city"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FORMER)
    used_from = models.PositiveSmallIntegerField(
        _("used from (year)"), null=True, blank=True, validators=[MaxValueValidator(2200)]
    )
    used_until = models.PositiveSmallIntegerField(
        _("used until (year)"), null=True, blank=True, validators=[MaxValueValidator(2200)]
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    objects = CityNameManager()

    class Meta:
        ordering = ["city", "kind", "used_until", "name", "id"]
        verbose_name = _("former name or alias")
        verbose_name_plural = _("former names and aliases")
        constraints = [
            models.UniqueConstraint(fields=["city", "name", "kind"], name="cityname_unique_per_city"),
            rule(
                "cityname_years_in_order",
                Q(used_from__isnull=True) | Q(used_until__isnull=True) | Q(used_until__gte=F("used_from")),
                _("“Used until” cannot be before “used from”."),
                "used_until",
            ),
        ]

    def __str__(self):
        if self.used_from or self.used_until:
            return f"{self.name} ({self.used_from or ''}–{self.used_until or ''})"
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.city.refresh_search_text()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.city.refresh_search_text()
        return result

    def natural_key(self):
        return (self.name, self.kind, *self.city.natural_key())

    natural_key.dependencies = ["registry.city"]


# --------------------------------------------------------------------------- people


class Organization(SourcedModel):
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
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, blank=True)

    class Meta:
        ordering = ["name_en", "slug"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """Name in the active language."""
        return localized(self, "name")


class Person(SourcedModel):
    """A named person. Someone the source does not name is recorded as a role instead."""

    name_en = models.CharField(_("name (English)"), max_length=200, help_text=_("Romanized name as in the source."))
    name_ko = models.CharField(_("name (Korean)"), max_length=200, blank=True)
    name_native = models.CharField(_("native name"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, blank=True)

    class Meta:
        ordering = ["name_en", "slug"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """Name in the active language."""
        return localized(self, "name")


# --------------------------------------------------------------------------- partnerships


class PartnershipQuerySet(RegistryQuerySet):
    """Reusable filters for partnerships."""

    published = PublishableQuerySet.published
    visible_to = PublishableQuerySet.visible_to

    def in_force_on(self, day: datetime.date) -> PartnershipQuerySet:
        """Partnerships in force on ``day``: established on or before it and not ended by it.

        A date known only to the year counts from 1 January of that year (and one known to
        the month from the first of the month), because that is how it is stored. A
        partnership that ended on ``day`` is no longer in force on ``day``. Suspended
        partnerships have not ended and so are in force.
        """
        return self.filter(Q(established_on__lte=day), Q(ended_on__isnull=True) | Q(ended_on__gt=day))

    def involving(self, city: City) -> PartnershipQuerySet:
        """Partnerships in which ``city`` is either side."""
        return self.filter(Q(city=city) | Q(partner=city))

    def for_country(self, *codes: str) -> PartnershipQuerySet:
        """Partnerships whose partner city is in any of the ISO alpha-2 ``codes``."""
        return self.filter(partner__country__in=[code.upper() for code in codes])


class PartnershipManager(models.Manager.from_queryset(PartnershipQuerySet)):
    def get_by_natural_key(self, city_slug, partner_slug, kind, established_on):
        return self.get(city__slug=city_slug, partner__slug=partner_slug, kind=kind, established_on=established_on)


class Partnership(RegistryModel):
    """A sister city or friendship city relation between two cities.

    An upgrade (friendship → sister city) ends one partnership and starts another, so
    history stays true. At most one partnership per pair of cities may be open (not
    ended) at a time, whichever city is named first.
    """

    class Kind(models.TextChoices):
        SISTER = "sister", _("sister city")
        FRIENDSHIP = "friendship", _("friendship city")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        ENDED = "ended", _("ended")

    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="partnerships", verbose_name=_("city"), help_text=_("Home side.")
    )
    partner = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="partnerships_as_partner", verbose_name=_("partner city")
    )
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=Kind.choices,
        help_text=_("A “friendly cooperation city” is a friendship city."),
    )
    established_on = models.DateField(
        _("established on"), help_text=_("For a year- or month-only date, the first day of that period.")
    )
    established_precision = models.CharField(
        _("precision of the date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ended_precision = models.CharField(
        _("precision of the end date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    status_reason = models.TextField(
        _("reason for the status"), max_length=TEXT_MAX, blank=True, help_text=_("Why it was suspended or ended.")
    )
    fields = models.ManyToManyField(
        CooperationField, blank=True, related_name="partnerships", verbose_name=_("cooperation fields")
    )
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices, default=Confidence.HIGH)
    publication = publication_field()
    notes = models.TextField(
        _("notes"), max_length=TEXT_MAX, blank=True, help_text=_("Including conflicts between sources.")
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="partnership_records", verbose_name=_("sources"))

    objects = PartnershipManager()

    class Meta:
        ordering = ["established_on", "id"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            rule(
                "partnership_not_with_itself",
                ~Q(city=F("partner")),
                _("A city cannot be its own partner."),
                "partner",
            ),
            rule(
                "partnership_ends_after_start",
                Q(ended_on__isnull=True) | Q(ended_on__gte=F("established_on")),
                _("A partnership cannot end before it was established."),
                "ended_on",
            ),
            rule(
                "partnership_ended_has_date",
                Q(status="ended", ended_on__isnull=False) | (~Q(status="ended") & Q(ended_on__isnull=True)),
                _("An ended partnership needs an end date, and only an ended one has one."),
                "ended_on",
            ),
            unique(
                "partnership_one_open_per_pair",
                Least("city", "partner"),
                Greatest("city", "partner"),
                condition=Q(ended_on__isnull=True),
                message=_("These two cities already have a partnership in force; end it before starting another."),
                field="partner",
            ),
            models.UniqueConstraint(
                fields=["city", "partner", "kind", "established_on"], name="partnership_natural_key"
            ),
        ]
        indexes = [
            models.Index(fields=["established_on", "ended_on"], name="partnership_dates_idx"),
            models.Index(fields=["kind", "status"], name="partnership_kind_status_idx"),
            models.Index(fields=["publication", "established_on", "id"], name="partnership_list_idx"),
        ]

    def __str__(self):
        return _("%(city)s – %(partner)s (%(kind)s)") % {
            "city": self.city,
            "partner": self.partner,
            "kind": self.get_kind_display(),
        }

    def get_absolute_url(self):
        return self.partner.get_absolute_url()

    def natural_key(self):
        return (self.city.slug, self.partner.slug, self.kind, self.established_on.isoformat())

    natural_key.dependencies = ["registry.city"]

    def clean(self):
        self.established_on = truncate_to_precision(self.established_on, self.established_precision)
        self.ended_on = truncate_to_precision(self.ended_on, self.ended_precision)
        if self.city_id and self.partner_id and self.partner.slug == settings.REGISTRY_HOME_CITY:
            # The home city is always the first city, so every list, filter and page that
            # looks at "the partner" sees the other city.
            self.city, self.partner = self.partner, self.city
        if self.city_id and self.partner_id and self.established_on:
            same_pair = Partnership.objects.filter(
                Q(city=self.city_id, partner=self.partner_id) | Q(city=self.partner_id, partner=self.city_id)
            ).exclude(pk=self.pk)
            if self.ended_on is None:
                # Two open ones are refused by the partnership_one_open_per_pair constraint (on
                # "partner"); here only an ended one that runs past this start can overlap.
                overlapping = same_pair.filter(ended_on__gt=self.established_on)
            else:
                overlapping = same_pair.filter(
                    Q(ended_on__isnull=True) | Q(ended_on__gt=self.established_on), established_on__lt=self.ended_on
                )
            if overlapping.exists():
                raise ValidationError(
                    {"established_on": _("These two cities already have a partnership in force in this period.")},
                    code="partnership_overlap",
                )

    def other(self, city: City) -> City:
        """The city on the other side from ``city``."""
        return self.partner if self.city_id == city.pk else self.city


# --------------------------------------------------------------------------- agreements


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
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
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

    objects = PublishableQuerySet.as_manager()

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

    def clean(self):
        self.signed_on = truncate_to_precision(self.signed_on, self.signed_precision)


class ParticipantFields(RegistryModel):
    """Abstract: someone taking part, named (person) or by role only, with organization."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("person"))
    role = models.CharField(
        _("role"),
        max_length=300,
        blank=True,
        help_text=_("Office or role, e.g. “Deputy Mayor of Almaty”; alone when the source names no person."),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("organization")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        abstract = True

    def __str__(self):
        return ", ".join(str(part) for part in (self.person, self.role, self.organization) if part)


def _person_or_role(prefix: str) -> models.CheckConstraint:
    return rule(
        f"{prefix}_person_or_role",
        Q(person__isnull=False) | ~Q(role=""),
        _("Name a person or, where the source names none, the role."),
        "role",
    )


class OrderedChildManager(models.Manager):
    """Natural key of a child row: its parent's slug and its order."""

    parent_field = ""

    def get_by_natural_key(self, order, parent_slug):
        return self.get(order=order, **{f"{self.parent_field}__slug": parent_slug})


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


# --------------------------------------------------------------------------- delegations


class Delegation(SourcedModel):
    """A group that travelled: official, citizens', trade or cultural delegation."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("official delegation")
        CITIZENS = "citizens", _("citizens' delegation")
        TRADE = "trade", _("trade delegation")
        CULTURAL = "cultural", _("cultural delegation")
        OTHER = "other", _("other")

    name_en = models.CharField(_("name (English)"), max_length=300)
    name_ko = models.CharField(_("name (Korean)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    organizer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegations_organized",
        verbose_name=_("organizer"),
    )
    leader = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegations_led",
        verbose_name=_("leader"),
    )
    travelled_with = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accompanying",
        verbose_name=_("travelled with"),
        help_text=_("The delegation this one went together with."),
    )
    purpose_en = models.TextField(_("purpose (English)"), max_length=TEXT_MAX, blank=True)
    purpose_ko = models.TextField(_("purpose (Korean)"), max_length=TEXT_MAX, blank=True)
    start_on = models.DateField(_("start"), null=True, blank=True)
    end_on = models.DateField(_("end"), null=True, blank=True)
    publication = publication_field()

    objects = PublishableQuerySet.as_manager()

    class Meta:
        ordering = ["-start_on", "slug"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        indexes = [models.Index(fields=["publication", "-start_on", "slug"], name="delegation_list_idx")]
        constraints = [
            rule(
                "delegation_ends_after_start",
                Q(start_on__isnull=True) | Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                _("A delegation cannot end before it starts."),
                "end_on",
            ),
            rule(
                "delegation_not_with_itself",
                Q(travelled_with__isnull=True) | ~Q(travelled_with=F("id")),
                _("A delegation cannot travel with itself."),
                "travelled_with",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """Name in the active language."""
        return localized(self, "name")

    @property
    def purpose(self) -> str:
        """Purpose in the active language."""
        return localized(self, "purpose")


class DelegationMemberManager(OrderedChildManager):
    parent_field = "delegation"


class DelegationMember(ParticipantFields):
    """A member of a delegation: a person, or a role such as “business people”."""

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="members", verbose_name=_("delegation")
    )

    objects = DelegationMemberManager()

    class Meta:
        ordering = ["delegation", "order", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            _person_or_role("delegationmember"),
            models.UniqueConstraint(fields=["delegation", "order"], name="delegationmember_order_unique"),
        ]

    def natural_key(self):
        return (self.order, self.delegation.slug)

    natural_key.dependencies = ["registry.delegation", "registry.person", "registry.organization"]


class ItineraryStop(RegistryModel):
    """One stop of a delegation's itinerary, in order."""

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="itinerary", verbose_name=_("delegation")
    )
    order = models.PositiveSmallIntegerField(_("order"), help_text=_("1 for the first stop."))
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="itinerary_stops", verbose_name=_("city"))
    arrive_on = models.DateField(_("arrival"), null=True, blank=True)
    depart_on = models.DateField(_("departure"), null=True, blank=True)
    purpose_en = models.TextField(_("purpose (English)"), max_length=TEXT_MAX, blank=True)
    purpose_ko = models.TextField(_("purpose (Korean)"), max_length=TEXT_MAX, blank=True)

    objects = DelegationMemberManager()

    class Meta:
        ordering = ["delegation", "order"]
        verbose_name = _("itinerary stop")
        verbose_name_plural = _("itinerary")
        constraints = [
            models.UniqueConstraint(
                fields=["delegation", "order"],
                name="itinerarystop_order_unique",
                violation_error_message=_("Each stop of a delegation needs its own order number."),
            ),
            rule(
                "itinerarystop_departs_after_arrival",
                Q(arrive_on__isnull=True) | Q(depart_on__isnull=True) | Q(depart_on__gte=F("arrive_on")),
                _("Departure cannot be before arrival."),
                "depart_on",
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.city}"

    def natural_key(self):
        return (self.order, self.delegation.slug)

    natural_key.dependencies = ["registry.delegation", "registry.city"]

    @property
    def purpose(self) -> str:
        """Purpose in the active language."""
        return localized(self, "purpose")


class Outcome(RegistryModel):
    """A result a delegation reports: e.g. “more than USD 3,850,000 in export
    consultations with 65 local buyers”. ``amount`` is in ``currency`` (ISO 4217)."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("agreement signed")
        EXPORT_CONSULTATION = "export_consultation", _("export consultations")
        CONTRACT = "contract", _("contracts")
        INVESTMENT = "investment", _("investment")
        PROMOTION = "promotion", _("promotion")
        EXCHANGE = "exchange", _("exchange")
        OTHER = "other", _("other")

    class Qualifier(models.TextChoices):
        EXACT = "exact", _("exactly")
        MORE_THAN = "more_than", _("more than")
        AT_LEAST = "at_least", _("at least")
        ABOUT = "about", _("about")
        UP_TO = "up_to", _("up to")
        LESS_THAN = "less_than", _("less than")

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("delegation")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    description_en = models.TextField(_("description (English)"), max_length=TEXT_MAX)
    description_ko = models.TextField(_("description (Korean)"), max_length=TEXT_MAX, blank=True)
    amount = models.DecimalField(
        _("amount"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Money amount in the currency below; not negative."),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        validators=[validate_currency],
        help_text=_("ISO 4217 code, e.g. USD."),
    )
    amount_qualifier = models.CharField(
        _("qualifier"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT
    )
    count = models.PositiveIntegerField(_("count"), null=True, blank=True, help_text=_("e.g. 65 (local buyers)."))
    count_unit = models.CharField(
        _("unit of the count"), max_length=100, blank=True, help_text=_("e.g. “local buyers”.")
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outcomes",
        verbose_name=_("agreement"),
    )

    objects = DelegationMemberManager()

    class Meta:
        ordering = ["delegation", "order", "id"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(fields=["delegation", "order"], name="outcome_order_unique"),
            rule(
                "outcome_amount_not_negative",
                Q(amount__isnull=True) | Q(amount__gte=0),
                _("An amount cannot be negative."),
                "amount",
            ),
            rule(
                "outcome_amount_has_currency",
                Q(amount__isnull=True, currency="")
                | (Q(amount__isnull=False) & Q(currency__length=3, currency__gte="AAA", currency__lte="ZZZ")),
                _("An amount needs an ISO 4217 currency code (three capital letters), and a currency needs an amount."),
                "currency",
            ),
        ]

    def __str__(self):
        return self.description

    def natural_key(self):
        return (self.order, self.delegation.slug)

    natural_key.dependencies = ["registry.delegation", "registry.agreement"]

    @property
    def description(self) -> str:
        """Description in the active language."""
        return localized(self, "description")


# --------------------------------------------------------------------------- events


class Event(SourcedModel):
    """Something that happened on a date: a signing ceremony, a visit, an anniversary."""

    class Kind(models.TextChoices):
        SIGNING_CEREMONY = "signing_ceremony", _("signing ceremony")
        ANNIVERSARY = "anniversary", _("anniversary")
        OFFICIAL_VISIT = "official_visit", _("official visit")
        CAMPAIGN_STOP = "campaign_stop", _("campaign stop")
        BUSINESS_MEETING = "business_meeting", _("business meeting")
        EXPORT_CONSULTATION = "export_consultation", _("export consultation")
        PROMOTION = "promotion", _("promotion")
        ANNOUNCEMENT = "announcement", _("announcement")
        OTHER = "other", _("other")

    title_en = models.CharField(_("title (English)"), max_length=300)
    title_ko = models.CharField(_("title (Korean)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    start_on = models.DateField(_("start"))
    start_precision = models.CharField(
        _("precision of the date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    end_on = models.DateField(_("end"), null=True, blank=True)
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, null=True, blank=True, related_name="events", verbose_name=_("city")
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("partnership"),
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="events", verbose_name=_("agreement")
    )
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("delegation"),
    )
    summary_en = models.TextField(_("summary (English)"), max_length=TEXT_MAX, blank=True)
    summary_ko = models.TextField(_("summary (Korean)"), max_length=TEXT_MAX, blank=True)
    publication = publication_field()

    objects = PublishableQuerySet.as_manager()

    class Meta:
        ordering = ["-start_on", "slug"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            rule(
                "event_ends_after_start",
                Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                _("An event cannot end before it starts."),
                "end_on",
            ),
        ]
        indexes = [
            models.Index(fields=["publication", "-start_on", "slug"], name="event_list_idx"),
            models.Index(fields=["start_on"], name="event_start_idx"),
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

    def clean(self):
        self.start_on = truncate_to_precision(self.start_on, self.start_precision)


class EventParticipantManager(OrderedChildManager):
    parent_field = "event"


class EventParticipant(ParticipantFields):
    """Someone who took part in an event (a person, or a role or group)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants", verbose_name=_("event"))

    objects = EventParticipantManager()

    class Meta:
        ordering = ["event", "order", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            _person_or_role("eventparticipant"),
            models.UniqueConstraint(fields=["event", "order"], name="eventparticipant_order_unique"),
        ]

    def natural_key(self):
        return (self.order, self.event.slug)

    natural_key.dependencies = ["registry.event", "registry.person", "registry.organization"]


def home_city() -> City | None:
    """The City named by ``settings.REGISTRY_HOME_CITY`` (a slug), or ``None`` if absent."""
    return City.objects.filter(slug=settings.REGISTRY_HOME_CITY).first()
