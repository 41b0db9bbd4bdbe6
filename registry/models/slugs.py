"""The form of a stored slug, as a database rule: ``<slug field>__slug_form=True``.

A record's slug is its address (``/cities/<slug>/``, the API's lookup, a fixture's natural key),
and Django's ``slug`` path converter takes ``[-a-zA-Z0-9_]+``. The model's field rules (Django's
``validate_slug`` and :meth:`~registry.models.base.SluggedModel.clean_fields`' small letters)
refuse any other slug from every writer; this look-up is the table's ``CHECK`` of the same form
(:func:`slug_rule`), so that a write past those rules (a raw ``update()``,
``bulk_create``, a shell, another program on the database) is refused by the database instead of
storing a record whose pages, lists, sitemaps and feeds then fail to link it (``NoReverseMatch``,
a 500 on every list that showed it; adversarial probe).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Lookup, Q
from django.utils.translation import gettext_lazy as _

from .base import rule

#: The characters of a slug, as a bracket expression of both databases' patterns: small ASCII
#: letters, digits, hyphen and underscore (at least one).
SLUG_CHARACTERS = "-a-z0-9_"


@models.SlugField.register_lookup
class SlugForm(Lookup):
    """``slug__slug_form=True``: the value is a non-empty run of :data:`SLUG_CHARACTERS`
    (``False``: it is not). SQL only, for constraints and queries: PostgreSQL matches a regular
    expression, SQLite a ``GLOB`` (no function of Django's, so the table's ``CHECK`` holds for any
    program that writes to the file). Raises ``ValueError`` for a right-hand side that is not a
    ``bool``."""

    lookup_name = "slug_form"
    prepare_rhs = False

    def get_prep_lookup(self):
        if not isinstance(self.rhs, bool):
            raise ValueError(f"The slug_form look-up takes True or False, not {self.rhs!r}.")
        return self.rhs

    def as_sql(self, compiler, connection):
        # PostgreSQL: ``$`` is the end of the text only (not before a final newline, as in Python).
        lhs, params = self.process_lhs(compiler, connection)
        return self.negated_if_false(f"{lhs} ~ '^[{SLUG_CHARACTERS}]+$'"), params

    def as_sqlite(self, compiler, connection):
        # GLOB reads the text up to its first NUL only ('paris\x00X/Y' passed; adversarial probe):
        # ``instr`` sees the whole text.
        lhs, params = self.process_lhs(compiler, connection)
        sql = f"({lhs} <> '' AND {lhs} NOT GLOB '*[^{SLUG_CHARACTERS}]*' AND instr({lhs}, char(0)) = 0)"
        return self.negated_if_false(sql), (*params, *params, *params)

    def negated_if_false(self, sql: str) -> str:
        return sql if self.rhs else f"NOT ({sql})"


def slug_rule(prefix: str) -> models.CheckConstraint:
    """``<prefix>_slug_form``: the table's copy of a slug's form (:class:`SlugForm`), which
    :class:`~registry.models.base.SluggedModel`'s field rules check for every writer (so
    ``validate_constraints`` skips it: ``checked_by_field``). Each slugged model names it in its
    ``Meta.constraints``."""
    message = _("A slug is made of small ASCII letters, digits, hyphens and underscores, e.g. “almaty”.")
    return rule(
        f"{prefix}_slug_form", Q(**{f"slug__{SlugForm.lookup_name}": True}), message, "slug", checked_by_field=True
    )
