"""Evaluate a check constraint's condition on an unsaved instance in Python.

Django validates a ``CheckConstraint`` by sending ``SELECT 1 WHERE <condition>`` to the
database: one query per constraint per ``full_clean()``. For the simple conditions the
registry uses (comparisons, ``isnull``, ``startswith``, ``in``, ``length``, ``F()`` of
another field, combined with AND/OR/NOT) :func:`evaluate` gives the same answer without
a query, with SQL's three-valued logic: a comparison with NULL is *unknown*, and a CHECK
constraint fails only when its condition is *false*. Anything else returns
:data:`UNSUPPORTED` and the caller falls back to Django's query.
"""

from __future__ import annotations

import operator

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Q

UNSUPPORTED = object()

_COMPARE = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _and(values):
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values):
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _value(instance, name: str):
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname), field


def _leaf(instance, key: str, rhs):
    parts = key.split("__")
    lookup = "exact"
    transform = None
    if parts[-1] in _COMPARE or parts[-1] in {"isnull", "startswith", "in"}:
        lookup = parts.pop()
    if len(parts) == 2 and parts[1] == "length":
        transform = parts.pop()
    if len(parts) != 1:
        return UNSUPPORTED
    try:
        value, _ = _value(instance, parts[0])
    except FieldDoesNotExist:
        return UNSUPPORTED
    if isinstance(rhs, F):
        try:
            rhs, _ = _value(instance, rhs.name)
        except FieldDoesNotExist:
            return UNSUPPORTED
        if rhs is None:
            return None
    elif hasattr(rhs, "resolve_expression"):
        return UNSUPPORTED
    if transform == "length":
        value = None if value is None else len(str(value))
    if lookup == "isnull":
        return (value is None) == bool(rhs)
    if value is None:
        return None
    if lookup == "exact" and rhs is None:
        return False
    if lookup == "startswith":
        return str(value).startswith(str(rhs))
    if lookup == "in":
        return value in rhs
    try:
        return _COMPARE[lookup](value, rhs)
    except TypeError:
        return UNSUPPORTED


def evaluate(condition, instance):
    """``True``/``False``/``None`` (unknown) for ``condition`` on ``instance``, or :data:`UNSUPPORTED`."""
    if isinstance(condition, Q):
        results = [evaluate(child, instance) for child in condition.children]
        if any(result is UNSUPPORTED for result in results):
            return UNSUPPORTED
        value = _and(results) if condition.connector == Q.AND else _or(results)
        if condition.negated and value is not None:
            value = not value
        return value
    if isinstance(condition, tuple) and len(condition) == 2:
        return _leaf(instance, *condition)
    return UNSUPPORTED


def referenced_fields(condition) -> set[str]:
    """Names of the fields ``condition`` refers to (on either side of a lookup)."""
    names: set[str] = set()
    if isinstance(condition, Q):
        for child in condition.children:
            names |= referenced_fields(child)
    elif isinstance(condition, tuple):
        key, rhs = condition
        names.add(key.split("__")[0])
        if isinstance(rhs, F):
            names.add(rhs.name.split("__")[0])
    return names
