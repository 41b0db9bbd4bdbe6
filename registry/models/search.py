"""Word search over a queryset's text columns (:class:`WordSearchMixin`), the same on SQLite and
PostgreSQL for every script (:class:`UnicodeLower`, registered on each SQLite connection by
:func:`register_sqlite_functions`). Cities search their folded names instead
(:meth:`registry.models.cities.CityQuerySet.search`).

Split from :mod:`registry.models.base` so that neither module passes ~600 lines; re-exported by
:mod:`registry.models`.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.lookups import Contains

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
                    if any(not char.isascii() and char.lower() != char.upper() for char in form):
                        condition |= Q(Contains(UnicodeLower(field), unicode_lower(form)))
                    else:
                        condition |= Q(**{f"{field}__icontains": form})
            every &= condition
        return every


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
