"""Wikidata: twinning statements (P190, "twinned administrative body") read from a file and
compared with the registry as proposals, and the registry's partnerships written as
QuickStatements.

Files read (:func:`read_relations`, no network):

- the JSON of ``Special:EntityData/<QID>.json`` for one or more items (``{"entities": …}``):
  each P190 statement with its start (P580) and end (P582) qualifiers at their precision;
  labels and ``lastrevid`` are read, and an object item present in the file gives its label;
- a SPARQL query result in JSON (``{"results": {"bindings": …}}``) with the variables
  ``city`` and ``twin`` (entity URIs), optional ``cityLabel``, ``twinLabel``, ``twinCountry``
  (ISO 3166-1 alpha-2), ``start``, ``end`` (``xsd:dateTime``) and ``startPrecision``,
  ``endPrecision`` (Wikibase precision numbers: 9 year, 10 month, 11 day; default 11);
- QuickStatements V1 (tab-separated ``Q…  P190  Q…  P580  +1966-06-30T00:00:00Z/11 …``),
  as :func:`quickstatements` writes it.

:func:`propose` compares the relations with the registry, city by city (matched by Wikidata ID,
else by a folded name and the country): *new* (in Wikidata, both cities here, no partnership),
*different* (start or end differs at the coarser of the two precisions), *only here* (a
partnership of the city Wikidata does not state) and *only there* (the partner city is not in
the registry). A manager accepts proposals row by row in the admin
(:func:`registry.services.accept_wikidata_proposal`: a difference becomes a claim beside the
registry's value) and may then take a difference as a correction
(:func:`registry.services.correct_from_wikidata`).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import text
from .dates import validate_in_range
from .models import City, DatePrecision, Partnership, WikidataProposal
from .models.base import truncate_to_precision

TWINNED = "P190"
START = "P580"
END = "P582"
REFERENCE_URL = "S854"
RETRIEVED = "S813"
ENTITY_URI = re.compile(r"(?:https?://www\.wikidata\.org/entity/)?(Q[1-9][0-9]*)$")
# Wikibase time precision ↔ the registry's.
PRECISIONS = {9: DatePrecision.YEAR, 10: DatePrecision.MONTH, 11: DatePrecision.DAY}
WIKIBASE_PRECISION = {value: key for key, value in PRECISIONS.items()}
COARSENESS = [DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR]


# The largest Wikidata file read (bytes): EntityData of a few dozen items, a SPARQL result of
# tens of thousands of rows, a whole country's QuickStatements all fit.
MAX_FILE_BYTES = 10 * 1024 * 1024


class WikidataFileError(ValueError):
    """The file is none of the formats :func:`read_relations` reads (message says why)."""


@dataclass(frozen=True)
class Relation:
    """One P190 statement: ``subject`` twinned with ``object`` (QIDs), with labels, the
    object's country (ISO alpha-2, ``""`` when unknown), start and end at their precision
    (``None`` when not stated or coarser than a year) and the source's URL."""

    subject: str
    object: str
    subject_label: str = ""
    object_label: str = ""
    object_country: str = ""
    start: datetime.date | None = None
    start_precision: str = DatePrecision.DAY
    end: datetime.date | None = None
    end_precision: str = DatePrecision.DAY
    url: str = ""


def parse_time(value: str, precision: int = 11) -> tuple[datetime.date | None, str]:
    """A Wikibase time (``+1966-06-30T00:00:00Z``, month and day ``00`` when unknown) at its
    precision as ``(date, DatePrecision)``; ``(None, day)`` for a precision coarser than a
    year, a date before year 1 or an unreadable value."""
    match = re.match(r"^[+]?(\d{1,4})-(\d{2})-(\d{2})", value.strip())
    if not match or precision not in PRECISIONS:
        return None, DatePrecision.DAY
    year, month, day = (int(part) for part in match.groups())
    try:
        date = datetime.date(year, month or 1, day or 1)
    except ValueError:
        return None, DatePrecision.DAY
    kept = PRECISIONS[precision]
    return truncate_to_precision(date, kept), kept


def format_time(value: datetime.date, precision: str) -> str:
    """The QuickStatements time of ``value`` at ``precision``: ``+1966-06-30T00:00:00Z/11``,
    ``+1966-06-00T00:00:00Z/10``, ``+1966-00-00T00:00:00Z/9``."""
    month = value.month if precision != DatePrecision.YEAR else 0
    day = value.day if precision == DatePrecision.DAY else 0
    return f"+{value.year:04d}-{month:02d}-{day:02d}T00:00:00Z/{WIKIBASE_PRECISION[precision]}"


def _qid(value: str) -> str:
    match = ENTITY_URI.match((value or "").strip())
    return match.group(1) if match else ""


def _label(entity: dict) -> str:
    labels = entity.get("labels") or {}
    for language in ("en", "ko", *labels):
        if language in labels:
            return labels[language].get("value", "")
    return ""


def _qualifier_time(statement: dict, prop: str) -> tuple[datetime.date | None, str]:
    for snak in (statement.get("qualifiers") or {}).get(prop, []):
        value = (snak.get("datavalue") or {}).get("value") or {}
        if "time" in value:
            return parse_time(value["time"], int(value.get("precision", 11)))
    return None, DatePrecision.DAY


def _from_entity_data(data: dict) -> list[Relation]:
    entities = data["entities"]
    relations = []
    for key, entity in entities.items():
        subject = entity.get("id", key)
        revision = entity.get("lastrevid")
        url = (
            f"https://www.wikidata.org/w/index.php?title={subject}&oldid={revision}"
            if revision
            else f"https://www.wikidata.org/wiki/{subject}"
        )
        for statement in (entity.get("claims") or {}).get(TWINNED, []):
            if statement.get("rank") == "deprecated":
                continue
            value = ((statement.get("mainsnak") or {}).get("datavalue") or {}).get("value") or {}
            obj = value.get("id", "")
            if not obj:
                continue
            start, start_precision = _qualifier_time(statement, START)
            end, end_precision = _qualifier_time(statement, END)
            relations.append(
                Relation(
                    subject,
                    obj,
                    _label(entity),
                    _label(entities.get(obj, {})),
                    "",
                    start,
                    start_precision,
                    end,
                    end_precision,
                    url,
                )  # fmt: skip
            )
    return relations


def _from_sparql(data: dict) -> list[Relation]:
    relations = []
    for row in data["results"].get("bindings", []):
        value = {name: cell.get("value", "") for name, cell in row.items()}
        subject, obj = _qid(value.get("city", "")), _qid(value.get("twin", ""))
        if not subject or not obj:
            raise WikidataFileError(_("A SPARQL row needs the variables “city” and “twin” (Wikidata entity URIs)."))
        start, start_precision = (
            parse_time(value["start"], int(value.get("startPrecision") or 11))
            if value.get("start")
            else (None, DatePrecision.DAY)
        )
        end, end_precision = (
            parse_time(value["end"], int(value.get("endPrecision") or 11))
            if value.get("end")
            else (None, DatePrecision.DAY)
        )
        relations.append(
            Relation(
                subject,
                obj,
                value.get("cityLabel", ""),
                value.get("twinLabel", ""),
                value.get("twinCountry", "").upper(),
                start,
                start_precision,
                end,
                end_precision,
                f"https://www.wikidata.org/wiki/{subject}",
            )  # fmt: skip
        )
    return relations


def _from_quickstatements(content: str) -> list[Relation]:
    relations = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) < 3 or cells[1] != TWINNED or not _qid(cells[0]) or not _qid(cells[2]):
            raise WikidataFileError(
                _("Line %(number)s is not a QuickStatements P190 statement: %(line)s.")
                % {"number": number, "line": repr(line[:80])}
            )
        times: dict[str, tuple[datetime.date | None, str]] = {}
        url = ""
        for prop, value in zip(cells[3::2], cells[4::2], strict=False):
            if prop in (START, END):
                time, _slash, precision = value.partition("/")
                times[prop] = parse_time(time, int(precision or 11))
            elif prop == REFERENCE_URL:
                url = value.strip('"')
        start, start_precision = times.get(START, (None, DatePrecision.DAY))
        end, end_precision = times.get(END, (None, DatePrecision.DAY))
        relations.append(
            Relation(cells[0], cells[2], start=start, start_precision=start_precision, end=end,
                     end_precision=end_precision, url=url or f"https://www.wikidata.org/wiki/{cells[0]}")
        )  # fmt: skip
    return relations


def _checked(relations: list[Relation]) -> list[Relation]:
    """``relations`` unchanged when each fits what a :class:`WikidataProposal` stores (the model's
    lengths for the IDs, label and URL; an http(s) URL; dates in the registry's range; no NUL
    character, which PostgreSQL cannot store); else :class:`WikidataFileError` naming the first
    relation (its position and IDs), the field and the rule. Found by the adversarial probe: such
    values were a server error on PostgreSQL and stored over-long on SQLite."""
    fields = {f.name: f for f in WikidataProposal._meta.fields}
    limits = {"object": fields["partner_qid"], "object_label": fields["partner_label"], "url": fields["source_url"]}
    url_ok = URLValidator(schemes=["http", "https"])
    too_long = _("%(where)s: %(name)s is longer than %(limit)s characters.")
    for number, relation in enumerate(relations, start=1):
        where = _("Relation %(number)s (%(subject)s %(property)s %(object)s)") % {
            "number": number,
            "subject": relation.subject[:20],
            "property": TWINNED,
            "object": relation.object[:20],
        }
        for name in ("subject", "object", "subject_label", "object_label", "object_country", "url"):
            if "\x00" in getattr(relation, name):
                raise WikidataFileError(
                    _("%(where)s: %(name)s contains a NUL character.") % {"where": where, "name": name}
                )
        for name, model_field in limits.items():
            if len(getattr(relation, name)) > model_field.max_length:
                raise WikidataFileError(too_long % {"where": where, "name": name, "limit": model_field.max_length})
        if relation.subject and len(relation.subject) > fields["partner_qid"].max_length:
            limit = fields["partner_qid"].max_length
            raise WikidataFileError(too_long % {"where": where, "name": "subject", "limit": limit})
        if relation.url:
            try:
                url_ok(relation.url)
            except ValidationError:
                raise WikidataFileError(
                    _("%(where)s: the reference URL is not an http(s) address.") % {"where": where}
                ) from None
        for name in ("start", "end"):
            try:
                validate_in_range(getattr(relation, name))
            except ValidationError:
                raise WikidataFileError(
                    _("%(where)s: %(name)s is outside 1800-01-01 to 2200-12-31.") % {"where": where, "name": name}
                ) from None
    return relations


def read_relations(content: str) -> list[Relation]:
    """The P190 relations in ``content`` (EntityData JSON, SPARQL JSON or QuickStatements,
    see the module docstring). Raises :class:`WikidataFileError` naming what is wrong."""
    stripped = content.lstrip()
    try:
        if stripped.startswith("{"):
            try:
                data = json.loads(content)
            except (json.JSONDecodeError, RecursionError) as error:
                raise WikidataFileError(_("Not valid JSON: %(error)s.") % {"error": error}) from None
            if isinstance(data.get("entities"), dict):
                return _checked(_from_entity_data(data))
            if isinstance(data.get("results"), dict):
                return _checked(_from_sparql(data))
            raise WikidataFileError(_("JSON with neither “entities” (Special:EntityData) nor “results” (SPARQL)."))
        return _checked(_from_quickstatements(content))
    except WikidataFileError:
        raise
    except (AttributeError, KeyError, TypeError, ValueError, RecursionError):
        # Well-formed JSON or lines of another shape (a string where an object belongs, a
        # precision that is not a number…): the same clear refusal, never a server error.
        raise WikidataFileError(
            _(
                "The file's structure is not the one Special:EntityData, SPARQL JSON results or "
                "QuickStatements (P190 with P580/P582 and their precisions) give."
            )
        ) from None


# --------------------------------------------------------------------------- comparing


class CityMatcher:
    """Finds registry cities by Wikidata ID, else by a folded name (any of the city's
    search forms, :func:`registry.text.search_forms`) and, when known, the country. Two queries."""

    def __init__(self):
        cities = list(City.objects.only("pk", "slug", "name_en", "name_ko", "country", "wikidata_id", "search_text"))
        self.by_qid = {city.wikidata_id: city for city in cities if city.wikidata_id}
        self.by_name: dict[str, list[City]] = {}
        for city in cities:
            for line in city.search_text.splitlines():
                self.by_name.setdefault(line, []).append(city)

    def find(self, qid: str, label: str = "", country: str = "") -> City | None:
        if qid in self.by_qid:
            return self.by_qid[qid]
        for form in text.search_forms(label):
            found = [c for c in self.by_name.get(form, []) if not country or c.country.code == country]
            if len(found) == 1:
                return found[0]
        return None


def same_date(a: datetime.date | None, a_precision: str, b: datetime.date | None, b_precision: str) -> bool:
    """Whether two dates agree at the coarser of their precisions; two unstated dates agree,
    one stated and one not do not."""
    if a is None or b is None:
        return a is None and b is None
    coarser = max(a_precision, b_precision, key=COARSENESS.index)
    return truncate_to_precision(a, coarser) == truncate_to_precision(b, coarser)


def propose(relations: Iterable[Relation], *, retrieved_on: datetime.date) -> list[WikidataProposal]:
    """Compare ``relations`` with the registry and store the proposals (unsaved rows are not
    returned: every one is saved). For each subject city found in the registry, its open
    proposals are replaced. A pair of cities stated from both sides is proposed once.
    Subjects not in the registry are skipped (see :func:`unmatched_subjects`)."""
    matcher = CityMatcher()
    by_subject: dict[City, list[Relation]] = {}
    for relation in relations:
        city = matcher.find(relation.subject, relation.subject_label)
        if city is not None:
            by_subject.setdefault(city, []).append(relation)
    proposals: list[WikidataProposal] = []
    seen: set[frozenset[int]] = set()
    for city, stated in by_subject.items():
        partnerships: dict[int, Partnership] = {}
        for partnership in Partnership.objects.signed().involving(city).order_by("established_on", "id"):
            other_id = partnership.partner_id if partnership.city_id == city.pk else partnership.city_id
            partnerships.setdefault(other_id, partnership)
        url = stated[0].url
        for relation in stated:
            partner = matcher.find(relation.object, relation.object_label, relation.object_country)
            common = {
                "city": city, "partner_qid": relation.object, "partner_label": relation.object_label,
                "established_on": relation.start, "established_precision": relation.start_precision,
                "ended_on": relation.end, "ended_precision": relation.end_precision,
                "source_url": relation.url, "retrieved_on": retrieved_on,
            }  # fmt: skip
            if partner is None:
                proposals.append(WikidataProposal(kind=WikidataProposal.Kind.ONLY_THERE, **common))
                continue
            pair = frozenset((city.pk, partner.pk))
            if pair in seen:
                continue
            seen.add(pair)
            partnership = partnerships.get(partner.pk)
            if partnership is None:
                proposals.append(WikidataProposal(kind=WikidataProposal.Kind.NEW, partner=partner, **common))
            elif not (
                (relation.start is None or same_date(relation.start, relation.start_precision,
                                                 partnership.established_on, partnership.established_precision))
                and same_date(relation.end, relation.end_precision, partnership.ended_on, partnership.ended_precision)
            ):  # fmt: skip
                proposals.append(
                    WikidataProposal(
                        kind=WikidataProposal.Kind.DIFFERENT, partner=partner, partnership=partnership, **common
                    )
                )
        for partner_pk, partnership in partnerships.items():
            pair = frozenset((city.pk, partner_pk))
            if pair in seen:
                continue
            seen.add(pair)
            proposals.append(
                WikidataProposal(
                    kind=WikidataProposal.Kind.ONLY_HERE,
                    city=city,
                    partner_id=partner_pk,
                    partnership=partnership,
                    established_on=partnership.established_on,
                    established_precision=partnership.established_precision,
                    ended_on=partnership.ended_on,
                    ended_precision=partnership.ended_precision,
                    source_url=url,
                    retrieved_on=retrieved_on,
                )  # fmt: skip
            )
    with transaction.atomic():
        WikidataProposal.objects.filter(city__in=list(by_subject), status=WikidataProposal.Status.OPEN).delete()
        WikidataProposal.objects.bulk_create(proposals)
    return proposals


def import_file(content: str, *, retrieved_on: datetime.date) -> list[WikidataProposal]:
    """:func:`read_relations` then :func:`propose`: the proposals a Wikidata file gives."""
    return propose(read_relations(content), retrieved_on=retrieved_on)


# --------------------------------------------------------------------------- exporting


def quickstatements(city: City, *, base_url: str, retrieved_on: datetime.date | None = None) -> tuple[str, list]:
    """``city``'s published partnerships (either side) as QuickStatements V1: one P190
    statement per partnership whose two cities have Wikidata IDs, with the start (P580) and
    end (P582) at their precision and a reference: the registry's page of the partner city
    (S854, ``base_url`` + its path) retrieved on ``retrieved_on`` (S813; default today).

    Returns ``(text, skipped)``: ``skipped`` lists the partnerships left out (no Wikidata ID
    on one side, or none on ``city``)."""
    from .network import partnerships_of

    day = retrieved_on or timezone.localdate()
    lines, skipped = [], []
    for partnership in partnerships_of(city).select_related("city", "partner").order_by("established_on", "id"):
        other = partnership.other(city)
        if not city.wikidata_id or not other.wikidata_id:
            skipped.append(partnership)
            continue
        cells = [city.wikidata_id, TWINNED, other.wikidata_id]
        cells += [START, format_time(partnership.established_on, partnership.established_precision)]
        if partnership.ended_on:
            cells += [END, format_time(partnership.ended_on, partnership.ended_precision)]
        cells += [REFERENCE_URL, f'"{base_url.rstrip("/")}{other.get_absolute_url()}"']
        cells += [RETRIEVED, format_time(day, DatePrecision.DAY)]
        lines.append("\t".join(cells))
    return "".join(line + "\n" for line in lines), skipped
