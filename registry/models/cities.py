"""Cities (and sub-national governments) with their former names and aliases."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Count, F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .. import regions, subdivisions, text
from ..dates import LATEST
from ..paths import record_path
from ..text import localized_language
from .base import (
    Confidence,
    CountryQuerySetMixin,
    RegistryModel,
    RemarksModel,
    SluggedQuerySet,
    referenced_by_public,
    rule,
    staff_notes_field,
    unique,
)
from .choices import country_names
from .search import WordSearchMixin
from .slugs import slug_rule
from .sources import SourcedModel

if TYPE_CHECKING:
    from .partnership_queries import PartnershipQuerySet

# --------------------------------------------------------------------------- cities


def has_name_line(folded: str) -> Q:
    """A city one of whose names is ``folded`` (already :func:`registry.text.fold`-ed): one whole
    line of its ``search_text``, which holds one folded name per line."""
    return (
        Q(search_text=folded)
        | Q(search_text__startswith=f"{folded}\n")
        | Q(search_text__endswith=f"\n{folded}")
        | Q(search_text__contains=f"\n{folded}\n")
    )


class CityQuerySet(CountryQuerySetMixin, WordSearchMixin, SluggedQuerySet):
    """Reusable filters for cities.

    A city is public (:meth:`public`) when it is the home city or something public refers to
    it: a published partnership (either side), agreement (place of signing), event, delegation
    (a stop of its itinerary), or a public organization based there. A prospective partner
    whose only partnership is a draft appears on no public surface.
    """

    def public(self) -> CityQuerySet:
        """Cities anyone may see (see the class docstring)."""
        return self.filter(
            Q(slug=settings.REGISTRY_HOME_CITY)
            | referenced_by_public(
                ("Partnership", "city"),
                ("Partnership", "partner"),
                ("Agreement", "place"),
                ("Event", "city"),
                ("Delegation", "itinerary__city"),
                ("Organization", "city"),
            )
        )

    def for_country(self, *codes: str) -> CityQuerySet:
        """Cities in any of the ISO 3166-1 alpha-2 ``codes`` (any case)."""
        return self.filter(country__in=[code.upper() for code in codes])

    def country_sets(self) -> Counter[frozenset[str]]:
        """How many of these cities are in each country (:meth:`for_country`: a city's own),
        keyed by the one-country set: one query grouped by country."""
        rows = self.order_by().values_list("country").annotate(count=Count("pk"))
        return Counter({frozenset({country}): count for country, count in rows})

    def search_condition(self, query: str) -> Q | None:
        """The condition (``Q``) of cities whose English, Korean, native, former names or
        aliases contain every word of ``query`` (:meth:`WordSearchMixin.search`, ``None`` for a
        query without words), ignoring case and accents, in any script: each word matches the
        folded ``search_text`` column as typed or transliterated (:func:`registry.text.search_terms`),
        so ``Алма-Ата`` finds Almaty through its former name Alma-Ata, or as a whole word of at
        least four letters with its vowels folded (:func:`registry.text.vowel_key`), so
        ``tashkent`` finds a city stored only as Тошкент ("toshkent"); a Hangul or Han word's
        transliteration matches only at a word's start (``울란`` finds 울란바토르, not 카사블랑카,
        kasabeullangka). The same on SQLite and
        PostgreSQL (both sides are folded in Python; the database compares bytes)."""
        terms = text.search_terms(query)
        if not terms:
            return None
        every = Q()
        for forms in terms:
            condition = Q()
            for form in forms:
                if form.startswith(" "):  # only at the start of a word: of the text, a line, after a space
                    word = form[1:]
                    condition |= Q(search_text__startswith=word) | Q(search_text__contains=f"\n{word}")
                    condition |= Q(search_text__contains=form)
                else:
                    condition |= Q(search_text__contains=form)
            every &= condition
        return every

    def ranked(self, query: str) -> CityQuerySet:
        """These cities, those with a name (a line of the folded ``search_text``, see
        :meth:`named`) that is ``query`` once folded first, then those with a name starting with
        it, then the others, each group in the default order (name, slug): what a picker typed
        into shows first (``osh`` lists Osh before Kaohsiung, found by its alias Kaoshiung)."""
        folded = text.fold(query)
        if not folded:
            return self
        is_name = has_name_line(folded)
        starts_a_name = Q(search_text__startswith=folded) | Q(search_text__contains=f"\n{folded}")
        rank = models.Case(
            models.When(is_name, then=0),
            models.When(starts_a_name, then=1),
            default=2,
            output_field=models.IntegerField(),
        )
        return self.alias(search_rank=rank).order_by("search_rank", *self.model._meta.ordering)

    def named(self, name: str, country: str) -> CityQuerySet:
        """Cities in ``country`` (ISO alpha-2) one of whose names (English, Korean, native,
        former names and aliases: a line of the folded ``search_text``) is ``name`` once folded
        (:func:`registry.text.fold`): "Tashkent", "TASHKENT" and "Taškent" find Tashkent, UZ."""
        folded = text.fold(name)
        if not folded:
            return self.none()
        return self.filter(country=str(country).upper()).filter(has_name_line(folded))

    def possible_duplicate_ids(self) -> set[int]:
        """Ids of the cities sharing a folded name (a line of ``search_text``, see :meth:`named`;
        not its vowel-folded keys, which are for search only) with another city of the same
        country. One query, whatever the number of cities."""
        seen: dict[tuple[str, str], int] = {}
        found: set[int] = set()
        for pk, country, lines in self.order_by().values_list("pk", "country", "search_text").iterator():
            for line in {line for line in lines.split("\n") if not text.is_vowel_key_line(line)}:
                other = seen.setdefault((country, line), pk)
                if other != pk:
                    found.update((pk, other))
        return found

    def partners_of(self, city: City | None, partnerships: PartnershipQuerySet) -> CityQuerySet:
        """The cities on the other side from ``city`` of any of ``partnerships``, whichever side
        each names it on; with ``city`` ``None``, the cities on either side of any of them.

        Two uncorrelated ``IN`` subqueries: each runs once, whatever the number of cities.
        Narrowing ``partnerships`` only ever narrows the result.
        """
        if city is not None:
            named_as_partner = partnerships.filter(city=city).values("partner_id")
            named_as_city = partnerships.filter(partner=city).values("city_id")
        else:
            named_as_partner = partnerships.values("partner_id")
            named_as_city = partnerships.values("city_id")
        return self.filter(Q(pk__in=named_as_partner) | Q(pk__in=named_as_city))


class City(RemarksModel, SourcedModel):
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
    name_native_language = models.CharField(
        _("language of the native name"),
        max_length=35,
        blank=True,
        validators=[
            RegexValidator(
                r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$",
                _("A BCP 47 language tag such as ja, zh-Hant, kk or pt-BR."),
            )
        ],
        help_text=_(
            "BCP 47 language tag of the native name (ja, zh-Hans, zh-Hant, ru, kk, ...); “mul” when the name "
            "gives several languages (Auckland / Tāmaki Makaurau). Pages mark the name with it; empty: “und”."
        ),
    )
    country = CountryField(_("country"), help_text=_("ISO 3166-1 alpha-2 country code."))
    admin_level = models.CharField(
        _("administrative level"), max_length=32, choices=AdminLevel.choices, default=AdminLevel.CITY
    )
    subdivision = models.CharField(
        _("first-level subdivision"),
        max_length=6,
        blank=True,
        help_text=_(
            "ISO 3166-2 code of the province, state or metropolitan city the city belongs to (a metropolitan "
            "city is its own), e.g. KR-26 Busan, KR-41 Gyeonggi. For the countries whose ISO 3166-2 list the "
            "registry holds, only a code of that list is accepted."
        ),
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
        validators=[MinValueValidator(1000), MaxValueValidator(LATEST.year)],
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
    notes = staff_notes_field()
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
            slug_rule("city"),
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
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def before_write(self) -> None:
        """A new version (:meth:`RegistryModel.before_write`) and the folded names of ``search_text``."""
        super().before_write()
        self.search_text = self.build_search_text()

    def clean(self):
        """The subdivision is a code of the city's country (:func:`registry.subdivisions.validate`)."""
        super().clean()
        if self.subdivision and self.country:
            try:
                subdivisions.validate(self.subdivision, self.country.code)
            except ValidationError as error:
                raise ValidationError({"subdivision": error}) from None

    def get_absolute_url(self):
        return record_path("registry:city-detail", slug=self.slug)

    def get_country_url(self) -> str:
        """The page of the city's country (``/countries/kz/``), by :func:`~registry.paths.record_path`
        as every record's page: the cities list links one per row, where ``{% url %}`` resolved
        the URLconf again for each."""
        return record_path("registry:country-detail", code=self.country.code.lower())

    @property
    def subdivision_name(self) -> str:
        """The ISO short name of :attr:`subdivision` in the active language (``Busan-gwangyeoksi``,
        ``부산광역시`` on Korean pages), else the code itself."""
        listed = subdivisions.get(self.subdivision)
        return listed.localized_name if listed else self.subdivision

    @property
    def name(self) -> str:
        """Name in the active language (Korean where known, else English)."""
        return text.localized(self, "name")

    @property
    def name_and_country(self) -> str:
        """:attr:`name` and the country's name, both in the active language: ``Almaty, Kazakhstan``,
        ``알마티, 카자흐스탄`` (the duplicate warnings said ``Almaty, KZ`` on the Korean admin too;
        new-user probe)."""
        return f"{self.name}, {self.country_name}" if self.country else self.name

    @property
    def country_name(self) -> str:
        """The country's name in the active language (``Kazakhstan``, ``카자흐스탄``), as
        ``country.name`` gives it, from the names read once per language
        (:func:`~registry.models.choices.country_names`): the pages name a city's country on each row."""
        return country_names(get_language()).get(self.country.code, "")

    @property
    def name_language(self) -> str:
        """BCP 47 tag of :attr:`name`: ``ko`` for the Korean name, ``en`` for the English one
        (also the fallback on Korean pages when no Korean name is known)."""
        return localized_language(self, "name")

    @property
    def native_language(self) -> str:
        """BCP 47 tag of ``name_native``; ``und`` (undetermined) when not recorded."""
        return self.name_native_language or "und"

    @property
    def region(self) -> regions.Region | None:
        """UN M49 region of the country (e.g. Asia)."""
        return regions.region_of(self.country.code)

    @property
    def subregion(self) -> regions.Region | None:
        """UN M49 sub-region of the country (e.g. Central Asia)."""
        return regions.subregion_of(self.country.code)

    def build_search_text(self, names: list[str] | None = None) -> str:
        """English, Korean and native names, slug, former names and aliases, each folded and
        transliterated (:func:`registry.text.search_text`), one per line. ``names`` overrides the
        former names/aliases read from the database (or from ``prefetch_related("names")``, as an
        import of many cities does)."""
        if names is None:
            names = [former.name for former in self.names.all()] if self.pk else []
        return text.search_text([self.name_en, self.name_ko, self.name_native, self.slug, *names])

    def refresh_search_text(self) -> None:
        """Recompute ``search_text`` after its former names or aliases changed, from the city and
        its names as stored now: in one transaction, the city's row locked (PostgreSQL; SQLite's
        writers take turns), read with its names, then one UPDATE. It was built from this
        instance's names, which may be older than the row: an alias added through a city read
        before an import renamed it dropped the new name from the search (helper-91)."""
        with transaction.atomic():
            fields = ("name_en", "name_ko", "name_native", "slug")
            stored = City.objects.select_for_update().only(*fields).get(pk=self.pk)
            names = list(CityName.objects.filter(city_id=self.pk).values_list("name", flat=True))
            City.objects.filter(pk=self.pk).update(search_text=stored.build_search_text(names))


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
    # Years of the Common Era up to the registry's last (:data:`registry.dates.LATEST`): a former
    # name may be centuries older than the registry's first date (Constantinople, used from 330).
    used_from = models.PositiveSmallIntegerField(
        _("used from (year)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(LATEST.year)]
    )
    used_until = models.PositiveSmallIntegerField(
        _("used until (year)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(LATEST.year)]
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


def home_city() -> City | None:
    """The City named by ``settings.REGISTRY_HOME_CITY`` (a slug), or ``None`` if absent."""
    return City.objects.filter(slug=settings.REGISTRY_HOME_CITY).first()
