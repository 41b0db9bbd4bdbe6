"""Writes that touch several rows or tables, each inside one transaction.

Called by the admin, the API, imports and management commands. Every function takes
keyword-only, typed arguments and validates with the model's ``full_clean()`` before saving,
so the database constraints are reported as validation errors on their fields; a race that
still trips a constraint raises ``IntegrityError`` and the transaction rolls back whole.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .dates import partial_date, validate_in_range
from .models import (
    HISTORY,
    Agreement,
    City,
    CooperationField,
    DatePrecision,
    Event,
    Partnership,
    PartnershipStage,
    Person,
    Publication,
    Signatory,
    Source,
    may_change,
)
from .models.offices import refusal


@transaction.atomic
def save_record(*, instance: models.Model, data: Mapping[str, Any], reason: str = "") -> models.Model:
    """Set ``data`` on ``instance`` and save it with its many-to-many relations.

    ``data`` maps field names to values; values of many-to-many fields (e.g. ``sources``,
    ``fields``, ``parties``) are iterables of related rows and replace the current set.
    ``reason`` (optional ``str``) is the change reason kept in the history; it is also what
    makes a change that only a *correction* may make acceptable (a published partnership's
    kind or established date, :meth:`Partnership.clean`).
    The row is validated with ``full_clean()`` first; nothing is saved if any part fails.
    """
    reason = (reason or "").strip()
    if reason:
        instance._change_reason = reason
        instance.correction_reason = reason
    many_names = {field.name for field in instance._meta.many_to_many}
    many: dict[str, Iterable[models.Model]] = {}
    for name, value in data.items():
        if name in many_names:
            many[name] = value
        else:
            setattr(instance, name, value)
    instance.full_clean()
    created = instance._state.adding
    # One history record for the whole write, taken after the many-to-many rows are set, so it
    # holds them and its diff shows what changed (a PATCH of only ``sources`` included).
    instance.skip_history_when_saving = True
    try:
        instance.save()
        for name, rows in many.items():
            getattr(instance, name).set(rows)
    finally:
        del instance.skip_history_when_saving
    HISTORY.create_historical_record(instance, "+" if created else "~")
    return instance


def historic_relations(record: models.Model) -> dict[str, list[int]]:
    """The many-to-many values a history record kept: field name → primary keys of the related
    rows (e.g. ``{"sources": [3, 7], "fields": [2]}``), one query per field."""
    from simple_history.utils import get_m2m_reverse_field_name

    values = {}
    for field in record._history_m2m_fields:
        target = get_m2m_reverse_field_name(field)
        values[field.name] = sorted(getattr(record, field.name).values_list(f"{target}_id", flat=True))
    return values


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


@transaction.atomic
def delete_record(*, instance: models.Model) -> None:
    """Delete ``instance``; rows that others refer to raise ``ProtectedError`` and stay."""
    instance.delete()


# Rows owned by a parent and deleted with it (CASCADE): restored with it.
OWNED_CHILDREN = {
    "city": [("cityname", "city")],
    "partnership": [("partnershipstage", "partnership")],
    "agreement": [("signatory", "agreement")],
    "event": [("eventparticipant", "event")],
    "delegation": [("delegationmember", "delegation"), ("itinerarystop", "delegation"), ("outcome", "delegation")],
}
# Children deleted up to this long before their parent count as deleted with it.
CASCADE_WINDOW = datetime.timedelta(minutes=1)


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
    date). Called inside the actions' transactions below.
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


# The actions below (end, suspend, resume, renew, upgrade) take the required ``reason`` in English
# and an optional ``reason_ko``, its Korean text: the stage keeps them as ``note_en``/``note_ko``,
# and end, suspend and upgrade as the partnership's ``status_reason``/``status_reason_ko``.


def _require_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(_("Give the reason for this change."), code="required")})


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


def _record_stage(
    partnership: Partnership,
    *,
    kind: str,
    on: datetime.date,
    precision: str,
    reason: str,
    change: str,
    sources: Iterable[Source],
    reason_ko: str = "",
    date_field: str = "on",
) -> PartnershipStage:
    """The common end of every action: save ``partnership`` as the action left it (validated with
    ``full_clean()``; ``change`` % ``{"reason": reason}`` is the change reason in its history),
    then record the stage ``kind`` on ``on`` at ``precision`` with ``reason`` (and ``reason_ko``,
    its Korean text) as its note, citing
    ``sources``. A date after today is refused on ``date_field`` (code ``date_in_future``).
    Each action checks its reason first (:func:`_require_reason`) and then its own
    rule. Raises ``ValidationError`` (a constraint) and then the caller's transaction stores nothing."""
    try:
        validate_in_range(on)  # the documented range first, then "not in the future"
    except ValidationError as error:
        raise ValidationError({date_field: error}) from None
    if on > timezone.localdate():
        # A stage records what has happened: a planned suspension or end is recorded on its day.
        raise ValidationError(
            {
                date_field: ValidationError(
                    _("This date is in the future: record a stage once it has happened."), code="date_in_future"
                )
            }
        )
    partnership._change_reason = change % {"reason": reason}
    partnership.full_clean()
    partnership.save()
    return add_stage(
        partnership=partnership,
        kind=kind,
        on=on,
        precision=precision,
        note_en=reason,
        note_ko=reason_ko,
        sources=sources,
    )


@transaction.atomic
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
    is before one of its stages (code ``stage_before_start``) or ``reason`` is empty; then
    nothing is stored.
    """
    _require_reason(reason)
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
    partnership.correction_reason = reason  # the action itself may set the date (Partnership.clean)
    _record_stage(
        partnership,
        kind=PartnershipStage.Kind.SIGNED,
        on=on,
        precision=precision,
        reason=reason,
        reason_ko=reason_ko,
        change=_("Signed: %(reason)s"),
        sources=sources,
    )
    return partnership


@transaction.atomic
def end_partnership(
    *,
    partnership: Partnership,
    ended_on: datetime.date,
    reason: str,
    reason_ko: str = "",
    precision: str = DatePrecision.DAY,
    sources: Iterable[Source] = (),
) -> Partnership:
    """End ``partnership`` on ``ended_on`` for ``reason`` (status ``ended``, an ``ended`` stage
    citing ``sources``); nothing is deleted.

    Raises ``ValidationError`` (``reason`` empty, already ended, never signed, ``ended_on`` before the start)
    and then stores nothing.
    """
    _require_reason(reason)
    if partnership.status == Partnership.Status.ENDED:
        raise ValidationError(
            {"status": ValidationError(_("This partnership has already ended."), code="partnership_ended")}
        )
    _refuse_before_start(partnership, ended_on, "ended_on")
    _refuse_before_latest_stage(partnership, ended_on, "ended_on")
    partnership.status = Partnership.Status.ENDED
    partnership.ended_on = ended_on
    partnership.ended_precision = precision
    partnership.status_reason = reason
    partnership.status_reason_ko = reason_ko
    _record_stage(
        partnership,
        kind=PartnershipStage.Kind.ENDED,
        on=ended_on,
        date_field="ended_on",
        precision=precision,
        reason=reason,
        reason_ko=reason_ko,
        change=_("Ended: %(reason)s"),
        sources=sources,
    )
    return partnership


@transaction.atomic
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
    is before its start or ``reason`` is empty; then nothing is stored.
    """
    _require_reason(reason)
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
        change=_("Suspended: %(reason)s"),
        sources=sources,
    )
    return partnership


@transaction.atomic
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
    ``on`` is before the suspension or ``reason`` is empty; then nothing is stored.
    """
    _require_reason(reason)
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
        change=_("Resumed: %(reason)s"),
        sources=sources,
    )
    return partnership


@transaction.atomic
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
    or ``reason`` is empty.
    """
    _require_reason(reason)
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
        change=_("Renewed: %(reason)s"),
        sources=sources,
    )
    return partnership


@transaction.atomic
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
    publication, confidence and cooperation fields, a ``signed`` stage, and ``sources`` (the new
    one's sources, the stages' too). The pair counts once on every date: the old one until the
    day before ``on``, the new one from ``on``. Returns the new partnership.

    Raises ``ValidationError`` when the partnership has ended, already has a successor, was never
    signed, ``kind`` is its own kind, ``on`` is before its start, or ``reason`` is empty; then
    nothing is stored.
    """
    _require_reason(reason)
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
        change=_("Upgraded: %(reason)s"),
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
    successor._change_reason = _("Upgraded: %(reason)s") % {"reason": reason}
    save_record(instance=successor, data={"fields": list(partnership.fields.all()), "sources": sources})
    add_stage(
        partnership=successor,
        kind=PartnershipStage.Kind.SIGNED,
        on=successor.established_on,
        precision=precision,
        note_en=reason,
        note_ko=reason_ko,
        sources=sources,
    )
    return successor


@dataclass
class DeletedRecord:
    """A row that is deleted now, with its last historical record before the deletion."""

    model: type[models.Model]
    pk: int
    deleted_at: datetime.datetime
    deleted_by: str | None
    label: str
    history_id: int


def deleted_records(model: type[models.Model], *, limit: int = 200) -> list[DeletedRecord]:
    """Rows of ``model`` whose last history entry is a deletion and that do not exist now."""
    history = model.history.model
    deletions = (
        history.objects.filter(history_type="-")
        .exclude(**{f"{model._meta.pk.attname}__in": model._base_manager.values("pk")})
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    seen, result = set(), []
    for record in deletions:
        if record.id in seen:
            continue
        seen.add(record.id)
        user = record.history_user
        result.append(
            DeletedRecord(
                model,
                record.id,
                record.history_date,
                user.get_username() if user else None,
                str(record.instance),
                record.history_id,
            )
        )
    return result


@transaction.atomic
def restore_deleted(*, model: type[models.Model], pk: int) -> models.Model:
    """Restore the deleted row ``pk`` of ``model`` as it was when deleted, with the rows it
    owned that were deleted with it (a city's former names, a delegation's itinerary, ...).

    Raises ``LookupError`` if ``pk`` was never deleted or exists, ``ValidationError`` if
    the restored row would now break a rule (e.g. its slug has been reused); then nothing
    is restored.
    """
    if model._base_manager.filter(pk=pk).exists():
        raise LookupError(f"{model._meta.verbose_name} {pk} exists; there is nothing to restore.")
    record = model.history.model.objects.filter(id=pk, history_type="-").order_by("-history_date").first()
    if record is None:
        raise LookupError(f"{model._meta.verbose_name} {pk} was never deleted.")
    # The deletion's own record holds no many-to-many rows (Django removes them first): the last
    # record before it does.
    before = (
        model.history.model.objects.filter(id=pk, history_date__lte=record.history_date)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    instance = record.instance
    instance._change_reason = _("Restored after deletion")
    save_record(instance=instance, data=historic_relations(before) if before else {})
    for child_name, fk in OWNED_CHILDREN.get(model._meta.model_name, []):
        child_model = apps.get_model("registry", child_name)
        child_history = child_model.history.model.objects.filter(
            **{f"{fk}_id": pk},
            history_type="-",
            history_date__gte=record.history_date - CASCADE_WINDOW,
            history_date__lte=record.history_date,
        )
        for child_record in child_history.order_by("history_date"):
            if child_model._base_manager.filter(pk=child_record.id).exists():
                continue
            child_before = (
                child_model.history.model.objects.filter(id=child_record.id)
                .exclude(history_type="-")
                .order_by("-history_date", "-history_id")
                .first()
            )
            save_record(instance=child_record.instance, data=historic_relations(child_before) if child_before else {})
    return instance


@transaction.atomic
def accept_wikidata_proposal(*, proposal, user) -> Partnership | None:
    """Write what a :class:`~registry.models.WikidataProposal` proposes, citing Wikidata.

    *new*: a partnership (sister city, published as a draft for review) between the proposal's
    city and partner with Wikidata's start and end; *different*: the partnership takes
    Wikidata's dates. Either way the written partnership cites a :class:`Source` for the
    Wikidata page (``proposal.source_url``) whose title gives the retrieval date, made once per
    URL. *only here* writes nothing to the registry and *only there* cannot be accepted until
    the partner city is in the registry (``ValidationError`` naming ``partner``); an accepted
    proposal cannot be accepted again (``ValidationError`` naming ``status``). Returns the
    partnership written, or ``None``; the proposal is marked accepted by ``user``.
    """
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from .models import WikidataProposal

    kinds = WikidataProposal.Kind
    target = proposal.partnership or Partnership(city=proposal.city, partner=proposal.partner)
    if user is not None and not may_change(user, target):
        raise ValidationError({"partnership": refusal(user)})  # an office accepts only its own cities'
    if proposal.status == WikidataProposal.Status.ACCEPTED:
        raise ValidationError({"status": "This proposal was already accepted."})
    if proposal.kind == kinds.ONLY_THERE:
        label = proposal.partner_label or proposal.partner_qid
        raise ValidationError({"partner": f"Add {label} ({proposal.partner_qid}) to the registry first."})
    written = None
    if proposal.kind in (kinds.NEW, kinds.DIFFERENT):
        source = Source.objects.filter(url=proposal.source_url).first()
        if source is None:
            query = parse_qs(urlsplit(proposal.source_url).query)
            qid = query.get("title", [proposal.source_url.rsplit("/", 1)[-1]])[0]
            revision = "".join(f"-r{oldid}" for oldid in query.get("oldid", [])[:1])
            source = Source(
                slug=f"wikidata-{qid.lower()}{revision}-{proposal.retrieved_on:%Y%m%d}",
                title=f"Wikidata {qid}: twinned administrative body (P190), retrieved {proposal.retrieved_on}",
                publisher="Wikidata",
                url=proposal.source_url,
                language="mul",
            )
            source.full_clean()
            source.save()
        dates = {
            "established_on": proposal.established_on,
            "established_precision": proposal.established_precision,
            "ended_on": proposal.ended_on,
            "ended_precision": proposal.ended_precision,
        }
        if proposal.kind == kinds.NEW:
            if proposal.established_on is None:
                raise ValidationError({"established_on": "Wikidata gives no start time (P580) for this relation."})
            written = create_partnership(
                city=proposal.city,
                partner=proposal.partner,
                kind=Partnership.Kind.SISTER,
                status=Partnership.Status.ENDED if proposal.ended_on else None,
                sources=[source],
                **dates,
            )
        else:
            partnership = proposal.partnership
            changed = {key: value for key, value in dates.items() if value is not None or key == "ended_on"}
            if changed.get("ended_on") and partnership.status != Partnership.Status.ENDED:
                changed["status"] = Partnership.Status.ENDED
            written = save_record(
                instance=partnership,
                data={**changed, "sources": [*partnership.sources.all(), source]},
                reason=f"Correction from Wikidata ({proposal.source_url}, retrieved {proposal.retrieved_on}).",
            )
    proposal.status = WikidataProposal.Status.ACCEPTED
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return written


def _unique_slug(model: type[models.Model], text: str) -> str:
    """A slug for ``text`` (ASCII, transliterated by Django's ``slugify``) not yet used by ``model``:
    ``"almaty"``, then ``"almaty-2"`` …; ``"record"`` when ``text`` gives none."""
    base = slugify(text)[:100] or model._meta.model_name
    slug, number = base, 1
    while model._default_manager.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _save_part(prefix: str, instance: models.Model, data: Mapping[str, Any] | None = None) -> models.Model:
    """:func:`save_record` with the errors keyed ``<prefix><field>`` (the guided form's names)."""
    try:
        return save_record(instance=instance, data=data or {})
    except ValidationError as error:
        raise ValidationError(
            {f"{prefix}{field}": messages for field, messages in error.update_error_dict({}).items()}
        ) from None


@transaction.atomic
def record_new_partnership(
    *,
    home: City,
    partner: City | None,
    new_partner: Mapping[str, Any] | None = None,
    kind: str,
    established_on: datetime.date,
    established_precision: str = DatePrecision.DAY,
    agreement: Mapping[str, Any],
    signatories: Iterable[Mapping[str, Any]] = (),
    signing_event: bool = True,
    source: Source | None = None,
    new_source: Mapping[str, Any] | None = None,
    publication: str = Publication.DRAFT,
) -> Partnership:
    """Record a new relation in one go, all or nothing: the partner city (``partner``, or a new
    City made from ``new_partner``'s fields: ``name_en``, ``name_ko``, ``country``, ``latitude``,
    ``longitude``), the partnership (:func:`create_partnership`, ``home`` as its home side), its
    agreement (``agreement``: ``title_en``, ``title_ko``, ``kind``, ``venue``; signed on
    ``established_on``, at the partner city), the signatories (each a mapping of Signatory
    fields: ``person``, ``role``, ``role_ko``, ``organization``, ``order`` (default: its position);
    and for a person not yet recorded ``new_person``, a new Person's ``name_en``, ``name_ko``,
    ``name_native``, citing the source), the signing ceremony (an Event on the same day and at the
    agreement's venue, when ``signing_event``) and the source every record cites (``source``, or a
    new Source from ``new_source``: ``title``, ``url``, ``publisher``). Each row is validated with
    ``full_clean()``; the first invalid one raises ``ValidationError`` keyed ``partner_<field>``,
    ``partnership_<field>``, ``agreement_<field>``, ``signatory<order>_<field>`` (the new
    person's fields too), ``event_<field>`` or ``source_<field>``, and nothing is stored.
    """
    if partner is None:
        values = dict(new_partner or {})
        partner = _save_part("partner_", City(slug=_unique_slug(City, values.get("name_en", "")), **values))
    if source is None:
        values = dict(new_source or {})
        source = _save_part("source_", Source(slug=_unique_slug(Source, values.get("title", "")), **values))
    try:
        partnership = create_partnership(
            city=home,
            partner=partner,
            kind=kind,
            established_on=established_on,
            established_precision=established_precision,
            publication=publication,
            sources=[source],
        )
    except ValidationError as error:
        raise ValidationError(
            {f"partnership_{field}": messages for field, messages in error.update_error_dict({}).items()}
        ) from None
    values = dict(agreement)
    signed = _save_part(
        "agreement_",
        Agreement(
            slug=_unique_slug(Agreement, values.get("title_en", "")),
            partnership=partnership,
            signed_on=partnership.established_on,
            signed_precision=partnership.established_precision,
            place=partner,
            publication=publication,
            **values,
        ),
        {"sources": [source]},
    )
    for position, signatory in enumerate(signatories, start=1):
        values = dict(signatory)
        order = values.setdefault("order", position)
        new_person = values.pop("new_person", None)
        if new_person:
            values["person"] = _save_part(
                f"signatory{order}_",
                Person(slug=_unique_slug(Person, new_person.get("name_en", "")), **new_person),
                {"sources": [source]},
            )
        _save_part(f"signatory{order}_", Signatory(agreement=signed, **values))
    if signing_event:
        _save_part(
            "event_",
            Event(
                slug=_unique_slug(Event, f"signing {signed.title_en}"),
                title_en=f"Signing: {signed.title_en}",
                title_ko=f"{signed.title_ko} 체결" if signed.title_ko else "",
                kind=Event.Kind.SIGNING_CEREMONY,
                start_on=partnership.established_on,
                start_precision=partnership.established_precision,
                city=partner,
                venue=signed.venue,
                venue_ko=signed.venue_ko,
                partnership=partnership,
                agreement=signed,
                publication=publication,
            ),
            {"sources": [source]},
        )
    return partnership
