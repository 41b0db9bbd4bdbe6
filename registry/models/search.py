"""Word search over a queryset's text columns (:class:`WordSearchMixin`), the same on SQLite and
PostgreSQL for every script (:class:`UnicodeLower`, registered on each SQLite connection by
:func:`register_sqlite_functions`). Cities search their folded names instead
(:meth:`registry.models.cities.CityQuerySet.search`).

Split from :mod:`registry.models.base` so that neither module passes ~600 lines; re-exported by
:mod:`registry.models`.
"""

from __future__ import annotations

import operator
from functools import reduce

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Lower
from django.db.models.lookups import Contains, Exact, StartsWith
from django.utils.text import smart_split, unescape_string_literal

from ..text import typed_word_forms


class WordSearchMixin:
    """``search(query)`` over the text columns a model's queryset lists in ``search_fields``
    (cities and partnerships search folded names instead: their :meth:`search_condition`).

    ``search`` is :meth:`search_condition` applied; the condition alone (a ``Q`` naming only the
    model's own columns and foreign keys) also narrows the model's history records, whose
    columns are the same: the admin's deleted records (:func:`registry.services.records.search_history`)
    are searched as its change list is."""

    search_fields: tuple[str, ...] = ()

    def search(self, query: str):
        """Rows in which every word of ``query`` appears (:meth:`search_condition`); none for a
        query without words (only punctuation, say)."""
        condition = self.search_condition(query)
        return self.none() if condition is None else self.filter(condition)

    def search_condition(self, query: str) -> Q | None:
        """The condition (``Q``) of rows in which every word of ``query`` appears in one of
        ``search_fields``, ignoring case, as typed or folded (:func:`registry.text.typed_word_forms`:
        ``"Almaty,"`` and ``"Almatý"`` find Almaty; punctuation is not a word), or ``None`` for a
        query without words.

        Case is ignored for every script on both databases: a word with letters beyond ASCII
        that have case (``"алматы"``, ``"ÉCOLE"``) is compared in lower case
        (:class:`UnicodeLower`), since SQLite's ``LIKE`` (``icontains``) ignores the case of
        ASCII letters only; other words keep ``icontains``, which an index of the database's
        own can serve."""
        terms = typed_word_forms(query)
        if not terms:
            return None
        every = Q()
        for forms in terms:
            condition = Q()
            for field in self.search_fields:
                for form in forms:
                    condition |= case_blind(field, "icontains", form)
            every &= condition
        return every


#: The lookups :func:`case_blind` compares in lower case, each with its case-sensitive twin.
CASE_BLIND_LOOKUPS = {"icontains": Contains, "istartswith": StartsWith, "iexact": Exact}


def case_blind(field: str, lookup: str, word: str) -> Q:
    """``field__<lookup>=word`` (``icontains``, ``istartswith`` or ``iexact``) ignoring case for
    every script on both databases: a word with letters beyond ASCII that have case (``"ÜRÜMQI"``,
    ``"алматы"``) is compared in lower case (:class:`UnicodeLower`), since SQLite's ``LIKE``
    ignores the case of ASCII letters only (PostgreSQL's ``UPPER … LIKE`` folds them all, so the
    same search found other rows there); other words keep Django's lookup, which an index of the
    database's own can serve. Read by :meth:`WordSearchMixin.search_condition` and
    :func:`admin_search`."""
    if lookup in CASE_BLIND_LOOKUPS and any(not char.isascii() and char.lower() != char.upper() for char in word):
        return Q(CASE_BLIND_LOOKUPS[lookup](UnicodeLower(field), unicode_lower(word)))
    return Q(**{f"{field}__{lookup}": word})


#: Django's admin search prefixes of a search field and the lookups they stand for.
ADMIN_SEARCH_PREFIXES = {"^": "istartswith", "=": "iexact", "@": "search"}


def admin_search(queryset: QuerySet, search: str, search_fields) -> QuerySet:
    """``queryset`` narrowed as Django's admin search narrows a change list, the case of every
    script ignored alike on both databases (:func:`case_blind`; Django's lookups fold ASCII
    letters only on SQLite, so "ürümqi" found “Ürümqi” on PostgreSQL alone): each word of
    ``search`` (a quoted phrase is one word) in at least one of ``search_fields`` (a model
    admin's: ``"name"``, ``"city__name_en"``; ``icontains``, or the lookup of Django's prefixes
    ``^ = @`` or the one a field names, ``"slug__iexact"``), every word found. A field the
    queryset's rows cannot follow is left out (a history record's reverse relation, such as a
    deleted city's ``names__name``: the rows it owned are gone); with none left, nothing
    matches. Read by the change list of a model without a search of its own (former names)
    and by the deleted records' list (:func:`registry.services.records.search_history`)."""
    lookups = [found for name in search_fields if (found := _admin_lookup(queryset.model, str(name)))]
    if not lookups:
        return queryset.none()
    for word in smart_split(search):
        if word[:1] in "\"'" and word[-1:] == word[:1]:
            word = unescape_string_literal(word)
        queryset = queryset.filter(reduce(operator.or_, (case_blind(path, lookup, word) for path, lookup in lookups)))
    return queryset


def _admin_lookup(model: type[Model], search_field: str) -> tuple[str, str] | None:
    """``(path, lookup)`` of a search field as Django's admin reads it (``"^slug"``:
    ``("slug", "istartswith")``; ``"slug__iexact"``: ``("slug", "iexact")``), or ``None`` when
    ``model``'s rows cannot follow it: a name that is no field, or a reverse relation."""
    prefix = ADMIN_SEARCH_PREFIXES.get(search_field[:1])
    name = search_field[1:] if prefix else search_field
    opts, field, parts = model._meta, None, name.split(LOOKUP_SEP)
    for index, part in enumerate(parts):
        try:
            field = opts.get_field(opts.pk.name if part == "pk" else part)
        except FieldDoesNotExist:
            last = index == len(parts) - 1
            if prefix is None and last and field is not None and field.get_lookup(part) is not None:
                return LOOKUP_SEP.join(parts[:index]), part
            return None
        if field.auto_created and not field.concrete:  # a reverse relation
            return None
        if field.is_relation:
            opts = field.related_model._meta
    return name, prefix or "icontains"


class UnicodeLower(Lower):
    """``text`` in lower case for every script on both databases, the Greek final sigma (ς) written
    σ, as :func:`unicode_lower` gives it in Python: on PostgreSQL ``REPLACE(LOWER(text), 'ς',
    'σ')``; on SQLite, whose ``lower()`` changes ASCII letters only, :func:`unicode_lower`
    registered on each connection as ``registry_lower`` (:func:`register_sqlite_functions`)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="REGISTRY_LOWER", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = self.as_sql(compiler, connection, **extra_context)
        return f"REPLACE({sql}, %s, %s)", (*params, FINAL_SIGMA, SIGMA)


FINAL_SIGMA, SIGMA = "\u03c2", "\u03c3"


def unicode_lower(text: str | None) -> str | None:
    """``text`` in lower case with the Greek final sigma written σ (``None`` stays ``None``): the
    one form in which a search word and a stored text are compared (:class:`UnicodeLower`).
    Python's ``lower()`` writes Σ at a word's end as ς ("ΚΌΣ" → "κός") but inside a word as σ
    ("Κόσμος" → "κόσμος"), so a word typed in capitals would miss the text that goes on."""
    return None if text is None else text.lower().replace(FINAL_SIGMA, SIGMA)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """Give each new SQLite connection the functions the registry's queries call
    (``registry_lower``: :class:`UnicodeLower`); connected to ``connection_created`` by
    :meth:`registry.apps.RegistryConfig.ready`. Other databases are left alone."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("REGISTRY_LOWER", 1, unicode_lower, deterministic=True)
