"""A condition whose SQL is compiled once per database and reused (:class:`CompiledOnce`).

Who may see a city, a source, an organization or a person is a tree of correlated ``EXISTS``
subqueries (:func:`registry.models.base.referenced_by_public`: a source's holds 27). Django
resolves and compiles such a tree on every query that filters on it; compiling it was 12.6 of the
23 ms of a cold list of sources (SQLite, the shipped data; issue 12). The tree never changes while
the process runs (it reads no date and no user, and a changed setting rebuilds it), so its SQL
does not either, as long as it is compiled under the same names of its tables. It is still
resolved each time (about half of what is left of that cost): reusing a resolved tree would also
have to repeat what resolving does to the query (the aliases its subqueries take), which is
Django's own.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from django.db import models
from django.db.models.expressions import Col, Expression
from django.db.models.sql import Query

#: ``(database alias, key, table)`` → ``(sql, params)`` of a condition at the top of a query (a
#: longer slot inside a subquery: :meth:`CompiledOnce.as_sql`).
_compiled: dict[tuple, tuple[str, tuple]] = {}


class CompiledOnce(Expression):
    """A boolean condition on the rows of a query's own model, ``build()`` (a ``Q``, typically
    of ``Exists`` subqueries correlated on ``OuterRef("pk")``), for ``filter``, ``Q`` and
    ``When``: the same rows as ``filter(build())``, in the same SQL.

    Django resolves it where the query is built, as it resolves the ``Q`` (it is held here as
    ``When`` holds its condition, and renamed with the query when that becomes a subquery).
    Where the model's table is under its own name in the query that compiles it (the top of a
    query, as in ``Source.objects.filter(...)``), its SQL and parameters are compiled once per
    database alias and ``key`` and then reused: the subqueries inside it name their tables
    ``U0``, ``V0``, … and the condition refers only to its own table, so the SQL is the same in
    every such query. Inside a subquery whose tables Django renamed, it is compiled once per
    naming of its tables (:func:`aliases_of`: two with visibilities of one query's cities are
    named apart, and each has its own).

    ``key`` names the condition (hashable; the same key must always build the same condition);
    :func:`forget` drops every compiled one (a test that changes a setting the condition reads).
    """

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, key: Hashable, build: Callable[[], models.Q]):
        super().__init__()
        self.key = key
        self.build = build
        self.condition = None  # the resolved condition (a WhereNode), once resolved

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r})"

    @property
    def identity(self):
        return (type(self), self.key)

    def __eq__(self, other):
        # Equal as the resolved conditions are (as ``When``'s), so that Django merges two only
        # where they are resolved alike (``Node.add`` drops a condition equal to one it holds).
        return isinstance(other, CompiledOnce) and (other.key, other.condition) == (self.key, self.condition)

    def __hash__(self):
        return hash(self.identity)

    def get_source_expressions(self):
        return [self.condition] if self.condition is not None else []

    def set_source_expressions(self, exprs):
        if exprs:
            (self.condition,) = exprs

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        clone = self.copy()
        if self.condition is None:  # built into a query
            clone.condition = query.build_where(self.build())
        else:  # that query resolved in turn as a subquery of another: as Django resolves a Q's
            clone.condition = self.condition.resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return clone

    def as_sql(self, compiler, connection):
        query = compiler.query
        table = query.get_meta().db_table
        base = next(iter(query.alias_map), None)  # Query.base_table, without its cache
        # At the top of a query the condition's SQL is always the same; inside a subquery it
        # depends on the names Django gave the tables when it resolved it, read off the tree.
        slot = (connection.alias, self.key, table) if base == table else (connection.alias, self.key, table, base)
        if base != table:
            slot += aliases_of(self.condition)
        if slot in _compiled:
            sql, params = _compiled[slot]
            return sql, list(params)
        sql, params = compiler.compile(self.condition)
        _compiled[slot] = (sql, tuple(params))
        return sql, list(params)


def aliases_of(condition) -> tuple:
    """Every name the resolved ``condition`` gives a table, in the order of a walk of its tree:
    each subquery's prefix, table aliases (with their joins' types) and the outer aliases it
    refers to (and whether each is an alias or a table's name, which decides its quoting), and
    each column's table alias. Two
    resolutions of the same condition with the same names compile to the same SQL."""
    names: list = []
    stack = [condition]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if isinstance(node, Query):
            joins = tuple((alias, getattr(join, "join_type", None)) for alias, join in node.alias_map.items())
            names.append((node.alias_prefix, joins, tuple(sorted(node.external_aliases.items()))))
            stack.append(node.where)
            stack.extend(node.annotations.values())
            stack.extend(node.select)
        elif isinstance(node, Col):
            names.append(node.alias)
        elif hasattr(node, "get_source_expressions"):
            stack.extend(node.get_source_expressions())
    return tuple(names)


def forget() -> None:
    """Drop every compiled condition: they are compiled again on their next use."""
    _compiled.clear()
