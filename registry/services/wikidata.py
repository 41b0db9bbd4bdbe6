"""Accepting what a Wikidata comparison proposes (:mod:`registry.wikidata` makes the proposals), and
taking Wikidata's value as a correction, a separate and explicit step.

Wikidata is a source beside the office's, not above it: accepting a *different* proposal records
Wikidata's start as a :class:`~registry.models.Claim` beside the registry's (the page then says
“sources differ”, the API lists both in ``claims``) and changes nothing of the partnership. Only
:func:`correct_from_wikidata`, with the manager's reason, changes the record: the start as a
correction (:func:`save_record` with the reason, which :meth:`Partnership.clean` accepts), the
end only through :func:`end_partnership` (an *ended* stage citing Wikidata). Both steps ask the
office limit (:func:`may_change`) first.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .. import change_reasons
from ..models import (
    Claim,
    Confidence,
    DatePrecision,
    Partnership,
    Source,
    may_change,
)
from ..models.offices import refusal
from ..wikidata import same_date
from .partnerships import create_partnership, end_partnership
from .records import save_record, unique_slug

# Stored with a relation Wikidata ends (its status reason and the ended stage's note), in both languages.
WIKIDATA_END_REASON = "Wikidata states an end time (P582) for this relation."
WIKIDATA_END_REASON_KO = "위키데이터에 이 관계의 종료 시점(P582)이 기재되어 있습니다."


def wikidata_source(proposal) -> Source:
    """The :class:`Source` for ``proposal``'s ``source_url``, made once per URL: a Wikidata page
    (an item or its revision; titled by the item and the retrieval date) or the reference (S854)
    Wikidata gives for the statement (titled by its address, cut to 200 characters, as an item is
    to 100: a 490-character
    URL made a title over the 500 a source's takes, and the proposal could not be accepted;
    adversarial probe). The slug is made by the slug's rule (:func:`~.records.unique_slug`)."""
    source = Source.objects.filter(url=proposal.source_url).first()
    if source is not None:
        return source
    parts = urlsplit(proposal.source_url)
    retrieved = f"{proposal.retrieved_on:%Y%m%d}"
    if (parts.hostname or "").endswith("wikidata.org"):
        query = parse_qs(parts.query)
        qid = Truncator(query.get("title", [unquote(parts.path.rsplit("/", 1)[-1])])[0]).chars(100)
        revision = "".join(f"-r{oldid}" for oldid in query.get("oldid", [])[:1])
        slug = unique_slug(Source, f"wikidata-{qid}{revision}-{retrieved}")
        title = f"Wikidata {qid}: twinned administrative body (P190), retrieved {proposal.retrieved_on}"
    else:
        address = Truncator(unquote(f"{parts.hostname or ''}{parts.path}")).chars(200)
        slug = unique_slug(Source, f"wikidata-reference-{(parts.hostname or '').replace('.', '-')}-{retrieved}")
        title = (
            f"{address}: Wikidata's reference for a twinned administrative body (P190), "
            f"retrieved {proposal.retrieved_on}"
        )
    source = Source(slug=slug, title=title, publisher="Wikidata", url=proposal.source_url, language="mul")
    return save_record(instance=source, data={})


def _refuse_other_office(user, target: Partnership) -> None:
    """``ValidationError`` on ``partnership`` (the office's refusal) when ``user`` may not change ``target``."""
    if user is not None and not may_change(user, target):
        raise ValidationError({"partnership": refusal(user)})


def _precision_notes(on, precision: str) -> dict[str, str]:
    """The claim's notes in English and Korean for a date known only to its month or year (a
    claim's value is a full ``YYYY-MM-DD``; the note says how much of it is known), else none."""
    if precision == DatePrecision.YEAR:
        return {"note_en": f"Known to the year only: {on.year}.", "note_ko": f"연도만 알려져 있음: {on.year}년."}
    if precision == DatePrecision.MONTH:
        return {
            "note_en": f"Known to the month only: {on:%B %Y}.",
            "note_ko": f"월까지만 알려져 있음: {on.year}년 {on.month}월.",
        }
    return {}


def _claim(partnership: Partnership, on, precision: str, sources, *, preferred: bool = False) -> Claim:
    """The claim that ``partnership`` was established ``on`` (at ``precision``), citing ``sources``
    besides the sources it already has; made when missing (``preferred`` as given)."""
    claim = Claim.objects.filter(partnership=partnership, fact=Claim.Fact.ESTABLISHED_ON, value=on.isoformat()).first()
    if claim is None:
        notes = _precision_notes(on, precision)
        claim = Claim(
            partnership=partnership, fact=Claim.Fact.ESTABLISHED_ON, value=on.isoformat(), preferred=preferred, **notes
        )
        return save_record(instance=claim, data={"sources": list(sources)})
    return save_record(instance=claim, data={"sources": [*claim.sources.all(), *sources]})


def _prefer(claim: Claim) -> None:
    """Make ``claim`` the preferred value of its fact (the value the record holds), the others not."""
    others = Claim.objects.filter(partnership=claim.partnership_id, fact=claim.fact, preferred=True)
    for other in others.exclude(pk=claim.pk):
        save_record(instance=other, data={"preferred": False})
    if not claim.preferred:
        save_record(instance=claim, data={"preferred": True})


def _record_claims(proposal, source: Source) -> Claim | None:
    """Wikidata's start of a *different* proposal as a claim citing ``source``, beside the claim of the
    partnership's own date (made from its sources when missing), which stays preferred. ``None`` when
    Wikidata's start agrees with the registry's or is not stated (the end is no fact a claim holds:
    it stays on the proposal for :func:`correct_from_wikidata`)."""
    partnership = proposal.partnership
    if proposal.established_on is None or same_date(
        proposal.established_on,
        proposal.established_precision,
        partnership.established_on,
        partnership.established_precision,
    ):
        return None
    claims = Claim.objects.filter(partnership=partnership, fact=Claim.Fact.ESTABLISHED_ON)
    registry_claim = _claim(
        partnership,
        partnership.established_on,
        partnership.established_precision,
        partnership.sources.all(),
        preferred=not claims.filter(preferred=True).exists(),  # made preferred when the fact has no claims yet
    )
    _prefer(registry_claim)
    return _claim(partnership, proposal.established_on, proposal.established_precision, [source])


def _decide(proposal, user, status: str) -> None:
    proposal.status = status
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "partnership"])


@transaction.atomic
def accept_wikidata_proposal(*, proposal, user, kind: str | None = None) -> Partnership | None:
    """Record what a :class:`~registry.models.WikidataProposal` proposes, citing Wikidata, without
    overriding the registry.

    The Wikidata :class:`Source` (``proposal.source_url``, its title giving the retrieval date) is
    made once per URL. By the proposal's kind:

    - *new*: a partnership between the proposal's city and partner with Wikidata's start, kept a
      **draft** of **low** confidence citing Wikidata. P190 (“twinned administrative body”) covers
      sister cities and friendship cities alike and does not say which, so ``kind`` (a
      ``Partnership.Kind`` value) is the manager's explicit choice: without it, ``ValidationError``
      on ``kind`` (code ``wikidata_kind_required``), nothing written. Wikidata's end, if stated, is
      recorded through :func:`end_partnership` (an *ended* stage citing Wikidata).
    - *different*: Wikidata's start becomes a :class:`Claim` citing Wikidata beside the claim of
      the registry's date (which stays preferred, so the page says “sources differ”); the
      partnership's own values do not change. To take Wikidata's value, see :func:`correct_from_wikidata`.
    - *only here*: nothing is written; *only there*: refused until the partner city is in the
      registry (``ValidationError`` on ``partner``).

    Raises ``ValidationError`` on ``partnership`` when ``user`` (``None``: a command) may not
    change the partnership (the office limit, :func:`may_change`), on ``status`` when the proposal
    was already decided; then nothing is stored. Returns the partnership written or claimed about
    (``None`` for *only here*); the proposal is marked accepted by ``user``.
    """
    from ..models import WikidataProposal

    kinds = WikidataProposal.Kind
    _refuse_other_office(user, proposal.partnership or Partnership(city=proposal.city, partner=proposal.partner))
    if proposal.status != WikidataProposal.Status.OPEN:
        raise ValidationError({"status": _("This proposal was already accepted.")})
    if proposal.kind == kinds.ONLY_THERE:
        label = proposal.partner_label or proposal.partner_qid
        message = _("Add %(label)s (%(qid)s) to the registry first.")
        raise ValidationError({"partner": message % {"label": label, "qid": proposal.partner_qid}})
    written = proposal.partnership
    if proposal.kind == kinds.NEW:
        if kind not in Partnership.Kind.values:
            raise ValidationError(
                {
                    "kind": ValidationError(
                        _(
                            "Wikidata's P190 does not say whether this is a sister city or a friendship city: "
                            "choose the kind."
                        ),
                        code="wikidata_kind_required",
                    )
                }
            )
        if proposal.established_on is None:
            raise ValidationError({"established_on": _("Wikidata gives no start time (P580) for this relation.")})
        source = wikidata_source(proposal)
        written = create_partnership(
            city=proposal.city,
            partner=proposal.partner,
            kind=kind,
            established_on=proposal.established_on,
            established_precision=proposal.established_precision,
            confidence=Confidence.LOW,
            sources=[source],
            reason=change_reasons.written(
                change_reasons.ACCEPTED_FROM_WIKIDATA, url=proposal.source_url, retrieved=proposal.retrieved_on
            ),
        )
        if proposal.ended_on is not None:
            end_partnership(
                partnership=written,
                on=proposal.ended_on,
                precision=proposal.ended_precision,
                reason=WIKIDATA_END_REASON,
                reason_ko=WIKIDATA_END_REASON_KO,
                sources=[source],
            )
        proposal.partnership = written
    elif proposal.kind == kinds.DIFFERENT:
        _record_claims(proposal, wikidata_source(proposal))
    _decide(proposal, user, WikidataProposal.Status.ACCEPTED)
    return written


@transaction.atomic
def correct_from_wikidata(*, proposal, user, reason: str, reason_ko: str = "") -> Partnership:
    """Take Wikidata's values of a *different* proposal into its partnership, for ``reason`` (the
    manager's, required) — the explicit second step after :func:`accept_wikidata_proposal`, which
    it runs first when the proposal is still open.

    - A start that differs is taken as a *correction*: :func:`save_record` with ``reason`` (kept in
      the history with the Wikidata URL and retrieval date; :meth:`Partnership.clean` accepts a
      published partnership's new date only so), the partnership then also cites Wikidata, and
      Wikidata's claim becomes the preferred one (the registry's former date stays a claim).
    - An end that Wikidata states and the registry does not have goes through
      :func:`end_partnership` (an *ended* stage on Wikidata's date, citing Wikidata, with ``reason``);
      a partnership already ended is refused there (code ``partnership_ended``).

    Raises ``ValidationError``: on ``partnership`` when ``user`` may not change it (the office
    limit), on ``kind`` for a proposal that is not *different*, on ``status`` when it was already
    taken, on ``reason`` when empty, on ``established_on`` when nothing Wikidata states can be taken
    (e.g. it states no end where the registry has one); then nothing is stored. Returns the
    partnership; the proposal is marked corrected by ``user``.
    """
    from ..models import WikidataProposal

    _refuse_other_office(user, proposal.partnership or Partnership(city=proposal.city, partner=proposal.partner))
    if proposal.kind != WikidataProposal.Kind.DIFFERENT:
        raise ValidationError(
            {"kind": _("Only a proposal of different dates can be taken as a correction; accept the others.")}
        )
    if proposal.status == WikidataProposal.Status.CORRECTED:
        raise ValidationError({"status": _("This proposal was already taken as a correction.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(_("Give the reason for this change."), code="required")})
    if proposal.status == WikidataProposal.Status.OPEN:
        accept_wikidata_proposal(proposal=proposal, user=user)
    source = wikidata_source(proposal)
    partnership = Partnership.objects.select_for_update().get(pk=proposal.partnership_id)
    taken = False
    if proposal.established_on is not None and not same_date(
        proposal.established_on,
        proposal.established_precision,
        partnership.established_on,
        partnership.established_precision,
    ):
        cited = change_reasons.written(
            change_reasons.TAKEN_FROM_WIKIDATA,
            reason=reason.strip(),
            url=proposal.source_url,
            retrieved=proposal.retrieved_on,
        )
        save_record(
            instance=partnership,
            data={
                "established_on": proposal.established_on,
                "established_precision": proposal.established_precision,
                "sources": [*partnership.sources.all(), source],
            },
            reason=cited,
        )
        _prefer(_claim(partnership, proposal.established_on, proposal.established_precision, [source]))
        taken = True
    if proposal.ended_on is not None and not same_date(
        proposal.ended_on, proposal.ended_precision, partnership.ended_on, partnership.ended_precision
    ):
        end_partnership(
            partnership=partnership,
            on=proposal.ended_on,
            precision=proposal.ended_precision,
            reason=reason.strip(),
            reason_ko=reason_ko.strip(),
            sources=[source],
        )
        taken = True
    if not taken:
        raise ValidationError(
            {
                "established_on": _(
                    "Wikidata states nothing the registry can take: its start agrees, and it states no end "
                    "where the registry has one (an end is undone by no correction)."
                )
            }
        )
    _decide(proposal, user, WikidataProposal.Status.CORRECTED)
    return partnership
