"""The guided entry's one write: a new relation with its partner city, agreement, signatories,
signing ceremony and source, all or nothing (the form is :mod:`registry.guided_entry`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from ..models import (
    Agreement,
    City,
    DatePrecision,
    Event,
    Partnership,
    Person,
    Publication,
    Signatory,
    Source,
)
from ..text import slug_of
from .partnerships import create_partnership
from .records import save_record


def _unique_slug(model: type[models.Model], text: str) -> str:
    """A slug for ``text`` (:func:`registry.text.slug_of`: ``"Busan–Shymkent"`` → ``"busan-shymkent"``;
    Django's ``slugify`` alone dropped the dash) not yet used by ``model``: ``"almaty"``, then
    ``"almaty-2"`` …; the model's name when ``text`` gives none."""
    base = slug_of(text, max_length=100) or model._meta.model_name
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
