"""Accepting what a Wikidata comparison proposes (:mod:`registry.wikidata` makes the proposals)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import (
    Partnership,
    Source,
    may_change,
)
from ..models.offices import refusal
from .partnerships import create_partnership
from .records import save_record


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

    from ..models import WikidataProposal

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
