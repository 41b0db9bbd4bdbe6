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
from .partnerships import create_partnership
from .records import save_record, unique_slug

# What the service copies from another of the form's fields, by ``<prefix><field>``: an error in
# the copy is shown under the field it came from. The signing ceremony's texts are the agreement's;
# the agreement's date of signing and the ceremony's date are the partnership's (a future date was
# reported as “agreement_signed_on: …” above the form, not under the date typed; helper-92).
_COPIED_FROM = {
    **{f"event_{name}": f"agreement_{name}" for name in ("title_en", "title_ko", "venue", "venue_ko")},
    **{
        f"{prefix}{name}_{part}": f"partnership_established_{part}"
        for prefix, name in (("agreement_", "signed"), ("event_", "start"))
        for part in ("on", "precision")
    },
}


def _form_key(prefix: str, field: str) -> str:
    """The guided form's name of ``field`` of the record written under ``prefix``
    (``partnership_established_on`` for ``agreement_`` + ``signed_on``, see :data:`_COPIED_FROM`)."""
    key = f"{prefix}{field}"
    return _COPIED_FROM.get(key, key)


def _save_part(prefix: str, instance: models.Model, data: Mapping[str, Any] | None = None) -> models.Model:
    """:func:`save_record` with the errors keyed by the guided form's names (:func:`_form_key`)."""
    try:
        return save_record(instance=instance, data=data or {})
    except ValidationError as error:
        raise ValidationError(
            {_form_key(prefix, field): messages for field, messages in error.update_error_dict({}).items()}
        ) from None


def _check_all(records: Iterable[tuple[str, models.Model | None, tuple[str, ...]]]) -> None:
    """Check each of ``records`` (``(prefix, unsaved instance or None, fields to leave out)``:
    the foreign keys to records not written yet) with ``full_clean``, and raise one
    ``ValidationError`` with the errors of all of them, keyed as :func:`_save_part` keys them
    (:func:`_form_key`: a copied value's under the field it came from, each message once);
    nothing when all pass."""
    errors: dict[str, list[str]] = {}
    for prefix, instance, exclude in records:
        if instance is None:
            continue
        try:
            instance.full_clean(exclude=exclude)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                found = errors.setdefault(_form_key(prefix, field), [])
                found.extend(message for message in messages if message not in found)
    if errors:
        raise ValidationError(errors)


def _fitted(model: type[models.Model], field: str, text: str) -> str:
    """``text`` cut to the ``max_length`` of ``model``'s ``field``, ending with "…" when cut: a
    title made from another (the signing's "Signing: <agreement title>") may not fit."""
    limit = model._meta.get_field(field).max_length
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    signed_in_home: bool = False,
    source: Source | None = None,
    new_source: Mapping[str, Any] | None = None,
    publication: str = Publication.DRAFT,
    check_only: bool = False,
) -> Partnership | None:
    """Record a new relation in one go, all or nothing: the partner city (``partner``, or a new
    City made from ``new_partner``'s fields: ``name_en``, ``name_ko``, ``country``, ``latitude``,
    ``longitude``), the partnership (:func:`create_partnership`, ``home`` as its home side), its
    agreement (``agreement``: ``title_en``, ``title_ko``, ``kind``, ``venue``; signed on
    ``established_on``, in the partner city, or in ``home`` when ``signed_in_home``), the
    signatories (each a mapping of Signatory fields: ``person``, ``role``, ``role_ko``,
    ``organization``, ``order`` (default: its position); and for a person not yet recorded
    ``new_person``, a new Person's ``name_en``, ``name_ko``, ``name_native``, citing the source),
    the signing ceremony (an Event on the same day, in the same city and at the agreement's
    venue, when ``signing_event``) and the source every record made here cites, a new partner
    city too (a city picked keeps its own) (``source``, or a new Source
    from ``new_source``: ``title``, ``url``, ``publisher``). Each row is validated with
    ``full_clean()``, first each on its own (the errors of every invalid one together), then as
    it is written with the records it points to; an error raises ``ValidationError`` keyed
    ``partner_<field>``, ``partnership_<field>``, ``agreement_<field>``,
    ``signatory<order>_<field>`` (the new person's fields too), ``event_<field>`` or
    ``source_<field>``, and nothing is stored. With ``check_only``, only the first check (each
    record on its own) runs and nothing is written: ``None`` when it passes, for a form that
    shows these errors beside its own warnings (a possible duplicate) in one round.
    """
    # Every record is built first and checked on its own fields and rules, so the errors of all
    # of them come together (the first invalid one alone came back before, then the next…);
    # the writes below validate each again, with the records they point to, and stop at the
    # first error (a partnership already recorded, say), all or nothing.
    new_city = new_record = None
    if partner is None:
        values = dict(new_partner or {})
        new_city = City(slug=unique_slug(City, values.get("name_en", "")), **values)
    if source is None:
        values = dict(new_source or {})
        new_record = Source(slug=unique_slug(Source, values.get("title", "")), **values)
    values = dict(agreement)
    signed = Agreement(
        slug=unique_slug(Agreement, values.get("title_en", "")),
        signed_on=established_on,
        signed_precision=established_precision,
        publication=publication,
        **values,
    )
    people: list[tuple[str, Person | None, Signatory]] = []
    people_slugs: set[str] = set()  # two new people of one name are "kim" and "kim-2"
    for position, signatory in enumerate(signatories, start=1):
        values = dict(signatory)
        order = values.setdefault("order", position)
        new_person = values.pop("new_person", None)
        person = None
        if new_person:
            person = Person(slug=unique_slug(Person, new_person.get("name_en", ""), people_slugs), **new_person)
        people.append((f"signatory{order}_", person, Signatory(**values)))
    ceremony = None
    if signing_event:
        ceremony = Event(
            slug=unique_slug(Event, f"signing {signed.title_en}"),
            title_en=_fitted(Event, "title_en", f"Signing: {signed.title_en}"),
            title_ko=_fitted(Event, "title_ko", f"{signed.title_ko} 체결") if signed.title_ko else "",
            kind=Event.Kind.SIGNING_CEREMONY,
            start_on=established_on,
            start_precision=established_precision,
            venue=signed.venue,
            venue_ko=signed.venue_ko,
            publication=publication,
        )
    _check_all(
        [
            ("partner_", new_city, ()),
            ("source_", new_record, ()),
            ("agreement_", signed, ("partnership", "place")),
            *((prefix, person, ()) for prefix, person, _ in people),
            *((prefix, row, ("agreement", "person") if person else ("agreement",)) for prefix, person, row in people),
            ("event_", ceremony, ("partnership", "agreement", "city")),
        ]
    )
    if check_only:
        return None

    if new_record is not None:
        source = _save_part("source_", new_record)
    if new_city is not None:  # a city made here cites the source too (it had none; new-user probe)
        partner = _save_part("partner_", new_city, {"sources": [source]})
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
    signed.partnership, signed.place = partnership, home if signed_in_home else partner
    signed.signed_on, signed.signed_precision = partnership.established_on, partnership.established_precision
    signed = _save_part("agreement_", signed, {"sources": [source]})
    for prefix, person, row in people:
        if person is not None:
            row.person = _save_part(prefix, person, {"sources": [source]})
        row.agreement = signed
        _save_part(prefix, row)
    if ceremony is not None:
        ceremony.city, ceremony.partnership, ceremony.agreement = signed.place, partnership, signed
        ceremony.start_on, ceremony.start_precision = partnership.established_on, partnership.established_precision
        _save_part("event_", ceremony, {"sources": [source]})
    return partnership
