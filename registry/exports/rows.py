"""The rows of an export: read from the database in chunks, as plain values, never as model instances.

A :class:`Table` names the columns of one kind of row and what they read: fields through
``QuerySet.values()`` and, per chunk of rows, one query per :class:`Related` (a row's sources,
former names, signatories, ...). :func:`records` gives the rows a reader may see, chunk by
chunk, so memory does not grow with the number of rows and the number of queries does not
either (one set per chunk of :data:`CHUNK_SIZE`).
"""

from __future__ import annotations

import contextlib
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connections, transaction
from django.db.models import Model, QuerySet

# Rows read (and related values read for) at a time; Django's default chunk of ``iterator()``.
CHUNK_SIZE = 2000
LIST_SEPARATOR = "; "

Row = dict[str, Any]


@dataclass(frozen=True)
class Related:
    """Values of the rows related to each exported row (its sources, former names, signatories,
    ...), read once per chunk of exported rows: one query for the whole chunk, never one per row.

    ``rows(user)`` is a queryset of the related rows in their order (the reader may see them:
    ``user`` is the reader, ``None`` when anonymous); ``link`` the lookup from those rows to
    the exported row's primary key; ``fields`` the values read, each row's list holding one
    value per related row (or a tuple, for several ``fields``).
    """

    rows: Callable[[Any], QuerySet]
    link: str
    fields: tuple[str, ...] = ("slug",)

    def read(self, pks: list, user) -> dict[Any, list]:
        """``{exported row's pk: [value or tuple of values, ...]}`` for the rows whose pks are ``pks``."""
        found: dict[Any, list] = defaultdict(list)
        many = len(self.fields) > 1
        rows = self.rows(user).filter(**{f"{self.link}__in": pks}).values_list(self.link, *self.fields)
        for link, *values in rows:
            found[link].append(tuple(values) if many else values[0])
        return found


@dataclass(frozen=True)
class Gathered:
    """Values related to each exported row that a queryset method gathers itself, once per chunk
    of exported rows, where one lookup (:class:`Related`'s ``link``) cannot say which rows they
    belong to: a city's partnerships on either side
    (:meth:`~registry.models.partnership_queries.PartnershipQuerySet.of_each_city`).

    ``read(pks, user)`` gives ``{exported row's pk: [value or tuple of values, ...]}`` for the
    rows whose pks are ``pks``, of what ``user`` (``None`` when anonymous) may see.
    """

    read: Callable[[list, Any], dict[Any, list]]


def linked(model: type[Model], name: str, field: str = "slug") -> Related:
    """The ``field`` (the slug) of each record in the many-to-many ``model.<name>``, in the
    related model's default order."""
    relation = model._meta.get_field(name)
    return Related(lambda user: relation.related_model.objects.all(), relation.related_query_name(), (field,))


def people(model: type[Model], link: str) -> Related:
    """Signatories, participants or members (``model``, linked by ``link``): each one's
    person's slug and role, in their order (see :func:`who`)."""
    return Related(lambda user: model.objects.all(), link, ("person__slug", "role"))


@dataclass(frozen=True)
class Table:
    """The export columns of one kind of row, and the name of its list.

    ``name`` names the list in export file names and as an XLSX worksheet's title: the last
    part of the list's URL (``cities``, ``cooperation-fields``), the same on the pages and in
    the API (:func:`~registry.exports.responses.export_filename`). ``columns`` maps each header
    to a function of a row giving its value: text, an ``int`` or ``float``, or ``None``
    (empty). For a model's table, a row is a dict: the ``fields`` read with
    ``QuerySet.values()`` (lookups across foreign keys, ``<name>_visible`` annotations of
    ``with_visibility`` named in ``visibility``, and the expressions ``computed`` returns, read
    when the rows are, under their names), plus, under each key of ``related``, the
    list its :class:`Related` (or :class:`Gathered`) gives for the row. Other tables (the
    countries page's) take the rows their caller computed. For GeoJSON, ``place`` gives the
    ``(latitude, longitude)`` a row stands at and ``key`` its feature id. ``annotate(queryset,
    user)`` adds what the rule of its model computes for the reader, read under the names in
    ``fields`` (a delegation's travel dates: ``with_travel_dates``).
    """

    columns: dict[str, Callable[[Any], Any]]
    name: str = "rows"
    fields: tuple[str, ...] = ()
    related: dict[str, Related | Gathered] = field(default_factory=dict)
    visibility: tuple[str, ...] = ()
    computed: Callable[[], dict[str, Any]] = field(default=dict)
    place: Callable[[Row], tuple] | None = None
    key: Callable[[Row], Any] = field(default=lambda row: row["id"])
    annotate: Callable[[QuerySet, Any], QuerySet] | None = None


def joined(values: Iterable) -> str:
    """``values`` that are not empty, ``; ``-joined."""
    return LIST_SEPARATOR.join(str(value) for value in values if value not in (None, ""))


def coordinate(value: Decimal | None) -> float | None:
    """A coordinate as a number (WGS 84 degrees), as the API's JSON gives it."""
    return float(value) if value is not None else None


def if_visible(row: Row, field_name: str, value: str) -> Any:
    """``row[value]`` (e.g. ``partnership__partner__slug``) when the reader may see the record
    ``field_name`` points to (the ``<field_name>_visible`` annotation), else ``None``."""
    return row[value] if row[f"{field_name}_visible"] else None


def who(participants: list[tuple]) -> str:
    """Signatories, participants or members (:func:`people`): each person's slug, or the role
    where the source names no person."""
    return joined(slug if slug is not None else role for slug, role in participants)


def amount(outcome: tuple) -> str:
    """An outcome's money ``(amount, currency, qualifier)``: decimal, ISO 4217 code and
    qualifier (``3850000.00 USD more_than``)."""
    return "{} {} {}".format(*outcome)


def chunks(rows: Iterator, size: int) -> Iterator[list]:
    """``rows`` in lists of ``size`` rows (the last one shorter)."""
    while batch := list(itertools.islice(rows, size)):
        yield batch


def streaming(queryset: QuerySet) -> contextlib.AbstractContextManager:
    """What an export reads its rows inside. On PostgreSQL, a transaction: outside one, Django
    declares its server-side cursor ``WITH HOLD``, and PostgreSQL computes the whole result
    before handing over the first row (1.4 s before the first byte of 200,000 events); inside
    one the rows stream from the first. Elsewhere nothing: SQLite needs no server-side cursor,
    and a transaction there would take the write lock for the whole download."""
    connection = connections[queryset.db]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return transaction.atomic(using=queryset.db)
    return contextlib.nullcontext()


def records(queryset: QuerySet, *, user, table: Table) -> Iterator[Row]:
    """The rows of ``queryset`` that ``user`` may see (``None``: an anonymous reader), in its
    order, as dicts of what ``table``'s columns read (see :class:`Table`). Read with
    ``values()`` :data:`CHUNK_SIZE` rows at a time, plus one query per :class:`Related` per
    chunk (the same number of queries for 10 rows as for 1,000); no model instance is built,
    and nothing outlives its chunk."""
    visible = queryset.visible_to(user).select_related(None).prefetch_related(None)
    if table.visibility:
        visible = visible.with_visibility(user, *table.visibility)
    if table.annotate is not None:
        visible = table.annotate(visible, user)
    names = (*table.fields, *(f"{name}_visible" for name in table.visibility))
    with streaming(visible):
        rows = visible.values(*names, **table.computed()).iterator(chunk_size=CHUNK_SIZE)
        for chunk in chunks(rows, CHUNK_SIZE):
            if table.related:
                pks = [row["id"] for row in chunk]
                for name, related in table.related.items():
                    found = related.read(pks, user)
                    for row in chunk:
                        row[name] = found.get(row["id"], ())
            yield from chunk


def values(table: Table, row) -> dict[str, Any]:
    """``row``'s value in each column of ``table``, by header."""
    return {name: get(row) for name, get in table.columns.items()}


def instances(queryset: QuerySet, *, user, select: tuple[str, ...]) -> Iterator[Model]:
    """The records of ``queryset`` that ``user`` may see, in its order, with the foreign keys
    in ``select`` joined, :data:`CHUNK_SIZE` at a time (the calendar's components read them)."""
    visible = queryset.visible_to(user).select_related(None).prefetch_related(None)
    with streaming(visible):
        yield from visible.select_related(*select).iterator(chunk_size=CHUNK_SIZE)
