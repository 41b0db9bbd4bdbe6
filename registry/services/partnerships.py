"""A partnership's creation and its life: the stages and the six actions (sign, upgrade, suspend,
resume, renew, end), each in one transaction through :func:`_record_stage`."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import change_reasons
from ..dates import partial_date, validate_in_range, validate_not_in_future
from ..models import (
    City,
    CooperationField,
    DatePrecision,
    Partnership,
    PartnershipStage,
    Source,
    truncate_to_precision,
)
from ..text import given_reason
from .records import save_record


@transaction.atomic
def create_partnership(
    *,
    city: City,
    partner: City,
    kind: str,
    established_on: datetime.date | None,
    established_precision: str | None = None,
    status: str | None = None,
    ended_on: datetime.date | None = None,
    ended_precision: str | None = None,
    status_reason: str = "",
    status_reason_ko: str = "",
    confidence: str | None = None,
    publication: str | None = None,
    notes: str = "",
    remarks_en: str = "",
    remarks_ko: str = "",
    fields: Iterable[CooperationField] = (),
    sources: Iterable[Source] = (),
    reason: str = "",
) -> Partnership:
    """Record a partnership between ``city``, the home side, and ``partner``, as the caller names them.

    The sides are stored as given, never swapped: the API's ``city`` field, the import's
    ``city`` column and the admin's *city* field name the home side. ``kind``, ``status``,
    ``confidence`` and ``publication`` take the values of the model's choices; an argument
    left ``None`` takes the model's default (active, day precision, high confidence, draft).
    ``fields`` and ``sources`` are the cooperation fields and sources it rests on; ``reason`` (optional)
    is the change reason in its history. ``established_on`` is ``None`` only for a relation not signed
    yet (``status`` ``proposed``, e.g. a letter of intent).

    Validated once with ``full_clean()`` (which truncates the dates to their precision);
    raises ``ValidationError`` keyed by model field (e.g. ``partner`` with code
    ``partnership_not_with_itself``) and then stores nothing.
    """
    optional = {
        "established_precision": established_precision,
        "status": status,
        "ended_precision": ended_precision,
        "confidence": confidence,
        "publication": publication,
    }
    partnership = Partnership(
        city=city,
        partner=partner,
        kind=kind,
        established_on=established_on,
        ended_on=ended_on,
        status_reason=status_reason,
        status_reason_ko=status_reason_ko,
        notes=notes,
        remarks_en=remarks_en,
        remarks_ko=remarks_ko,
        **{name: value for name, value in optional.items() if value is not None},
    )
    return save_record(instance=partnership, data={"fields": list(fields), "sources": list(sources)}, reason=reason)


def add_stage(
    *,
    partnership: Partnership,
    kind: str,
    on: datetime.date,
    precision: str = DatePrecision.DAY,
    note_en: str = "",
    note_ko: str = "",
    reference: str = "",
    sources: Iterable[Source] = (),
) -> PartnershipStage:
    """Record a stage of ``partnership``'s life (a :class:`PartnershipStage` ``kind``) on ``on``.

    Validated with ``full_clean()``; raises ``ValidationError`` (e.g. the same stage twice on one
    date, or a kind that an action records, :attr:`PartnershipStage.ACTIONS`: code
    ``stage_use_action``). The actions below record theirs through :func:`_add_action_stage`.
    """
    stage = PartnershipStage(
        partnership=partnership,
        kind=kind,
        on=on,
        precision=precision,
        note_en=note_en,
        note_ko=note_ko,
        reference=reference,
    )
    return save_record(instance=stage, data={"sources": list(sources)})


def _add_action_stage(*, sources: Iterable[Source] = (), **stage) -> PartnershipStage:
    """:func:`add_stage` for an action: the stage of its kind (:attr:`PartnershipStage.ACTIONS`),
    which only the action records (``recorded_by_action``). Called inside the actions' transactions."""
    record = PartnershipStage(**stage)
    record.recorded_by_action = True
    return save_record(instance=record, data={"sources": list(sources)})


# The actions below take the reason in English (``reason``), in Korean (``reason_ko``) or both, one
# of them required (:func:`_require_reason`): the stage keeps them as ``note_en``/``note_ko``, end,
# suspend and upgrade as the partnership's ``status_reason``/``status_reason_ko``, and the history's
# change reason carries what was typed (:func:`registry.change_reasons.action_written`). A Korean
# manager had to type the English one.


def _require_reason(reason: str, reason_ko: str = "") -> None:
    """``ValidationError`` (code ``required``) on both ``reason`` and ``reason_ko`` when neither
    shows anything (:func:`~registry.text.given_reason`): an action needs one of them."""
    if not (given_reason(reason) or given_reason(reason_ko)):
        message = _("Give the reason for this change, in English or in Korean (at least one of the two).")
        raise ValidationError({name: ValidationError(message, code="required") for name in ("reason", "reason_ko")})


def _refuse_before_start(partnership: Partnership, on: datetime.date, field: str) -> None:
    """``ValidationError`` when ``partnership`` was never signed (code ``partnership_not_signed``)
    or ``on`` is before its established date (code ``stage_before_start``), on ``field``."""
    if partnership.established_on is None:
        raise ValidationError(
            {
                "status": ValidationError(
                    _("This relation was never signed: record its signature first (action “Sign”)."),
                    code="partnership_not_signed",
                )
            }
        )
    if on < partnership.established_on:
        raise ValidationError(
            {
                field: ValidationError(
                    _("This date is before the partnership was established."), code="stage_before_start"
                )
            }
        )


def _refuse_before_latest_stage(partnership: Partnership, on: datetime.date, field: str) -> None:
    """``ValidationError`` on ``field`` (code ``stage_out_of_order``) when ``on`` is before the
    relation's latest recorded stage: a suspension, an end or an upgrade cannot be placed before
    what has already happened to it (a renewal may be filled in afterwards, and is not checked)."""
    latest = partnership.stages.order_by("-on", "-id").first()
    if latest is not None and on < latest.on:
        message = _("This date is before the relation's latest stage (%(stage)s on %(on)s).")
        params = {"stage": latest.get_kind_display(), "on": partial_date(latest.on, latest.precision)}
        raise ValidationError({field: ValidationError(message, code="stage_out_of_order", params=params)})


def _refuse_unless(partnership: Partnership, status: str, message: str, code: str) -> None:
    """``ValidationError`` on ``status`` (with ``message`` and ``code``) unless ``partnership`` has ``status``."""
    if partnership.status != status:
        raise ValidationError({"status": ValidationError(message, code=code)})


# The change reason each action gives the history, by the kind of stage it records
# (``%(reason)s`` is the action's reason): the one place the six actions' texts live.
STAGE_CHANGES = {
    PartnershipStage.Kind.SIGNED: change_reasons.SIGNED,
    PartnershipStage.Kind.ENDED: change_reasons.ENDED,
    PartnershipStage.Kind.SUSPENDED: change_reasons.SUSPENDED,
    PartnershipStage.Kind.RESUMED: change_reasons.RESUMED,
    PartnershipStage.Kind.RENEWED: change_reasons.RENEWED,
    PartnershipStage.Kind.UPGRADED: change_reasons.UPGRADED,
}


def _record_stage(
    partnership: Partnership,
    *,
    kind: str,
    on: datetime.date,
    precision: str,
    reason: str,
    sources: Iterable[Source],
    reason_ko: str = "",
) -> PartnershipStage:
    """The common end of every action: save ``partnership`` as the action left it (validated with
    ``full_clean()``; :data:`STAGE_CHANGES` ``[kind]`` with ``reason`` and ``reason_ko``, either or
    both, is the change reason in its history, in the language of record
    (:func:`registry.change_reasons.action_written`), and its
    ``correction_reason``, which lets the action change the fields that only actions change,
    :attr:`Partnership.ACTION_FIELDS`), then record the stage ``kind``
    on ``on`` at ``precision`` with ``reason`` (and ``reason_ko``, its Korean text) as its note,
    citing ``sources``. A date outside the range (code ``date_out_of_range``) or after today
    (code ``date_in_future``, :func:`registry.dates.validate_not_in_future`) is refused on
    ``on`` before anything is saved. Each action checks its reason first
    (:func:`_require_reason`) and then its own rule. Raises ``ValidationError`` (a constraint)
    and then the caller's transaction stores nothing."""
    try:
        validate_in_range(on)  # the documented range first, then "not in the future"
        validate_not_in_future(on)  # a planned suspension or end is recorded on its day
    except ValidationError as error:
        raise ValidationError({"on": error}) from None
    change = change_reasons.action_written(STAGE_CHANGES[kind], given_reason(reason), given_reason(reason_ko))
    partnership._change_reason = change
    partnership.correction_reason = change
    partnership.recorded_by_action = True  # a suspension comes and goes with its stage
    try:
        partnership.full_clean()
        partnership.save()
    finally:
        del partnership.correction_reason  # the next direct edit of this instance is checked again
        del partnership.recorded_by_action
    return _add_action_stage(
        partnership=partnership,
        kind=kind,
        on=on,
        precision=precision,
        note_en=reason,
        note_ko=reason_ko,
        sources=sources,
    )


def _action(function: Callable[..., Partnership]) -> Callable[..., Partnership]:
    """The transaction of an action (its keyword argument ``partnership``): the partnership's row is
    locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite lets one writer in at a time) and the
    object re-read from it before the action checks its rules, so two actions on one relation run
    one after the other and the second sees what the first did. Found by the adversarial probe:
    Upgrade and End sent at once both succeeded on PostgreSQL, each checking the row as it was read
    before the other's change."""

    @functools.wraps(function)
    def locked(*, partnership: Partnership, **arguments) -> Partnership:
        # The date as it will be stored (a month or year is its first day), so the rules below
        # compare what is saved: the admin's form gives a full date with a coarser precision, and
        # 2026-12-03 at year precision, checked as given, was stored as 2026-01-01 before the
        # relation's latest stage (a suspension under a later resumption: suspended, yet in force).
        if arguments.get("on") is not None:
            arguments["on"] = truncate_to_precision(arguments["on"], arguments.get("precision", DatePrecision.DAY))
        with transaction.atomic():
            Partnership.objects.select_for_update().filter(pk=partnership.pk).values_list("pk").first()
            partnership.refresh_from_db()
            return function(partnership=partnership, **arguments)

    return locked


@_action
def sign_partnership(
    *,
    partnership: Partnership,
    on: datetime.date,
    reason: str,
    reason_ko: str = "",
    precision: str = DatePrecision.DAY,
    sources: Iterable[Source] = (),
) -> Partnership:
    """Record the signature of a relation that had not reached it (status ``proposed``, e.g. after
    a letter of intent): it is established on ``on`` at ``precision`` (status ``active``, a
    ``signed`` stage citing ``sources``) and counts from ``on``
    (:meth:`PartnershipQuerySet.in_force_on`).

    Raises ``ValidationError`` when it is already signed (code ``partnership_signed``), ``on``
    is before one of its stages (code ``stage_before_start``) or no reason is given (code ``required``); then
    nothing is stored.
    """
    _require_reason(reason, reason_ko)
    _refuse_unless(
        partnership,
        Partnership.Status.PROPOSED,
        _("Only a relation not signed yet can be signed."),
        "partnership_signed",
    )
    first = partnership.stages.order_by("on", "id").first()
    if first is not None and on < first.on:
        raise ValidationError(
            {
                "on": ValidationError(
                    _("The signature cannot come before the relation's first stage."), code="stage_before_start"
                )
            }
        )
    partnership.status = Partnership.Status.ACTIVE
    partnership.established_on = on
    partnership.established_precision = precision
    _record_stage(
        partnership,
        kind=PartnershipStage.Kind.SIGNED,
        on=on,
        precision=precision,
        reason=reason,
        reason_ko=reason_ko,
        sources=sources,
    )
    return partnership


@_action
def end_partnership(
    *,
    partnership: Partnership,
    on: datetime.date,
    reason: str,
    reason_ko: str = "",
    precision: str = DatePrecision.DAY,
    sources: Iterable[Source] = (),
) -> Partnership:
    """End ``partnership`` on ``on`` for ``reason`` (status ``ended``, ``ended_on`` set to ``on``, an
    ``ended`` stage citing ``sources``); nothing is deleted.

    Raises ``ValidationError`` (no ``reason`` nor ``reason_ko``, already ended, never signed, ``on`` before the
    start or the latest stage, keyed ``on`` like every action's date) and then stores nothing.
    """
    _require_reason(reason, reason_ko)
    if partnership.status == Partnership.Status.ENDED:
        successor = Partnership.objects.filter(predecessor=partnership).first()
        if successor is not None:  # ended by an upgrade: the relation goes on as the successor
            message = _("This partnership has already ended: it was upgraded to “%(successor)s”, which goes on.") % {
                "successor": successor
            }
            raise ValidationError({"status": ValidationError(message, code="partnership_ended")})
        raise ValidationError(
            {"status": ValidationError(_("This partnership has already ended."), code="partnership_ended")}
        )
    _refuse_before_start(partnership, on, "on")
    _refuse_before_latest_stage(partnership, on, "on")
    partnership.status = Partnership.Status.ENDED
    partnership.ended_on = on
    partnership.ended_precision = precision
    partnership.status_reason = reason
    partnership.status_reason_ko = reason_ko
    _record_stage(
        partnership,
        kind=PartnershipStage.Kind.ENDED,
        on=on,
        precision=precision,
        reason=reason,
        reason_ko=reason_ko,
        sources=sources,
    )
    return partnership


@_action
def suspend_partnership(
    *,
    partnership: Partnership,
    on: datetime.date,
    reason: str,
    reason_ko: str = "",
    precision: str = DatePrecision.DAY,
    sources: Iterable[Source] = (),
) -> Partnership:
    """Suspend an active ``partnership`` from ``on`` for ``reason``: status ``suspended`` and a
    ``suspended`` stage. From ``on`` until it is resumed it is not in force
    (:meth:`PartnershipQuerySet.in_force_on`).

    Raises ``ValidationError`` when it is not active (code ``partnership_not_active``), ``on``
    is before its start or no reason is given (code ``required``); then nothing is stored.
    """
    _require_reason(reason, reason_ko)
    _refuse_unless(
        partnership,
        Partnership.Status.ACTIVE,
        _("Only an active partnership can be suspended."),
        "partnership_not_active",
    )
    _refuse_before_start(partnership, on, "on")
    _refuse_before_latest_stage(partnership, on, "on")
    partnership.status = Partnership.Status.SUSPENDED
    partnership.status_reason = reason
    partnership.status_reason_ko = reason_ko
    _record_stage(
        partnership,
        kind=PartnershipStage.Kind.SUSPENDED,
        on=on,
        precision=precision,
        reason=reason,
        reason_ko=reason_ko,
        sources=sources,
    )
    return partnership


@_action
def resume_partnership(
    *,
    partnership: Partnership,
    on: datetime.date,
    reason: str,
    reason_ko: str = "",
    precision: str = DatePrecision.DAY,
    sources: Iterable[Source] = (),
) -> Partnership:
    """Resume a suspended ``partnership`` on ``on``: status ``active`` and a ``resumed`` stage;
    it is in force again from ``on``.

    Raises ``ValidationError`` when it is not suspended (code ``partnership_not_suspended``),
    ``on`` is before the suspension or no reason is given (code ``required``); then nothing is stored.
    """
    _require_reason(reason, reason_ko)
    _refuse_unless(
        partnership,
        Partnership.Status.SUSPENDED,
        _("Only a suspended partnership can be resumed."),
        "partnership_not_suspended",
    )
    suspended = partnership.stages.filter(kind=PartnershipStage.Kind.SUSPENDED).order_by("-on", "-id").first()
    if suspended and on < suspended.on:
        raise ValidationError(
            {"on": ValidationError(_("A partnership cannot resume before it was suspended."), code="resume_early")}
        )
    partnership.status = Partnership.Status.ACTIVE
    partnership.status_reason = ""
    partnership.status_reason_ko = ""
    _record_stage(
        partnership,
        kind=PartnershipStage.Kind.RESUMED,
        on=on,
        precision=precision,
        reason=reason,
        reason_ko=reason_ko,
        sources=sources,
    )
    return partnership


@_action
def renew_partnership(
    *,
    partnership: Partnership,
    on: datetime.date,
    reason: str,
    reason_ko: str = "",
    precision: str = DatePrecision.DAY,
    sources: Iterable[Source] = (),
) -> Partnership:
    """Record that ``partnership`` was renewed on ``on`` (a ``renewed`` stage); it stays in force
    and keeps its established date.

    Raises ``ValidationError`` when it has ended, was never signed, ``on`` is before its start
    or no reason is given (code ``required``).
    """
    _require_reason(reason, reason_ko)
    if partnership.status == Partnership.Status.ENDED:
        raise ValidationError(
            {"status": ValidationError(_("An ended partnership cannot be renewed."), code="partnership_ended")}
        )
    _refuse_before_start(partnership, on, "on")
    _record_stage(
        partnership,
        kind=PartnershipStage.Kind.RENEWED,
        on=on,
        precision=precision,
        reason=reason,
        reason_ko=reason_ko,
        sources=sources,
    )
    return partnership


@_action
def upgrade_partnership(
    *,
    partnership: Partnership,
    on: datetime.date,
    reason: str,
    reason_ko: str = "",
    precision: str = DatePrecision.DAY,
    kind: str = Partnership.Kind.SISTER,
    sources: Iterable[Source] = (),
) -> Partnership:
    """Upgrade ``partnership`` (a friendship city) to ``kind`` (a sister city) on ``on``.

    The old partnership ends on ``on`` (status ``ended``, an ``upgraded`` stage); a new one of
    ``kind`` is established on ``on`` with ``predecessor`` set to the old one, the same cities,
    publication, confidence and cooperation fields, and a ``signed`` stage. The new one cites the
    old one's sources (they support the relation; an upgrade given no source does not leave it
    unsourced) and ``sources``, the action's own (optional), which the two stages cite. The pair
    counts once on every date: the old one until the day before ``on``, the new one from ``on``.
    A suspended partnership may be upgraded: the new agreement puts the relation in force again
    from ``on`` (the new one is ``active``), while the old one's stages keep its suspension, so
    it does not count from its suspension until ``on``. Returns the new partnership.

    Raises ``ValidationError`` when the partnership has ended, already has a successor, was never
    signed, ``kind`` is its own kind, ``on`` is before its start, or no reason is given (code ``required``); then
    nothing is stored.
    """
    _require_reason(reason, reason_ko)
    sources = list(sources)
    if partnership.status == Partnership.Status.ENDED or hasattr(partnership, "successor"):
        raise ValidationError(
            {"status": ValidationError(_("An ended partnership cannot be upgraded."), code="partnership_ended")}
        )
    if kind == partnership.kind:
        raise ValidationError(
            {"kind": ValidationError(_("The upgrade must change the kind."), code="upgrade_same_kind")}
        )
    _refuse_before_start(partnership, on, "on")
    _refuse_before_latest_stage(partnership, on, "on")
    partnership.status = Partnership.Status.ENDED
    partnership.ended_on = on
    partnership.ended_precision = precision
    partnership.status_reason = reason
    partnership.status_reason_ko = reason_ko
    _record_stage(
        partnership,
        kind=PartnershipStage.Kind.UPGRADED,
        on=on,
        precision=precision,
        reason=reason,
        reason_ko=reason_ko,
        sources=sources,
    )
    successor = Partnership(
        city=partnership.city,
        partner=partnership.partner,
        kind=kind,
        established_on=on,
        established_precision=precision,
        confidence=partnership.confidence,
        publication=partnership.publication,
        predecessor=partnership,
    )
    successor._change_reason = change_reasons.action_written(
        STAGE_CHANGES[PartnershipStage.Kind.UPGRADED], given_reason(reason), given_reason(reason_ko)
    )
    cited = list(dict.fromkeys([*partnership.sources.all(), *sources]))  # the predecessor's first, once each
    save_record(instance=successor, data={"fields": list(partnership.fields.all()), "sources": cited})
    _add_action_stage(
        partnership=successor,
        kind=PartnershipStage.Kind.SIGNED,
        on=successor.established_on,
        precision=precision,
        note_en=reason,
        note_ko=reason_ko,
        sources=sources,
    )
    return successor


#: The partnership's actions by name, the one list the API (``POST …/partnerships/<id>/<name>/``)
#: and the admin (the list's action ``<name>_partnerships``) offer. Each takes keyword arguments
#: ``partnership``, ``on`` (the date of its stage), ``precision``, ``reason``, ``reason_ko`` and
#: ``sources``, runs in one transaction with the row locked, and keys an error about the date it
#: was given ``on``. ``upgrade`` returns the new partnership, the others the one they changed.
PARTNERSHIP_ACTIONS: dict[str, Callable[..., Partnership]] = {
    "sign": sign_partnership,
    "upgrade": upgrade_partnership,
    "suspend": suspend_partnership,
    "resume": resume_partnership,
    "renew": renew_partnership,
    "end": end_partnership,
}
