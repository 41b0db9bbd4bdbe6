"""Partnerships (sister city, friendship city), their rules, and the cooperation fields they name
(their queries: :mod:`registry.models.partnership_queries`)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils.translation import gettext_lazy as _

from ..dates import validate_in_range, validate_not_in_future
from ..paths import record_path
from ..text import given_reason, localized, localized_language
from .base import (
    TEXT_MAX,
    Confidence,
    DatePrecision,
    ReferencedByManyMixin,
    RegistryModel,
    RemarksModel,
    SluggedModel,
    SluggedQuerySet,
    publication_field,
    rule,
    staff_notes_field,
    stored_values,
    truncate_to_precision,
    unique,
    values_in,
)
from .cities import City
from .partnership_queries import PartnershipManager
from .search import WordSearchMixin
from .slugs import slug_rule
from .sources import Source
from .stages import PartnershipStage, status_disagreements

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
        constraints = [slug_rule("cooperation_field")]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """Name in the active language."""
        return localized(self, "name")


# --------------------------------------------------------------------------- partnerships


class BatchRecord:
    """A record of a batch being validated that is not stored yet, by its ``index`` in the batch
    (:meth:`Partnership.clean_together`): equal to no stored row's key."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


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
    # its date and status from Sign, and an ended one's end changes only as a correction. Its two
    # cities change only as a correction: a PATCH of ``partner`` moved an ended relation, and the
    # past figures, to another country (adversarial probe).
    ACTION_FIELDS = {
        "city": None,
        "partner": None,
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
                "partnership_not_its_own_predecessor",
                ~Q(predecessor=F("pk")),
                _("A partnership cannot follow itself: choose the relation it continues."),
                "predecessor",
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
            unique(
                "partnership_natural_key",
                fields=["city", "partner", "kind", "established_on"],
                message=_("This partnership is already recorded: the same two cities, kind and established date."),
                field="partner",
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
            # A partnership's successor (the reverse of ``predecessor``), which every list that says
            # whether an upgrade is visible joins per row (``with_visibility(user, "successor")``).
            # The one-to-one field's unique index holds every partnership, nearly all without a
            # predecessor, so SQLite's statistics count half the table per value and its planner
            # scanned the table for each row: at 100,000 partnerships the API's
            # ``?ordering=status`` did not answer within 120 s. This index holds the upgrades only.
            models.Index(
                fields=["predecessor"], condition=Q(predecessor__isnull=False), name="partnership_successor_idx"
            ),
        ]

    def __str__(self):
        return _("%(city)s – %(partner)s (%(kind)s)") % {
            "city": self.city,
            "partner": self.partner,
            "kind": self.get_kind_display(),
        }

    def get_absolute_url(self):
        return record_path("registry:partnership-detail", pk=self.pk)

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
        self.refuse_a_wrong_predecessor()

    def refuse_a_wrong_predecessor(self) -> None:
        """Raise ``ValidationError`` on ``predecessor`` when the partnership this one follows
        (``predecessor``; the admin offered every partnership) is a relation of other cities (code
        ``partnership_predecessor_cities``: an upgrade continues the relation of the same two
        cities, on either side, :func:`registry.services.upgrade_partnership`; :meth:`moves_an_upgrade`
        keeps them so) or already follows this one (code ``partnership_predecessor_cycle``: each
        would follow the other, and a sister city's page read "Upgraded to the friendship city
        relation"). One query, only when a predecessor is set and is not this record (that one is
        the constraint ``partnership_not_its_own_predecessor``'s)."""
        if self.predecessor_id is None or self.predecessor_id == self.pk:
            return
        row = (
            Partnership._base_manager.filter(pk=self.predecessor_id)
            .values_list("city_id", "partner_id", "predecessor_id")
            .first()
        )
        if row is None:  # no such partnership: the field's own check says so
            return
        city, partner, its_predecessor = row
        if self.pk is not None and its_predecessor == self.pk:
            message = _("The relation chosen already follows this one: a partnership cannot follow its own successor.")
            code = "partnership_predecessor_cycle"
        elif {city, partner} != {self.city_id, self.partner_id}:
            message = _(
                "The relation this one follows must be one of the same two cities (an upgrade "
                "continues their relation)."
            )
            code = "partnership_predecessor_cities"
        else:
            return
        raise ValidationError({"predecessor": ValidationError(message, code=code)})

    @classmethod
    def clean_together(cls, records: list[Partnership], labels: list[str] | None = None) -> dict[int, ValidationError]:
        """The rules of :meth:`clean` that read other rows, for many partnerships at once:
        ``{index in records: ValidationError}`` on ``established_on`` for each that overlaps a
        stored partnership of the same pair or an earlier one in ``records``, which ``labels``
        (``"Row 4"``), when given, name in the message, and on ``status`` for each stored one whose
        status disagrees with its stages (code ``status_disagrees_with_stages``:
        :func:`~registry.models.stages.status_disagreements`). One query (per 500 cities named on
        SQLite: :func:`~registry.models.base.values_in`), and one for the stored ones' stages.

        Two periods of a pair overlap when the other one ends after this one starts and, if
        this one has ended, starts before this one's end. Two open ones are refused by the
        ``partnership_one_open_per_pair`` constraint instead (on ``partner``).

        Inside a transaction (every writer's: the admin's, the API's, :func:`registry.services.save_record`,
        an import), the cities named are locked first (:meth:`lock_cities`), so that two writers
        of one pair check one after the other and the second sees the first's partnership."""
        ids = sorted({pk for record in records for pk in (record.city_id, record.partner_id) if pk})
        cls.lock_cities(ids)
        periods: dict[frozenset, list[tuple]] = {}
        connection = connections[router.db_for_read(cls)]
        for chunk in values_in(City._meta.pk, ids, connection):
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
            overlapping = next(
                (pk for pk, began, ended in others if pk != record.pk and record.overlaps(began, ended)), None
            )
            if overlapping is not None:
                if labels and isinstance(overlapping, BatchRecord):
                    message = _("%(other)s is a partnership of the same two cities in this period.") % {
                        "other": labels[overlapping.index]
                    }
                else:
                    message = _("These two cities already have a partnership in force in this period.")
                # The code on the field's error: Django drops ``code`` given beside a dict.
                errors[index] = ValidationError(
                    {"established_on": ValidationError(message, code="partnership_overlap")}
                )
            others.append((record.pk or BatchRecord(index), record.established_on, record.ended_on))
        for index, error in status_disagreements(records).items():
            errors[index] = (
                ValidationError({**errors[index].error_dict, **error.error_dict}) if index in errors else error
            )
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
            for chunk in values_in(City._meta.pk, ids, connection, chunk=len(ids)):
                list(locked.filter(pk__in=chunk).order_by("pk").values_list("pk", flat=True))

    def overlaps(self, began: datetime.date | None, ended: datetime.date | None) -> bool:
        """Whether another partnership of the same pair, from ``began`` to ``ended`` (``None``:
        open), overlaps this one (see :meth:`clean_together`). One never established (``began``
        ``None``: a letter of intent not signed) was never in force and overlaps nothing; an
        ended partnership of Busan and Hokkaido, whose letter of intent has no date, was a
        ``TypeError`` (a 500 from the API, a failed import; adversarial probe)."""
        if began is None:
            return False
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
        when the record exists, none when :meth:`before_clean_many` read it.
        """
        stored = self.__dict__.pop("_stored_life", None)
        if stored is None and not self._state.adding and self.pk is not None:
            stored = Partnership.objects.filter(pk=self.pk).values("publication", *self.ACTION_FIELDS).first()
        errors = {}
        suspension = self.direct_suspension_error(stored)
        if suspension is not None:
            errors["status"] = suspension
        if (
            stored is not None
            and stored["publication"] == "published"
            and not given_reason(getattr(self, "correction_reason", ""))
        ):
            for name in self.ACTION_FIELDS:
                if stored[name] != getattr(self, self._meta.get_field(name).attname) and name not in errors:
                    errors[name] = self.use_action_error(name, stored)
        if stored is not None and "partner" not in errors and self.moves_an_upgrade(stored):
            errors["partner"] = ValidationError(
                _(
                    "This relation continues or is continued by another of the same two cities (an upgrade): "
                    "its cities do not change. Record the relation between the right cities instead."
                ),
                code="partnership_upgrade_cities",
            )
        if errors:
            raise ValidationError(errors)

    def moves_an_upgrade(self, stored: dict) -> bool:
        """Whether this change gives other cities (``stored``: the stored row's ``city`` and
        ``partner``) to a relation with a predecessor or a successor (:func:`upgrade_partnership`
        makes them with the same cities): a corrected partner left the ended relation "upgraded
        to" a relation of another pair (adversarial probe). At most one query, only when a city changes."""
        if (stored["city"], stored["partner"]) == (self.city_id, self.partner_id):
            return False
        return self.predecessor_id is not None or Partnership.objects.filter(predecessor_id=self.pk).exists()

    @classmethod
    def before_clean_many(cls, records: list[Partnership]) -> None:
        """Read the stored rows that :meth:`refuse_direct_life_edit` compares ``records`` with
        (those stored, by ``pk``), in one query per 500 records, each kept on its record for its
        next :meth:`clean` only; called by :func:`registry.bulk_validation.full_clean_many`. An
        import of changed partnerships read them one query per row."""
        stored = stored_values(cls, records, ["publication", *cls.ACTION_FIELDS])
        for record in records:
            if record.pk in stored and not record._state.adding:
                record._stored_life = stored[record.pk]

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
            message = _("A published partnership's “%(field)s” is changed only as a correction, with a reason.")
        else:
            message = _(
                "A published partnership's “%(field)s” is not edited directly: use the action "
                "“%(action)s”, or give a reason for the correction."
            )
        return ValidationError(message, code="partnership_use_action", params=params)

    @property
    def sides_from_home(self) -> tuple[City, City]:
        """``(home side, partner side)``: the two cities as a page names them, the home city
        (``settings.REGISTRY_HOME_CITY``, by slug, as
        :func:`~registry.models.partnership_queries.home_is_partner` reads it) first when the
        record stores it as the partner, else as stored (reads both cities: select them)."""
        if self.partner.slug == settings.REGISTRY_HOME_CITY:
            return self.partner, self.city
        return self.city, self.partner

    def other(self, city: City | None) -> City:
        """The city on the other side from ``city``: the stored ``city`` when ``city`` is the
        partner, else the partner (also when ``city`` is ``None``, no home city recorded): the
        rule of :func:`~registry.models.partnership_queries.other_side`, for one instance."""
        return self.city if city is not None and self.partner_id == city.pk else self.partner

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
        pages when filled, else ``status_reason``; one given in Korean alone on every page
        (:func:`~registry.text.localized`'s ``either``: an action's reason may be)."""
        return localized(self, "status_reason", either=True)

    @property
    def status_reason_language(self) -> str:
        """BCP 47 tag of :attr:`status_reason_localized` (``en`` for the English fallback, ``ko``
        for a reason given in Korean alone)."""
        return localized_language(self, "status_reason", either=True)
