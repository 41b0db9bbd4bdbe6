"""Partnerships (sister city, friendship city) and the cooperation fields they name."""

from __future__ import annotations

import copy
import datetime
from collections import defaultdict
from collections.abc import Collection

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.db.models import Count, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest, Least
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..dates import add_years, validate_in_range, validate_not_in_future
from ..text import localized, localized_language
from .base import (
    TEXT_MAX,
    Confidence,
    CountryQuerySetMixin,
    DatePrecision,
    PublishableMixin,
    ReferencedByManyMixin,
    RegistryModel,
    RegistryQuerySet,
    RemarksModel,
    SluggedModel,
    SluggedQuerySet,
    WordSearchMixin,
    publication_field,
    rule,
    staff_notes_field,
    truncate_to_precision,
    unique,
)
from .cities import City
from .sources import Source
from .stages import PartnershipStage

# --------------------------------------------------------------------------- reference


class CooperationFieldQuerySet(WordSearchMixin, SluggedQuerySet):
    """Cooperation fields; every one is public."""

    search_fields = ("name_en", "name_ko", "slug")


class CooperationField(ReferencedByManyMixin, SluggedModel):
    """A field of cooperation named in agreements: economy, culture, tourism, ..."""

    name_en = models.CharField(_("name (English)"), max_length=100, unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=100, blank=True)

    objects = CooperationFieldQuerySet.as_manager()

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


# --------------------------------------------------------------------------- partnerships


class PartnershipQuerySet(CountryQuerySetMixin, PublishableMixin, RegistryQuerySet):
    """Reusable filters for partnerships; drafts are visible only to staff (:meth:`visible_to`)."""

    def signed(self) -> PartnershipQuerySet:
        """Partnerships that reached signature (an ``established_on`` date): every status but
        ``proposed``. A relation that stopped at a letter of intent (Busan–Hokkaido, 2005) is
        left out of every count, anniversary, timeline and export of established dates."""
        return self.filter(established_on__isnull=False)

    def in_force_on(self, day: datetime.date) -> PartnershipQuerySet:
        """Partnerships in force on ``day``: the counting rule, used by pages, API, exports and counts.

        In force means: signed (``established_on``) on or before ``day``, not ended by it, and
        not suspended on it. A relation never signed (status ``proposed``, no established date)
        is never in force (:meth:`signed`). A date known only to the year counts from 1 January of that year
        (and one known to the month from the first of the month), because that is how it is
        stored. A partnership that ended on ``day`` is no longer in force on ``day``; an upgrade
        ends the friendship partnership on the day its sister city successor is established,
        so the pair counts once on every date. A suspension counts from its date until the
        resume date: the partnership is out of force when its latest ``suspended`` or
        ``resumed`` stage on or before ``day`` is a suspension (on the resume date it is back
        in force). A letter of intent or a council approval alone never counts: they are
        stages, not the signature. One SQL query: the partnerships suspended on ``day`` are a
        subquery over the (few) pause stages, run once, rather than a lookup per partnership,
        which cost 330 ms at 100,000 partnerships on PostgreSQL.
        """
        return self.filter(self.in_force_condition(day))

    @staticmethod
    def in_force_condition(day: datetime.date, *, pauses: bool = True) -> Q:
        """The condition of :meth:`in_force_on` as a ``Q`` on a partnership's fields, for a
        filtered aggregate (``Count("id", filter=...)``) that counts several dates in one query.

        ``pauses=False`` leaves out the suspension term, for a caller that knows that none of
        the partnerships it counts has a suspended or resumed stage on or before ``day`` (the
        term would match none of them, and it is most of the cost of building the query)."""
        condition = Q(established_on__isnull=False, established_on__lte=day) & (
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )
        if not pauses:
            return condition
        pauses = PartnershipStage.objects.filter(
            kind__in=[PartnershipStage.Kind.SUSPENDED, PartnershipStage.Kind.RESUMED], on__lte=day
        )
        # A pause is the latest when no pause of the same partnership comes after it (by date,
        # then by id for two on one day).
        later = pauses.filter(partnership=OuterRef("partnership")).filter(
            Q(on__gt=OuterRef("on")) | Q(on=OuterRef("on"), pk__gt=OuterRef("pk"))
        )
        suspended = pauses.filter(~Exists(later), kind=PartnershipStage.Kind.SUSPENDED).values("partnership")
        return condition & ~Q(pk__in=suspended)

    #: The fields a city's table cell reads of each partnership it shows (``attach_to_cities``):
    #: the rest (remarks, both cities' other columns) tripled the time to read the rows.
    CELL_FIELDS = (
        *("kind", "status", "established_on", "established_precision", "city_id", "partner_id"),
        *(f"{side}__{name}" for side in ("city", "partner") for name in ("slug", "name_en", "name_ko")),
    )

    def attach_to_cities(self, cities: list[City], *, limit: int) -> None:
        """Give each of ``cities`` (saved :class:`City` instances, e.g. a page of a list) the
        partnerships of this queryset in which it is either side, bounded for a table cell:
        ``partnerships_shown``, the first ``limit`` in the model's order (establishment date,
        then id), each with ``with_city`` (the city on the other side), and
        ``partnership_count``, how many there are in all (``int``).

        Two queries, whatever the number of cities and of their partnerships. The first asks,
        for each city, the ids of its first ``limit`` partnerships on each side (one scalar
        subquery per place, ``LIMIT 1 OFFSET n``) and its count on each side: with the indexes
        ``partnership_city_order_idx`` and ``partnership_partner_order_idx`` each is a short
        walk of an index, where ranking every partnership of the page's cities (window
        functions) took 70–140 ms for 200 municipalities with 50,000 partnerships on SQLite.
        The second reads those rows with both cities (only :attr:`CELL_FIELDS`: a cell that
        reads another field costs a query per partnership); the first ``limit`` of the (at most
        ``2 × limit``) candidates of a city, in order, are its first ``limit`` on either side.
        An export lists every one of them: :meth:`of_each_city`."""
        if not cities:
            return
        ordering = self.model._meta.ordering  # establishment date (undated last), then id
        mine = self.order_by()
        firsts, totals = {}, {}  # annotation name -> subquery correlated on the city
        for side in ("city", "partner"):
            of_city = mine.filter(**{side: OuterRef("pk")})
            first = of_city.order_by(*ordering).values("pk")
            firsts.update({f"{side}_{place}": Subquery(first[place : place + 1]) for place in range(limit)})
            totals[f"{side}_count"] = Coalesce(Subquery(of_city.values(side).annotate(n=Count("pk")).values("n")), 0)
        rows = City.objects.filter(pk__in=[city.pk for city in cities]).order_by().annotate(**firsts, **totals)
        candidates, counts = {}, {}
        for pk, *values in rows.values_list("pk", *firsts, *totals):
            candidates[pk] = set(values[: len(firsts)]) - {None}
            counts[pk] = sum(values[len(firsts) :])
        chosen = Partnership.objects.filter(pk__in=set().union(*candidates.values()))
        in_order = list(chosen.select_related("city", "partner").only(*self.CELL_FIELDS).order_by(*ordering))
        rank = {partnership.pk: place for place, partnership in enumerate(in_order)}
        given = set()
        for city in cities:
            city.partnerships_shown = []
            for place in sorted(rank[pk] for pk in candidates[city.pk])[:limit]:
                partnership = in_order[place]
                # A partnership between two cities of the page names the other city in each row.
                if partnership.pk in given:
                    partnership = copy.copy(partnership)
                given.add(partnership.pk)
                partnership.with_city = partnership.other(city)
                city.partnerships_shown.append(partnership)
            city.partnership_count = counts[city.pk]

    def with_last_activity(self, user, *, on: datetime.date | None = None) -> PartnershipQuerySet:
        """Annotate ``last_activity`` (a date) and ``dormant`` (a boolean), computed in the database.

        ``last_activity`` is the latest of the partnership's establishment and each term of
        :func:`activity_terms` that ``user`` may see (events of the partnership by start,
        agreements of it by signing, delegations by their stop in the partner city, stages of it
        by date): one correlated subquery per term, no query per row. ``dormant``: not ended,
        and no activity for ``settings.REGISTRY_DORMANT_YEARS`` years before ``on`` (today by
        default), i.e. ``last_activity`` earlier than that many years before ``on``. Idempotent.

        A relation never signed counts from its latest stage (its letter of intent) instead of
        its establishment, and is never dormant (it is not in force to fall silent).
        """
        if "last_activity" in self.query.annotations:
            return self
        latest_stage = PartnershipStage.objects.filter(partnership=OuterRef("pk")).order_by("-on").values("on")[:1]
        since = Coalesce(F("established_on"), Subquery(latest_stage))
        latest = Greatest(since, *(Coalesce(term, since) for term in activity_terms(user)))
        cutoff = add_years(on or timezone.localdate(), -settings.REGISTRY_DORMANT_YEARS)
        return self.annotate(last_activity=latest).annotate(
            dormant=ExpressionWrapper(
                Q(ended_on__isnull=True, established_on__isnull=False, last_activity__lt=cutoff),
                output_field=models.BooleanField(),
            )
        )

    def involving(self, *cities: City | int) -> PartnershipQuerySet:
        """Partnerships in which any of ``cities`` (instances or primary keys) is either side."""
        return self.filter(Q(city__in=cities) | Q(partner__in=cities))

    def of_each_city(self, cities: Collection[int], *fields: str) -> dict[int, list[tuple]]:
        """For each of ``cities`` (primary keys), every partnership of this queryset in which it is
        either side (:meth:`involving`), as :meth:`attach_to_cities` gives a page's cell its first
        ones but read as plain values, for an export: in the model's order (establishment date,
        then id), each a tuple of the slug of the city on the other side (the cell's
        ``with_city``) and the partnership's ``fields``. A partnership between two of ``cities``
        is in the lists of both, each naming the other. One query for any number of cities."""
        wanted = set(cities)
        found: dict[int, list[tuple]] = defaultdict(list)
        rows = self.involving(*wanted).order_by(*self.model._meta.ordering)
        for city, partner, city_slug, partner_slug, *values in rows.values_list(
            "city_id", "partner_id", "city__slug", "partner__slug", *fields
        ).iterator():
            if city in wanted:
                found[city].append((partner_slug, *values))
            if partner in wanted:
                found[partner].append((city_slug, *values))
        return found

    def for_country(self, *codes: str) -> PartnershipQuerySet:
        """Partnerships whose partner city is in any of the ISO alpha-2 ``codes``."""
        return self.filter(partner__country__in=[code.upper() for code in codes])

    def search(self, query: str) -> PartnershipQuerySet:
        """Partnerships whose partner city's names match ``query`` (:meth:`CityQuerySet.search`)."""
        return self.filter(partner__in=City.objects.search(query))


def activity_terms(user) -> list[Subquery]:
    """The dates that count as a partnership's activity, as subqueries correlated on the
    partnership (``OuterRef("pk")``), each reading only the records ``user`` may see
    (``visible_to``): the latest event about it, agreement of it, delegation stop in its
    partner city and stage of it (renewed, suspended, resumed, …; a stage is visible with its
    partnership, which the outer query has already filtered). A new kind of activity is one
    more entry here."""
    from .agreements import Agreement
    from .delegations import Delegation, ItineraryStop
    from .events import Event

    def latest(queryset, date_field: str) -> Subquery:
        return Subquery(
            queryset.exclude(**{f"{date_field}__isnull": True}).order_by(f"-{date_field}").values(date_field)[:1]
        )

    return [
        latest(Event.objects.visible_to(user).filter(partnership=OuterRef("pk")), "start_on"),
        latest(Agreement.objects.visible_to(user).filter(partnership=OuterRef("pk")), "signed_on"),
        latest(
            ItineraryStop.objects.filter(
                city=OuterRef("partner"), delegation__in=Delegation.objects.visible_to(user).values("pk")
            ).annotate(on=Coalesce("arrive_on", "delegation__start_on")),
            "on",
        ),
        latest(PartnershipStage.objects.filter(partnership=OuterRef("pk")), "on"),
    ]


class PartnershipManager(models.Manager.from_queryset(PartnershipQuerySet)):
    def get_by_natural_key(self, city_slug, partner_slug, kind, established_on):
        return self.get(city__slug=city_slug, partner__slug=partner_slug, kind=kind, established_on=established_on)


class Partnership(RemarksModel, RegistryModel):
    """A sister city or friendship city relation between two cities.

    An upgrade (friendship → sister city) ends one partnership and starts another, so
    history stays true. At most one partnership per pair of cities may be open (not
    ended) at a time, whichever city is named first.
    """

    class Kind(models.TextChoices):
        SISTER = "sister", _("sister city")
        FRIENDSHIP = "friendship", _("friendship city")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("letter of intent, not signed")
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
        _("established on"),
        null=True,
        blank=True,
        help_text=_(
            "The signature. For a year- or month-only date, the first day of that period. Empty only for "
            "a relation not signed yet (status “letter of intent, not signed”); the action Sign sets it."
        ),
        validators=[validate_in_range, validate_not_in_future],
    )
    established_precision = models.CharField(
        _("precision of the date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(
        _("ended on"), null=True, blank=True, validators=[validate_in_range, validate_not_in_future]
    )
    ended_precision = models.CharField(
        _("precision of the end date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    status_reason = models.TextField(
        _("reason for the status"), max_length=TEXT_MAX, blank=True, help_text=_("Why it was suspended or ended.")
    )
    status_reason_ko = models.TextField(
        _("reason for the status (Korean)"),
        max_length=TEXT_MAX,
        blank=True,
        help_text=_("Shown on Korean pages; where empty, the English one is shown."),
    )
    fields = models.ManyToManyField(
        CooperationField, blank=True, related_name="partnerships", verbose_name=_("cooperation fields")
    )
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices, default=Confidence.HIGH)
    publication = publication_field()
    notes = staff_notes_field()
    sources = models.ManyToManyField(Source, blank=True, related_name="partnership_records", verbose_name=_("sources"))
    predecessor = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
        verbose_name=_("follows"),
        help_text=_("The partnership this one follows (a friendship city upgraded to a sister city); set by Upgrade."),
    )

    objects = PartnershipManager()

    # Fields of a published partnership that only an action, or a correction with a reason, may
    # change: field → the action that changes it (None: none does, only a correction). Which action
    # changes the status depends on the new status (STATUS_ACTIONS); a relation never signed gets
    # its date and status from Sign, and an ended one's end changes only as a correction.
    ACTION_FIELDS = {
        "kind": _("Upgrade"),
        "established_on": None,
        "established_precision": None,
        "status": None,
        "ended_on": _("End"),
        "ended_precision": _("End"),
    }
    STATUS_ACTIONS = {Status.SUSPENDED: _("Suspend"), Status.ACTIVE: _("Resume"), Status.ENDED: _("End")}

    class Meta:
        # Relations never signed (no date) last, on SQLite and PostgreSQL alike.
        ordering = [F("established_on").asc(nulls_last=True), "id"]
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
                "partnership_proposed_unsigned",
                Q(status="proposed", established_on__isnull=True)
                | (~Q(status="proposed") & Q(established_on__isnull=False)),
                _(
                    "A relation not signed yet (letter of intent) has no established date, and every "
                    "other status needs one."
                ),
                "established_on",
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
            # A city's first partnerships and its count on each side (attach_to_cities), from the index.
            models.Index(fields=["city", "publication", "established_on", "id"], name="partnership_city_order_idx"),
            models.Index(
                fields=["partner", "publication", "established_on", "id"], name="partnership_partner_order_idx"
            ),
            # "Data last changed" (network.data_changed_at): the latest public change from the index.
            models.Index(fields=["publication", "updated_at"], name="partnership_changed_idx"),
        ]

    def __str__(self):
        return _("%(city)s – %(partner)s (%(kind)s)") % {
            "city": self.city,
            "partner": self.partner,
            "kind": self.get_kind_display(),
        }

    def get_absolute_url(self):
        return reverse("registry:partnership-detail", kwargs={"pk": self.pk})

    def natural_key(self):
        """``(city slug, partner slug, kind, established ISO date or None)``; a relation never
        signed is the pair's only open one (``partnership_one_open_per_pair``), so ``None`` is unique."""
        established = self.established_on.isoformat() if self.established_on else None
        return (self.city.slug, self.partner.slug, self.kind, established)

    natural_key.dependencies = ["registry.city"]

    def clean(self):
        """Truncate the dates to their precision, refuse a direct change of a published
        partnership's life (kind, dates, status), and refuse an overlap with another
        partnership of the same pair (``ValidationError`` on ``established_on``).

        A published partnership's ``kind``, ``status`` and ``ended_on``/``ended_precision``
        change only through the actions (Upgrade, Sign, Suspend, Resume, End: each sets
        ``correction_reason`` to its change text) and its ``established_on``/
        ``established_precision`` only as a *correction*: the caller sets ``correction_reason``
        (a non-empty ``str``, kept as the change reason in the history); otherwise
        ``ValidationError`` (code ``partnership_use_action``) on the field, naming the action to
        use (:meth:`refuse_direct_life_edit`). Reads the stored row (one query) when the record
        exists. A date after today is refused by the fields' validator (``date_in_future``,
        :func:`registry.dates.validate_not_in_future`).

        The sides are kept as given: ``city`` is the home side the caller named
        (:func:`registry.services.create_partnership`); nothing here swaps them.
        """
        self.clean_alone()
        error = self.clean_together([self]).get(0)
        if error is not None:
            raise error

    def clean_alone(self) -> None:
        """The rules of :meth:`clean` that read no other partnership: truncate the dates to their
        precision and refuse a direct change of a published one's life (:meth:`refuse_direct_life_edit`)."""
        self.established_on = truncate_to_precision(self.established_on, self.established_precision)
        self.ended_on = truncate_to_precision(self.ended_on, self.ended_precision)
        self.refuse_direct_life_edit()

    @classmethod
    def clean_together(cls, records: list[Partnership]) -> dict[int, ValidationError]:
        """The overlap rule of :meth:`clean` for many partnerships at once: ``{index in records:
        ValidationError on established_on}`` for each that overlaps a stored partnership of the
        same pair or an earlier one in ``records``. One query per 500 cities named.

        Two periods of a pair overlap when the other one ends after this one starts and, if
        this one has ended, starts before this one's end. Two open ones are refused by the
        ``partnership_one_open_per_pair`` constraint instead (on ``partner``).

        Inside a transaction (every writer's: the admin's, the API's, :func:`registry.services.save_record`,
        an import), the cities named are locked first (:meth:`lock_cities`), so that two writers
        of one pair check one after the other and the second sees the first's partnership."""
        ids = sorted({pk for record in records for pk in (record.city_id, record.partner_id) if pk})
        cls.lock_cities(ids)
        periods: dict[frozenset, list[tuple]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            stored = cls.objects.filter(Q(city__in=chunk) | Q(partner__in=chunk)).order_by()
            for pk, city, partner, began, ended in stored.values_list(
                "pk", "city_id", "partner_id", "established_on", "ended_on"
            ):
                periods.setdefault(frozenset((city, partner)), []).append((pk, began, ended))
        periods = {pair: list({row[0]: row for row in rows}.values()) for pair, rows in periods.items()}
        errors: dict[int, ValidationError] = {}
        for index, record in enumerate(records):
            if not (record.city_id and record.partner_id and record.established_on):
                continue
            others = periods.setdefault(frozenset((record.city_id, record.partner_id)), [])
            if any(pk != record.pk and record.overlaps(began, ended) for pk, began, ended in others):
                # The code on the field's error: Django drops ``code`` given beside a dict.
                message = _("These two cities already have a partnership in force in this period.")
                errors[index] = ValidationError(
                    {"established_on": ValidationError(message, code="partnership_overlap")}
                )
            others.append((record.pk or object(), record.established_on, record.ended_on))
        return errors

    @classmethod
    def lock_cities(cls, ids: list[int]) -> None:
        """Lock the :class:`City` rows of ``ids`` (``SELECT … FOR NO KEY UPDATE``, in id order, so
        that two writers never wait for each other) until the transaction ends, where the
        database has row locks and a transaction is open; otherwise do nothing (SQLite lets one
        writer in at a time). Found by the adversarial probe: six overlapping ended partnerships
        of one pair posted at once were all stored on PostgreSQL, each checked before the others
        were written. ``NO KEY``: a lock that a new row referring to the city does not wait for."""
        connection = connections[router.db_for_write(cls)]
        if ids and connection.in_atomic_block and connection.features.has_select_for_update:
            locked = City._base_manager.using(connection.alias).select_for_update(no_key=True)
            list(locked.filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))

    def overlaps(self, began: datetime.date, ended: datetime.date | None) -> bool:
        """Whether another partnership of the same pair, from ``began`` to ``ended`` (``None``:
        open), overlaps this one (see :meth:`clean_together`)."""
        if self.ended_on is None:
            return ended is not None and ended > self.established_on
        return (ended is None or ended > self.established_on) and began < self.ended_on

    def refuse_direct_life_edit(self) -> None:
        """Raise ``ValidationError`` (code ``partnership_use_action``, on each field) if a published
        partnership's :attr:`ACTION_FIELDS` changed without ``correction_reason`` (see :meth:`clean`).

        The message names the action to use: Upgrade for the kind; Suspend, Resume or End for
        the status by its new value (:attr:`STATUS_ACTIONS`); End for the end date; Sign for the
        date and status of a relation never signed. A field no action changes (the established
        date, an ended one's end, a status no action reaches) is changed only as a correction,
        with a reason. Drafts are not checked, except that no status becomes or stops being
        suspended but by an action (:meth:`direct_suspension_error`). One query (the stored row)
        when the record exists.
        """
        stored = None
        if not self._state.adding and self.pk is not None:
            stored = Partnership.objects.filter(pk=self.pk).values("publication", *self.ACTION_FIELDS).first()
        errors = {}
        suspension = self.direct_suspension_error(stored)
        if suspension is not None:
            errors["status"] = suspension
        if stored is not None and stored["publication"] == "published" and not getattr(self, "correction_reason", ""):
            for name in self.ACTION_FIELDS:
                if stored[name] != getattr(self, name) and name not in errors:
                    errors[name] = self.use_action_error(name, stored)
        if errors:
            raise ValidationError(errors)

    def direct_suspension_error(self, stored: dict | None) -> ValidationError | None:
        """The refusal (code ``partnership_use_action``, for ``status``) when the status becomes or
        stops being ``suspended`` other than by an action (Suspend, Resume, End: they set
        ``recorded_by_action``), whatever the publication and even as a correction, else ``None``:
        whether a relation counts (:meth:`PartnershipQuerySet.in_force_on`) is read from its
        suspended and resumed stages, which only the actions record, with their dates. A new
        partnership is therefore never recorded suspended: record it, then suspend it. ``stored``
        is the stored row (``None`` for a new one). Found by the adversarial probe: a partnership
        created “suspended” had no stage and was counted in force."""
        was = stored["status"] if stored else None
        if getattr(self, "recorded_by_action", False) or (self.status == self.Status.SUSPENDED) == (
            was == self.Status.SUSPENDED
        ):
            return None
        if was == self.Status.SUSPENDED:
            message = _("A suspended partnership is resumed or ended with the action “%(action)s” or “End”.")
            action = self.STATUS_ACTIONS[self.Status.ACTIVE]
        else:
            message = _(
                "A partnership is suspended only with the action “%(action)s”, which records the date of "
                "the suspension; record it first, then suspend it."
            )
            action = self.STATUS_ACTIONS[self.Status.SUSPENDED]
        return ValidationError(message, code="partnership_use_action", params={"action": action})

    def use_action_error(self, name: str, stored: dict) -> ValidationError:
        """The refusal of a direct change of field ``name`` from its ``stored`` values (a row of
        :attr:`ACTION_FIELDS` and ``publication``), naming the action to use (see
        :meth:`refuse_direct_life_edit`)."""
        action = self.ACTION_FIELDS[name]
        if stored["status"] == self.Status.PROPOSED and name.startswith(("established", "status")):
            action = _("Sign")  # a relation never signed gets its date and status from the signature
        elif name == "status" and stored["status"] != self.Status.ENDED:
            action = self.STATUS_ACTIONS.get(self.status)
        elif name.startswith("ended") and stored["ended_on"] is not None:
            action = None  # already ended: End does not move the end
        params = {"field": self._meta.get_field(name).verbose_name, "action": action}
        if action is None:
            message = _("A published partnership's %(field)s is changed only as a correction, with a reason.")
        else:
            message = _(
                "A published partnership's %(field)s is not edited directly: use the action "
                "“%(action)s”, or give a reason for the correction."
            )
        return ValidationError(message, code="partnership_use_action", params=params)

    def other(self, city: City) -> City:
        """The city on the other side from ``city``."""
        return self.partner if self.city_id == city.pk else self.city

    def life(self) -> list[PartnershipStage]:
        """The stages of this relation in date order (reads ``stages``: prefetch it, with
        ``stages__sources``), starting with its signature: where no ``signed`` stage is stored (the
        shipped relations and those recorded without one), an unsaved :class:`PartnershipStage`
        (``pk`` ``None``, no sources of its own: the partnership's sources support it) on the
        established date at its precision, placed before the stored stages of the same date.
        A relation never signed has only its stored stages."""
        stages = list(self.stages.all())
        if self.established_on and not any(stage.kind == PartnershipStage.Kind.SIGNED for stage in stages):
            signed = PartnershipStage(
                partnership=self,
                kind=PartnershipStage.Kind.SIGNED,
                on=self.established_on,
                precision=self.established_precision,
            )
            stages = sorted([signed, *stages], key=lambda stage: (stage.on, stage.pk is not None))
        return stages

    @property
    def status_reason_localized(self) -> str:
        """The reason for the status in the active language: ``status_reason_ko`` on Korean
        pages when filled, else ``status_reason``."""
        return localized(self, "status_reason")

    @property
    def status_reason_language(self) -> str:
        """BCP 47 tag of :attr:`status_reason_localized` (``en`` for the English fallback)."""
        return localized_language(self, "status_reason")
