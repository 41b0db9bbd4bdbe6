"""``full_clean()`` of many records at once, with the database rules checked in bulk.

:func:`full_clean_many` gives each record exactly the errors its own ``full_clean()`` would
(field rules, the model's ``clean()``, unique fields and the named constraints, each on the
field :data:`~registry.models.base.CONSTRAINT_FIELDS` names), but asks the database once per
chunk of records and rule instead of once per record and rule:

- a ``CheckConstraint`` (and the condition of a conditional ``UniqueConstraint``) is evaluated
  by the database with the SQL of the table's own ``CHECK`` (Django's ``build_where`` without
  table aliases, as its schema editor writes it), over the records' values given as a
  table named as the model's (a ``VALUES`` list; on PostgreSQL an ``unnest`` of one array per
  column, :func:`_rows_as_table`), so NULLs, ``LIKE`` case rules and types behave exactly
  as on insert;
- a unique field or ``UniqueConstraint`` (fields or expressions) is one query for the stored
  rows holding any of the records' values, and two records of the same batch with the same
  values are a conflict too (the second is reported), as the database would refuse them;
- a foreign key whose related record was loaded in this import is not looked up again; one
  that was not (a stored row's partnership, say) is looked up once per chunk of values.

Used by the spreadsheet imports (:mod:`registry.resources`); a model's rule that needs other
rows is asked for all records at once: a model with such rules splits its ``clean()`` into
``clean_alone()`` (this record only) and the class method ``clean_together(records)``
(``{index: ValidationError}``, e.g. :meth:`~registry.models.Partnership.clean_together`).

A record with errors of its own (fields, ``clean_alone()``) is not checked against the rules
that read other rows, as ``full_clean()`` skips the constraints of a field with errors.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connections, models
from django.db.models import F, Q
from django.db.models.expressions import DatabaseDefault
from django.db.models.sql import Query
from django.utils.translation import gettext as _

from .models.base import CONSTRAINT_FIELDS, text_fields, values_in, without_implied

PG_PARAMS = 30_000  # parameters per query on PostgreSQL (its limit is 65,535)


def full_clean_many(
    records: Sequence[models.Model],
    *,
    using: str = "default",
    labels: Sequence[str] | None = None,
    as_stored: bool = False,
) -> dict[int, ValidationError]:
    """Validate ``records`` (instances of one model) as ``full_clean()`` would, the database rules
    in bulk (see the module). Returns ``{index in records: ValidationError}`` (a dict of field
    name → errors) for each record with errors; the others are valid. Like ``full_clean()``, it
    normalises what each model's ``clean()`` normalises (dates to their precision).

    ``labels`` name each record to a person (``"Row 4"``: an import's file row): a rule that two
    records of ``records`` break together, and no stored row, is then reported on the second
    naming the first (:func:`batch_clash`); without them it reads as a clash with a stored row,
    which a new user then looked for in vain (helper-84).

    ``as_stored``: the records are rows as the database holds them (a restore's check,
    ``import_registry``), so the rules the database holds (its ``CHECK``s and unique indexes,
    checked on insert, and its foreign keys, which ``loaddata`` checks before it commits) held
    for them: only the model's own rules are checked (fields, ``clean()``, ``clean_together``),
    with no query for the others."""
    if not records:
        return {}
    model = type(records[0])
    errors: dict[int, dict[str, list[ValidationError]]] = {}

    def add(index: int, error: ValidationError, field: str = NON_FIELD_ERRORS) -> None:
        error_dict = error.update_error_dict({}) if hasattr(error, "error_dict") else {field: error.error_list}
        for name, messages in error_dict.items():
            errors.setdefault(index, {}).setdefault(name, []).extend(messages)

    # A field's clean() (Django's to_python, validate and validators) that depends on its value
    # alone is asked once per distinct value (:func:`_clean_by_value`): a field with choices
    # (django-countries rebuilds its 250 choices on every check) and every other field that is
    # no text and no relation (a text has the registry's rules of clean_fields(), made the text it
    # stores first; a relation is looked up). Of 1.0 s of CPU that this took for 5,000 new cities,
    # 0.3 s was Django's validators of the same latitudes, longitudes and versions again.
    texts = set(text_fields(model))
    by_value = [
        f
        for f in model._meta.concrete_fields
        if not f.is_relation and not f.generated and (f.choices is not None or f not in texts)
    ]
    by_value_names = [f.name for f in by_value]
    cleaned: dict[tuple, object] = {}
    order = {f.name: position for position, f in enumerate(model._meta.concrete_fields)}
    relations = [f for f in model._meta.concrete_fields if f.is_relation]
    before_clean_many = getattr(model, "before_clean_many", None)  # what each clean() would read, read at once
    if before_clean_many is not None:
        before_clean_many(list(records))
    unloaded: dict[models.Field, dict[object, list[int]]] = {}  # field → value → indexes
    field_errors: dict[int, dict[str, list[ValidationError]]] = {}  # index → field → errors
    for index, record in enumerate(records):
        # A related record loaded in this import exists: not looked up again. An empty one (an
        # empty cell: the import set it to None) is checked, so that a required one is refused
        # under its column (it passed, and the write failed on the database's NOT NULL;
        # adversarial probe).
        skipped = {f.name for f in relations if f.is_cached(record) and getattr(record, f.attname) is not None}
        for field in relations:
            value = getattr(record, field.attname)
            if value is not None and not field.is_cached(record):
                unloaded.setdefault(field, {}).setdefault(value, []).append(index)
                skipped.add(field.name)
        try:
            record.clean_fields(exclude=skipped.union(by_value_names))
        except ValidationError as error:
            field_errors[index] = error.update_error_dict({})
    for field in by_value:  # field by field, each record's value (of 5,000 records: 60,000 calls less)
        _clean_by_value(field, records, field_errors, cleaned)
    for index, record in enumerate(records):
        if index in field_errors:  # in the model's order of fields, as full_clean() gives them
            found = field_errors[index]
            add(index, ValidationError(dict(sorted(found.items(), key=lambda item: order.get(item[0], -1)))))
        try:
            getattr(record, "clean_alone", record.clean)()
        except ValidationError as error:
            add(index, error)
    for field, indexes_of in () if as_stored else unloaded.items():
        for index, error in _missing_references(field, indexes_of, using).items():
            add(index, error, field.name)
    clean_together = getattr(model, "clean_together", None)
    if clean_together is not None:
        alone = [index for index in range(len(records)) if NON_FIELD_ERRORS not in errors.get(index, {})]
        together = [records[index] for index in alone]
        found_together = (
            clean_together(together, labels=[labels[index] for index in alone]) if labels else clean_together(together)
        )
        for position, error in found_together.items():
            add(alone[position], error)
    if as_stored:
        return {index: ValidationError(found) for index, found in errors.items()}
    # As full_clean(): a field with an error is left out of the rules that name it.
    excluded = [{name for name in errors.get(index, {}) if name != NON_FIELD_ERRORS} for index in range(len(records))]
    for index, error in _database_rules(model, records, excluded, using, labels).items():
        add(index, error)
    return {index: ValidationError(found) for index, found in errors.items()}


# The types of a value whose clean() is kept per value (hashable and immutable, so that one
# cleaned value may be shared by many records); the type is part of the key (``True == 1``), and
# a Decimal, date or float is keyed by its repr (``Decimal("1.0") == Decimal("1.00")`` but their
# decimal places differ, as do ``0.0`` and ``-0.0`` once stored).
_KEPT_BY_VALUE = (str, int, bool, type(None))
_KEPT_BY_REPR = (Decimal, float, datetime.date, datetime.datetime, datetime.time, datetime.timedelta)
_NONE = object()  # no value kept (yet)
_LEFT = object()  # a blank field's empty value: not cleaned, left as it is


def _value_key(held) -> tuple | None:
    """What tells a value a record holds from another of the same field, to keep what a
    function of it alone gives (:func:`_clean_by_value`, :func:`_db_column`): its type and the
    value, or its repr (:data:`_KEPT_BY_REPR`); ``None`` for a value not kept (not in the
    record's ``__dict__``: a deferred field; a database default; another type)."""
    kind = type(held)
    if kind in _KEPT_BY_VALUE:
        return (kind, held)
    if kind in _KEPT_BY_REPR:
        return (kind, repr(held))
    return None


def _clean_by_value(
    field, records: Sequence[models.Model], errors: dict[int, dict[str, list]], cleaned: dict[tuple, object]
) -> None:
    """Django's check of ``field`` of each of ``records`` as ``Model.clean_fields()`` makes it (a
    blank field's empty value and a database default are left alone, any other value is replaced
    by its ``clean()``), with what it found (the cleaned value, the error, or that it is left
    alone) kept in ``cleaned`` per field and distinct value of a type in :data:`_KEPT_BY_VALUE` or
    :data:`_KEPT_BY_REPR`; any other value is cleaned on its own. Each error is added to
    ``errors`` (index → field → errors). The value is the one the record holds (``__dict__``),
    which a descriptor turns into what ``getattr`` reads: django-countries makes a new ``Country``
    of the code on each read (25 µs), so a record whose code was seen is not read at all."""
    name, attname = field.name, field.attname
    for index, record in enumerate(records):
        key = _value_key(record.__dict__.get(attname, _NONE))
        if key is not None:
            key = (name, *key)
        result = _NONE if key is None else cleaned.get(key, _NONE)
        if result is _NONE:
            raw = getattr(record, attname)
            if (field.blank and raw in field.empty_values) or isinstance(raw, DatabaseDefault):
                result = _LEFT
            else:
                try:
                    result = field.clean(raw, record)
                except ValidationError as error:
                    result = error
            if key is not None:
                cleaned[key] = result
        if isinstance(result, ValidationError):
            errors.setdefault(index, {})[name] = result.error_list
        elif result is not _LEFT:
            setattr(record, attname, result)


def load_references(records: Sequence[models.Model], using: str = "default") -> None:
    """Read the records that ``records`` (instances of one model) refer to by each foreign key
    not read yet, once per reference and chunk of values (:func:`~registry.models.base.values_in`),
    and keep each on its record, as ``select_related`` would: what a model's ``clean()`` reads
    (an agreement's partnership, an itinerary stop's delegation) then costs no query per record.
    Django's ``prefetch_related_objects`` asks for every value in one ``IN`` list, which SQLite
    refuses past 1,000 ("Expression tree is too large")."""
    if not records:
        return
    connection = connections[using]
    for field in type(records[0])._meta.concrete_fields:
        if not (field.many_to_one or field.one_to_one):
            continue
        wanted = {getattr(r, field.attname) for r in records if not field.is_cached(r)} - {None}
        if not wanted:
            continue
        target = field.target_field
        found = {}
        for chunk in values_in(target, sorted(wanted), connection):
            related = field.related_model._base_manager.using(using).filter(**{f"{target.attname}__in": chunk})
            found.update((getattr(obj, target.attname), obj) for obj in related)
        for record in records:
            value = getattr(record, field.attname)
            if value in found and not field.is_cached(record):
                field.set_cached_value(record, found[value])


def _missing_references(field, indexes_of: dict[object, list[int]], using: str) -> dict[int, ValidationError]:
    """The foreign key ``field``'s check of ``ForeignKey.validate()`` (the referenced row exists
    and meets ``limit_choices_to``) for many values at once: ``indexes_of`` maps each value to the
    indexes of the records holding it; one query (per 500 values on SQLite:
    :func:`~registry.models.base.values_in`). Returns ``{index: error}``."""
    target = field.remote_field.field_name
    values = list(indexes_of)
    found = set()
    related = field.remote_field.model
    for chunk in values_in(related._meta.get_field(target), values, connections[using]):
        existing = related._base_manager.using(using).filter(**{f"{target}__in": chunk})
        found.update(existing.complex_filter(field.get_limit_choices_to()).values_list(target, flat=True))
    errors = {}
    for value in values:
        if value in found:
            continue
        for index in indexes_of[value]:
            errors[index] = ValidationError(
                field.error_messages["invalid"],
                code="invalid",
                params={
                    "model": field.remote_field.model._meta.verbose_name,
                    "pk": value,
                    "field": target,
                    "value": value,
                },
            )
    return errors


def _database_rules(
    model, records: list, excluded: list[set[str]], using: str, labels: Sequence[str] | None = None
) -> dict[int, ValidationError]:
    """Check and unique constraints and unique fields of ``records``, by index; a rule that
    names a field in the record's ``excluded`` set is not checked for it, and an error whose
    field is excluded is reported as a non-field error (as ``validate_constraints`` does). Two
    records that clash with each other (and with no stored row) are told so when ``labels``
    name them (:func:`batch_clash`)."""
    connection = connections[using]
    checks = [c for c in model._meta.constraints if isinstance(c, models.CheckConstraint)]
    uniques = [c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    conditions = [c.condition for c in checks] + [c.condition for c in uniques if c.condition is not None]
    expressions = [e for c in uniques for e in c.expressions]
    truth = _evaluate(model, records, conditions, expressions, excluded, connection)
    names_of = {
        id(rule): {
            f.name
            for f in _referenced(model, [rule.condition] if rule.condition else [], getattr(rule, "expressions", ()))
        }
        | set(getattr(rule, "fields", ()))
        for rule in checks + uniques
    }
    found: dict[int, ValidationError] = {}

    def report(index: int, constraint, message, code, field) -> None:
        target = CONSTRAINT_FIELDS.get(getattr(constraint, "name", ""), field)
        if target in excluded[index]:
            target = NON_FIELD_ERRORS
        found.setdefault(index, ValidationError({})).error_dict.setdefault(target, []).append(
            ValidationError(message, code=code)
        )

    for index, values in enumerate(truth):
        for position, check in enumerate(checks):
            if values[position] is False and not names_of[id(check)] & excluded[index]:
                report(index, check, check.get_violation_error_message(), check.violation_error_code, NON_FIELD_ERRORS)
    # Unique fields (``unique=True``) and unique constraints: the key of each record, or None.
    keys: list[tuple[object, list[str], list[tuple | None]]] = []
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key:
            record_keys = [
                None if field.name in out else _field_key(r, [field]) for r, out in zip(records, excluded, strict=True)
            ]
            keys.append((field, [field.name], record_keys))
    condition_at = len(checks)
    expression_at = len(conditions)
    for constraint in uniques:
        if constraint.condition is not None:
            applies = [values[condition_at] is not False for values in truth]
            condition_at += 1
        else:
            applies = [True] * len(records)
        applies = [ok and not names_of[id(constraint)] & out for ok, out in zip(applies, excluded, strict=True)]
        if constraint.fields:
            fields = [model._meta.get_field(name) for name in constraint.fields]
            record_keys = [_field_key(r, fields) if ok else None for r, ok in zip(records, applies, strict=True)]
        else:
            count = len(constraint.expressions)
            record_keys = [
                _not_null(tuple(values[expression_at : expression_at + count])) if ok else None
                for values, ok in zip(truth, applies, strict=True)
            ]
            expression_at += count
        keys.append((constraint, list(constraint.fields), record_keys))
    for rule, names, record_keys in keys:
        stored = _stored_keys(model, rule, record_keys, connection, using)
        seen: dict[tuple, int] = {}
        for index, (record, key) in enumerate(zip(records, record_keys, strict=True)):
            if key is None:
                continue
            other = stored.get(key)
            with_stored = other is not None and other != record.pk
            clash = with_stored or key in seen
            seen.setdefault(key, index)
            if not clash:
                continue
            field = names[0] if len(names) == 1 else NON_FIELD_ERRORS
            default_message = isinstance(rule, models.Field) or (
                rule.fields and rule.violation_error_message == rule.default_violation_error_message
            )
            if default_message:
                message = record.unique_error_message(model, names)
                code = message.code
            else:
                message, code, field = rule.get_violation_error_message(), rule.violation_error_code, NON_FIELD_ERRORS
            if labels and not with_stored:
                message = batch_clash(model, rule, names, labels[seen[key]])
            report(index, rule, message, code, field)
    return {index: ValidationError(without_implied(error.error_dict)) for index, error in found.items()}


def batch_clash(model, rule, names: list[str], other: str) -> str:
    """The message of a unique ``rule`` (a unique field or ``UniqueConstraint`` on the fields
    ``names``) that a record breaks with ``other``, an earlier record of the same batch
    (``"Row 4"``), not with a stored row: "Row 4 has the same slug; each city needs its own." for
    a rule on fields (whatever its message: "This partnership is already recorded: …" read as a
    clash with a stored row; helper-86), else (a rule on expressions) the rule's message after
    "Row 4 and this row break this rule together:"."""
    if names:  # its fields say it better than a message written for a stored row ("already recorded")
        return _("%(other)s has the same %(fields)s; each %(model)s needs its own.") % {
            "other": other,
            "fields": " / ".join(str(model._meta.get_field(name).verbose_name) for name in names),
            "model": model._meta.verbose_name,
        }
    return _("%(other)s and this row break this rule together: %(rule)s") % {
        "other": other,
        "rule": rule.get_violation_error_message(),
    }


def _field_key(record, fields) -> tuple | None:
    """The values of ``fields`` of ``record``; ``None`` when one is NULL (NULLs never clash)."""
    return _not_null(tuple(getattr(record, field.attname) for field in fields))


def _not_null(key: tuple) -> tuple | None:
    """``key`` (a record's values of a unique rule), or ``None`` when one of them is NULL: a
    unique index never finds two rows clashing on a NULL, nor does Django's
    ``validate_constraints``. A rule on expressions (``claim_one_value_per_partnership_fact``)
    kept its NULLs, so every claim about an event clashed with each claim of the same fact and
    value about another event (their ``partnership`` NULL), though the database holds both."""
    return None if any(value is None for value in key) else key


def _referenced(model, conditions, expressions) -> list:
    """The concrete fields the conditions and expressions name."""
    names: set[str] = set()
    for condition in conditions:
        names |= {name.split("__")[0] for name in condition.referenced_base_fields} | _f_names(condition)
    for expression in expressions:
        names |= _f_names(expression)
    if "pk" in names:  # F("pk") in a rule (e.g. agreement_not_superseded_by_itself) is the primary key column
        names.add(model._meta.pk.name)
    return [field for field in model._meta.concrete_fields if field.name in names or field.attname in names]


def _f_names(node) -> set[str]:
    """Names in the ``F()`` references inside a ``Q`` or an expression."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, F):
            found.add(item.name.split("__")[0])
        elif isinstance(item, Q):
            stack.extend(child[1] if isinstance(child, tuple) else child for child in item.children)
        elif hasattr(item, "get_source_expressions"):
            stack.extend(item.get_source_expressions())
    return found


def _chunks(count: int, width: int, connection) -> tuple[range, int]:
    """Start positions of chunks of records whose ``width`` parameters each fit one query, and
    the chunk size."""
    limit = connection.features.max_query_params or PG_PARAMS
    size = max(1, limit // max(width, 1))
    return range(0, count, size), size


def _evaluate(model, records, conditions, expressions, excluded, connection) -> list[list]:
    """For each record: each condition's truth (``True``/``False``/``None`` for SQL's unknown)
    and each expression's value, computed by the database from the record's values (NULL for
    a field in its ``excluded`` set, whose value may not be storable)."""
    if not conditions and not expressions:
        return [[] for _ in records]
    fields = _referenced(model, conditions, expressions)
    query = Query(model=model, alias_cols=False)
    compiler = query.get_compiler(connection=connection)
    editor = connection.SchemaEditorClass(connection)

    def inline(sql: str, params) -> str:
        # As the schema editor writes a CHECK: the parameters inlined as SQL literals.
        return (sql % tuple(editor.quote_value(p) for p in params)).replace("%", "%%")

    selects = []
    for condition in conditions:
        sql = inline(*query.build_where(condition).as_sql(compiler, connection))
        selects.append(f"CASE WHEN ({sql}) THEN 1 WHEN NOT ({sql}) THEN 0 END")
    for expression in expressions:
        selects.append(inline(*compiler.compile(expression.resolve_expression(query, allow_joins=False))))
    quote = connection.ops.quote_name
    columns = ", ".join(["_row", *(quote(f.column) for f in fields)])
    table = quote(model._meta.db_table)
    results: list[list] = []
    with connection.cursor() as cursor:
        for sql, params in _rows_as_table(fields, records, excluded, connection):
            cursor.execute(
                f"WITH {table} ({columns}) AS ({sql}) SELECT _row, {', '.join(selects)} FROM {table} ORDER BY _row",
                params,
            )
            for row in cursor.fetchall():
                truth = [None if v is None else bool(v) for v in row[1 : 1 + len(conditions)]]
                results.append([*truth, *row[1 + len(conditions) :]])
    return results


def _rows_as_table(fields, records, excluded, connection):
    """``records`` as rows of a table with the columns ``_row`` (the record's index) and
    ``fields`` (NULL for a field in the record's ``excluded`` set): ``(sql, params)`` pairs, each
    a ``SELECT`` of some of the rows.

    On PostgreSQL one ``unnest`` of an array per column, typed as the column, however many
    records: a ``VALUES`` list of 5,000 rows took 30,000 parameters, which the driver spent
    0.2 s rewriting and the server parsing (two thirds of a partnership file's queries). Elsewhere a
    ``VALUES`` list per chunk of rows that fits the database's parameter limit."""
    cells = [_db_column(field, records, excluded, connection) for field in fields]
    if connection.vendor == "postgresql":
        arrays = ", ".join(["CAST(%s AS bigint[])", *(f"CAST(%s AS {f.cast_db_type(connection)}[])" for f in fields)])
        yield f"SELECT * FROM unnest({arrays})", [list(range(len(records))), *cells]
        return
    row = f"({', '.join(['%s'] * (len(fields) + 1))})"
    starts, size = _chunks(len(records), len(fields) + 1, connection)
    for start in starts:
        end = min(start + size, len(records))
        params = [p for i in range(start, end) for p in (i, *(column[i] for column in cells))]
        yield f"{_typed(fields, connection)}VALUES {', '.join([row] * (end - start))}", params


def _typed(fields, connection) -> str:
    """On SQLite, an empty first ``SELECT`` that gives the ``VALUES`` columns the table's column
    affinities (a decimal column compares as a number with ``'90'``, as in the table's ``CHECK``)."""
    if connection.vendor != "sqlite":
        return ""
    return f"SELECT NULL, {', '.join(f'CAST(NULL AS {f.db_type(connection)})' for f in fields)} WHERE 0 UNION ALL "


def _db_column(field, records, excluded, connection) -> list:
    """:func:`_db_value` of ``field`` for each of ``records`` (``None`` where ``excluded``), each
    distinct value (:func:`_value_key`) prepared once: of 5,000 partnerships, Django's
    ``get_db_prep_save`` of the same dates, kinds and statuses again took 75,000 calls."""
    name, attname = field.name, field.attname
    prepared: dict[tuple, object] = {}
    column = []
    for index, record in enumerate(records):
        if name in excluded[index]:
            column.append(None)
            continue
        key = _value_key(record.__dict__.get(attname, _NONE))
        if key is None:
            column.append(_db_value(field, record, connection))
            continue
        value = prepared.get(key, _NONE)
        if value is _NONE:
            value = prepared[key] = _db_value(field, record, connection)
        column.append(value)
    return column


def _db_value(field, record, connection):
    """The value the table would hold for ``field`` of ``record``. On SQLite a decimal column
    stores a number (NUMERIC affinity), so a decimal is given as one, not as text."""
    value = field.get_db_prep_save(getattr(record, field.attname), connection)
    if connection.vendor == "sqlite" and isinstance(value, Decimal | str) and isinstance(field, models.DecimalField):
        return float(value)
    return value


def _stored_keys(model, rule, record_keys, connection, using) -> dict[tuple, object]:
    """Stored rows' keys for ``rule`` (a unique field or constraint) among ``record_keys``:
    ``{key: pk}``, one query per chunk of keys."""
    wanted = sorted({key for key in record_keys if key is not None}, key=repr)
    if not wanted:
        return {}
    queryset = model._default_manager.using(using).order_by()
    if isinstance(rule, models.Field):
        names, lookups = [rule.attname], [rule.attname]
    elif rule.fields:
        names = lookups = [model._meta.get_field(name).attname for name in rule.fields]
    else:
        aliases = {f"_key{i}": expression for i, expression in enumerate(rule.expressions)}
        queryset = queryset.annotate(**aliases)
        names = lookups = list(aliases)
    if not isinstance(rule, models.Field) and rule.condition is not None:
        queryset = queryset.filter(rule.condition)
    stored: dict[tuple, object] = {}
    firsts = sorted({key[0] for key in wanted}, key=repr)
    size = _chunks(len(firsts), 1, connection)[1]
    if isinstance(rule, models.Field) or rule.fields:
        first = model._meta.get_field(lookups[0])
    else:  # an expression (``Least("city", "partner")``): typed as its result
        first = queryset.query.annotations[lookups[0]].output_field
    for chunk in values_in(first, firsts, connection, chunk=size):
        for pk, *key in queryset.filter(**{f"{lookups[0]}__in": chunk}).values_list("pk", *names):
            stored[tuple(key)] = pk
    return stored
