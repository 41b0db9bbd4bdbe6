"""The life of a partnership: its dated stages (letter of intent, signed, suspended, resumed, ended, …).

Split from :mod:`registry.models.partnerships` (which reads the stages for the counting rule and a
relation's life) so that neither module passes ~600 lines; re-exported by :mod:`registry.models`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.utils.translation import gettext_lazy as _

from ..dates import partial_date, validate_in_range, validate_not_in_future
from ..text import localized, localized_language
from .base import (
    TEXT_MAX,
    DatePrecision,
    RegistryModel,
    stored_values,
    truncate_to_precision,
    unique,
    values_in,
)
from .sources import Source

# --------------------------------------------------------------------------- the life of a relation


class PartnershipStageManager(models.Manager):
    def get_by_natural_key(self, city_slug, partner_slug, kind, established_on, stage_kind, on):
        return self.get(
            partnership=self.model._meta.get_field("partnership").related_model.objects.get_by_natural_key(
                city_slug, partner_slug, kind, established_on
            ),
            kind=stage_kind,
            on=on,
        )


class PartnershipStage(RegistryModel):
    """A dated stage in the life of a partnership: letter of intent, council approval, signed,
    upgraded, renewed, suspended, resumed or ended, with its precision, reason and sources.

    Stages are written by the actions in :mod:`registry.services` (and by the fixtures); a
    suspension takes the partnership out of force from its date until the next resumption
    (:meth:`PartnershipQuerySet.in_force_on`).
    """

    class Kind(models.TextChoices):
        LETTER_OF_INTENT = "letter_of_intent", _("letter of intent")
        COUNCIL_APPROVAL = "council_approval", _("council approval")
        SIGNED = "signed", _("signed")
        UPGRADED = "upgraded", _("upgraded")
        RENEWED = "renewed", _("renewed")
        SUSPENDED = "suspended", _("suspended")
        RESUMED = "resumed", _("resumed")
        ENDED = "ended", _("ended")

    #: The stages an action records (:mod:`registry.services.partnerships`), each with the name of
    #: its action: each also changes the partnership (its status, dates or kind), so only the
    #: action adds one, and such a stage's partnership, kind, date and precision stay as the action recorded
    #: them (:meth:`refuse_direct_edit`), and it is deleted only with the partnership (the admin's
    #: inline offers no deletion of it). A letter of
    #: intent and a council approval have no action and are recorded directly (the admin's inline).
    ACTIONS = {
        Kind.SIGNED: _("Sign"),
        Kind.UPGRADED: _("Upgrade"),
        Kind.RENEWED: _("Renew"),
        Kind.SUSPENDED: _("Suspend"),
        Kind.RESUMED: _("Resume"),
        Kind.ENDED: _("End"),
    }
    #: The fields of a stage an action recorded that stay as it recorded them (its partnership
    #: too: a suspension moved to another relation would leave both with a status its stages contradict).
    RECORDED_FIELDS = ("partnership", "kind", "on", "precision")
    #: The stages that start or stop a suspension, the latest of which says whether the partnership
    #: is suspended (it is exactly when that one is ``suspended``): the rule of :func:`status_disagreements`.
    PAUSE_KINDS = (Kind.SUSPENDED, Kind.RESUMED, Kind.ENDED, Kind.UPGRADED)

    partnership = models.ForeignKey(
        "registry.Partnership", on_delete=models.CASCADE, related_name="stages", verbose_name=_("partnership")
    )
    kind = models.CharField(_("stage"), max_length=20, choices=Kind.choices)
    on = models.DateField(
        _("date"),
        help_text=_("For a year- or month-only date, the first day of that period."),
        validators=[validate_in_range, validate_not_in_future],
    )
    precision = models.CharField(
        _("precision of the date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    reference = models.CharField(
        _("reference"), max_length=200, blank=True, help_text=_("E.g. the council resolution's number.")
    )
    note_en = models.TextField(_("reason or note (English)"), max_length=TEXT_MAX, blank=True)
    note_ko = models.TextField(_("reason or note (Korean)"), max_length=TEXT_MAX, blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="partnership_stages", verbose_name=_("sources"))

    objects = PartnershipStageManager()

    class Meta:
        ordering = ["partnership", "on", "id"]
        verbose_name = _("stage of a partnership")
        verbose_name_plural = _("stages of partnerships")
        constraints = [
            unique(
                "partnershipstage_natural_key",
                fields=["partnership", "kind", "on"],
                message=_("This partnership already has this stage on this date."),
                field="on",
            ),
        ]
        indexes = [models.Index(fields=["partnership", "kind", "on"], name="partnershipstage_pause_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.on.isoformat() if self.on else ''}".strip()

    def natural_key(self):
        return (*self.partnership.natural_key(), self.kind, self.on.isoformat())

    natural_key.dependencies = ["registry.partnership", "registry.source"]

    def clean(self):
        """Truncate the date to its precision, then refuse a stage of an action's kind written
        other than by its action (:meth:`refuse_direct_edit`)."""
        self.on = truncate_to_precision(self.on, self.precision)
        self.refuse_direct_edit()

    def refuse_direct_edit(self) -> None:
        """Raise ``ValidationError`` (code ``stage_use_action``) when this stage is of a kind an
        action records (:attr:`ACTIONS`) and is written other than by that action: a new one (on
        ``kind``, naming the action to use), or a change of an action's stage's partnership, kind, date or
        precision (on each changed field of :attr:`RECORDED_FIELDS`). Its note, reference and
        sources stay editable. The services' actions set ``recorded_by_action`` (``True``) on the
        stage they record. One query (the stored row) when the stage exists, none when
        :meth:`before_clean_many` read it."""
        read = self.__dict__.pop("_stored_recorded", None)
        if getattr(self, "recorded_by_action", False):
            return
        stored = None
        if read is not None:
            stored = read or None  # {}: read, and not stored
        elif not self._state.adding and self.pk is not None:
            stored = type(self)._base_manager.filter(pk=self.pk).values(*self.RECORDED_FIELDS).first()
        if stored is None:
            if self.kind in self.ACTIONS:
                message = _(
                    "A “%(stage)s” stage is recorded by the partnership's action “%(action)s”, which also "
                    "changes the partnership: use the action in the list of partnerships."
                )
                params = {"stage": self.get_kind_display(), "action": self.ACTIONS[self.kind]}
                raise ValidationError({"kind": ValidationError(message, code="stage_use_action", params=params)})
            return
        kind = stored["kind"] if stored["kind"] in self.ACTIONS else self.kind
        if kind not in self.ACTIONS:
            return
        message = _(
            "This stage was recorded by the action “%(action)s”: its %(field)s stays as recorded "
            "(its note, reference and sources can be edited)."
        )
        errors = {
            name: ValidationError(
                message,
                code="stage_use_action",
                params={"action": self.ACTIONS[kind], "field": self._meta.get_field(name).verbose_name},
            )
            for name in self.RECORDED_FIELDS
            if stored[name] != getattr(self, self._meta.get_field(name).attname)
        }
        if errors:
            raise ValidationError(errors)

    @classmethod
    def before_clean_many(cls, records: list[PartnershipStage]) -> None:
        """Read the stored rows that :meth:`refuse_direct_edit` compares ``records`` with (those
        stored, by ``pk``; :func:`~registry.models.base.stored_values`), each kept on its record for its next
        :meth:`clean` only; called by :func:`registry.bulk_validation.full_clean_many`. The
        restore's check (``import_registry``) read them one query per stage."""
        stored = stored_values(cls, records, cls.RECORDED_FIELDS)
        for record in records:
            if not record._state.adding and record.pk is not None:
                record._stored_recorded = stored.get(record.pk, {})

    @property
    def note(self) -> str:
        """Reason or note in the active language; one given in Korean alone on every page
        (:func:`~registry.text.localized`'s ``either``)."""
        return localized(self, "note", either=True)

    @property
    def note_language(self) -> str:
        """BCP 47 tag of :attr:`note` (``en`` for the English fallback on Korean pages, ``ko`` for
        a note given in Korean alone on English pages)."""
        return localized_language(self, "note", either=True)


def status_disagreements(partnerships: list) -> dict[int, ValidationError]:
    """The rule that a partnership's status agrees with its stages, for many partnerships at once
    (:meth:`Partnership.clean_together`): ``{index in partnerships: ValidationError on status}``
    (code ``status_disagrees_with_stages``) for each stored one whose status is ``suspended``
    unless its latest stage of :attr:`PartnershipStage.PAUSE_KINDS` (suspended, resumed, ended,
    upgraded; by date, then by id for two on one day, as the counting rule reads them,
    :meth:`PartnershipQuerySet.in_force_on`) is a suspension, or is not ``suspended`` when it is.
    After an end or an upgrade the status is not ``suspended`` (it is ``ended``, or ``active``
    again after a correction of an end made by mistake, which the registry allows with a reason).

    A snapshot edited by hand (a copy of a suspension added) was restored with the relation
    "active" but counted out of force from the copy's date (tester). The actions change the
    status and the stage together (they set ``recorded_by_action`` on the partnership, which is
    saved before its stage, and so is not checked here), as does the restore of a deleted
    partnership with its stages; a stage of these kinds is written, changed or moved only by its
    action (:meth:`PartnershipStage.refuse_direct_edit`), so the rule is checked where the other
    side changes: the partnership's status (a correction, an import, the restore's check of a
    snapshot, ``import_registry``). New partnerships have no stages and cost no query; the
    stored ones one query per 500 (:func:`~registry.models.base.values_in`), on the index of
    ``(partnership, kind, on)``."""
    checked = {
        record.pk: index
        for index, record in enumerate(partnerships)
        if record.pk is not None and not record._state.adding and not getattr(record, "recorded_by_action", False)
    }
    latest: dict[object, PartnershipStage] = {}
    if checked:
        connection = connections[router.db_for_read(PartnershipStage)]
        pks = sorted(checked)
        for chunk in values_in(PartnershipStage._meta.get_field("partnership").target_field, pks, connection):
            stages = PartnershipStage._base_manager.filter(partnership__in=chunk, kind__in=PartnershipStage.PAUSE_KINDS)
            for stage in stages.order_by("on", "pk").only("partnership", "kind", "on", "precision"):
                latest[stage.partnership_id] = stage  # the last in (date, id) order stays
    errors = {}
    for pk, index in checked.items():
        error = _status_disagreement(partnerships[index], latest.get(pk))
        if error is not None:
            errors[index] = ValidationError({"status": error})
    return errors


def _status_disagreement(record, stage: PartnershipStage | None) -> ValidationError | None:
    """The refusal of ``record``'s status given its latest stage of
    :attr:`PartnershipStage.PAUSE_KINDS` (``None``: none), else ``None`` (see
    :func:`status_disagreements`)."""
    suspended = stage is not None and stage.kind == PartnershipStage.Kind.SUSPENDED
    if (record.status == "suspended") == suspended:
        return None
    params = {"field": record._meta.get_field("status").verbose_name, "status": record.get_status_display()}
    if stage is None:
        message = _(
            "The %(field)s “%(status)s” disagrees with the partnership's stages: none is a suspension. "
            "A partnership is suspended only with the action “Suspend”, which records the stage with the status."
        )
        return ValidationError(message, code="status_disagrees_with_stages", params=params)
    params.update(stage=stage.get_kind_display(), on=partial_date(stage.on, stage.precision))
    if suspended:
        message = _(
            "The %(field)s “%(status)s” disagrees with the partnership's stages: the latest suspension, "
            "resumption or end is “%(stage)s” on %(on)s, so it is suspended. The status and these stages "
            "change together, through the actions (“Resume”, “End”)."
        )
    else:
        message = _(
            "The %(field)s “%(status)s” disagrees with the partnership's stages: the latest suspension, "
            "resumption or end is “%(stage)s” on %(on)s, so it is not suspended. The status and these "
            "stages change together, through the actions (“Suspend”)."
        )
    return ValidationError(message, code="status_disagrees_with_stages", params=params)
