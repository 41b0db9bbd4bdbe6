"""The registry's rules as named database constraints, and how their violations are reported:
:func:`rule` (a ``CheckConstraint``) and :func:`unique` (a ``UniqueConstraint``), each with its
message and the field it concerns; the rules whose violation makes others' redundant
(:func:`without_implied`); the reading of a write the database refused (:func:`refused_rule`); and
the look-ups that read many values at once (:func:`values_in`).
Re-exported by :mod:`registry.models.base`, where :meth:`RegistryModel.validate_constraints`
reads them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Constraint name → the field its error belongs to (filled by ``rule()``).
CONSTRAINT_FIELDS: dict[str, str] = {}

# Constraints that the field's own rules already check, with the field's message
# (``rule(..., checked_by_field=True)``): ``validate_constraints`` does not ask the database again.
CHECKED_BY_FIELD: set[str] = set()


def rule(
    name: str, condition: Q, message: str, field: str | None = None, *, checked_by_field: bool = False
) -> models.CheckConstraint:
    """A named ``CheckConstraint`` whose violation is reported as ``message`` on ``field``. With
    ``checked_by_field``, ``field``'s own rules (``clean_fields``) refuse every value the
    constraint refuses, so :meth:`RegistryModel.validate_constraints` skips it (no query): the
    table's copy of the rule is there for writes that skip validation."""
    if field:
        CONSTRAINT_FIELDS[name] = field
    if checked_by_field:
        CHECKED_BY_FIELD.add(name)
    return models.CheckConstraint(
        condition=condition, name=name, violation_error_code=name, violation_error_message=message
    )


#: Rules whose violation makes others' redundant: ``{rule: rules not reported beside it}``
#: (:func:`without_implied`). A partnership already recorded (its natural key) is also a second
#: open one of its pair; both were shown, the second as Django's "Partnership with this City,
#: Partner city, Kind and Established on already exists." (new-user probe).
IMPLIED_RULES: dict[str, frozenset[str]] = {"partnership_natural_key": frozenset({"partnership_one_open_per_pair"})}


def values_in(field: models.Field, values: Sequence, connection, *, chunk: int = 500) -> Iterator[list | RawSQL]:
    """``values`` of ``field`` as the right sides of ``<field>__in`` look-ups, one query each: on
    PostgreSQL one array of them all (``IN (SELECT unnest(%s::type[]))``, one parameter however
    many values: the driver rewrote a 5,000-value list parameter by parameter, a tenth of a
    5,000-row import's check); on SQLite one JSON array of them all (``IN (SELECT value FROM
    json_each(%s))``) when each prepared value is a text or a whole number, which JSON keeps as
    it is (Django compiled a list's values one by one, a twentieth of an import of 5,000 new
    cities, profiled); elsewhere, or for other values (a decimal), lists of at most ``chunk``
    values. No value, no look-up."""
    values = list(values)
    if connection.vendor == "postgresql" and values:
        prepared = [field.get_db_prep_value(value, connection) for value in values]
        yield RawSQL(f"SELECT unnest(%s::{field.cast_db_type(connection)}[])", [prepared])
        return
    if connection.vendor == "sqlite" and values:
        prepared = [field.get_db_prep_value(value, connection) for value in values]
        if all(type(value) in _JSON_AS_IS for value in prepared):
            # Not ASCII-escaped: a text the driver cannot send (a lone surrogate) fails as a list's would.
            yield RawSQL("SELECT value FROM json_each(%s)", [json.dumps(prepared, ensure_ascii=False)])
            return
    for start in range(0, len(values), chunk):
        yield values[start : start + chunk]


_JSON_AS_IS = (str, int)  # a bool is an int to Python but true/false to JSON: sent as a list


def without_implied(errors: dict[str, list[ValidationError]]) -> dict[str, list[ValidationError]]:
    """``errors`` (field → errors, each with its rule's name as its code) without the errors a
    reported rule implies (:data:`IMPLIED_RULES`); fields left without an error are dropped. Used
    by :meth:`RegistryModel.validate_constraints` and :func:`registry.bulk_validation.full_clean_many`."""
    codes = {error.code for found in errors.values() for error in found}
    implied = frozenset().union(*(IMPLIED_RULES.get(code, frozenset()) for code in codes))
    if not implied:
        return errors
    return {name: kept for name, found in errors.items() if (kept := [e for e in found if e.code not in implied])}


def unique(name: str, *expressions, message: str, field: str, **kwargs) -> models.UniqueConstraint:
    """A named ``UniqueConstraint`` whose violation is reported as ``message`` on ``field``."""
    CONSTRAINT_FIELDS[name] = field
    return models.UniqueConstraint(
        *expressions, name=name, violation_error_code=name, violation_error_message=message, **kwargs
    )


def no_such_record(model: type[models.Model], key: str, value: object) -> str:
    """The refusal of a reference to no record, naming the model, its key field and the value
    as given: "No city has the slug “no-such-city”.", "No partnership has the ID “7”." (``key``
    ``"pk"`` names the primary key). The one wording of a spreadsheet cell's
    (:meth:`registry.resource_base.RegistryResource.import_field`) and an API reference's
    (:class:`registry.api.fields.StrictSlugRelatedField`), translated in the active language."""
    field = model._meta.pk if key == "pk" else model._meta.get_field(key)
    return gettext("No %(model)s has the %(key)s “%(value)s”.") % {
        "model": model._meta.verbose_name,
        "key": field.verbose_name,
        "value": value,
    }


def stored_values(model: type[models.Model], records, fields) -> dict[object, dict]:
    """``{pk: {field: value}}`` of ``fields`` as stored, for those of ``records`` (instances of
    ``model``) already stored, one query per chunk of primary keys
    (:func:`values_in`): what a model's ``before_clean_many`` reads to compare each record with
    its stored row (:meth:`registry.models.Partnership.before_clean_many`,
    :meth:`registry.models.PartnershipStage.before_clean_many`). A record not found is left out."""
    pks = sorted({record.pk for record in records if not record._state.adding and record.pk is not None})
    manager = model._base_manager
    connection = connections[manager.db]
    stored = {}
    for chunk in values_in(model._meta.pk, pks, connection):
        rows = manager.filter(pk__in=chunk).order_by().values("pk", *fields)
        stored.update((row.pop("pk"), row) for row in rows)
    return stored


# --------------------------------------------------------------------------- refused writes

# SQLite names a CHECK constraint, a unique index on expressions as ``index 'name'``, and any other
# unique constraint by its columns (``table.column, table.column``).
SQLITE_CONSTRAINT = re.compile(r"(?:UNIQUE|CHECK) constraint failed: (?:index '(?P<index>[^']+)'|(?P<names>.+))")

#: The words for a refused write whose rule is not known (:func:`refused_rule` gave ``None``).
CONCURRENT_CHANGE = _("The change conflicts with a change saved at the same time; read the record and try again.")


def constraint_name(error: IntegrityError) -> str:
    """The violated constraint's name (PostgreSQL's diagnostics; SQLite's message names a
    CHECK constraint or a unique index on expressions, else the ``table.column`` list of a UNIQUE
    one); ``""`` when unknown."""
    diag = getattr(error.__cause__, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name
    match = SQLITE_CONSTRAINT.search(str(error))
    if match is None:
        return ""
    return match["index"] or match["names"].strip()


def columns_of(model: type[models.Model], constraint) -> str:
    """How SQLite names a unique ``constraint`` on fields of ``model`` when a write breaks it
    (``table.column, table.column``); ``""`` for one on expressions."""
    fields = getattr(constraint, "fields", None) or ()
    return ", ".join(f"{model._meta.db_table}.{model._meta.get_field(name).column}" for name in fields)


class RefusedRule(NamedTuple):
    """The rule a write broke, for a person: ``code``, the constraint's name (``"unique"`` for a
    unique column); ``field``, the field the error belongs to (``None``: the record as a whole);
    ``message``, the rule's message in the active language."""

    code: str
    field: str | None
    message: str


def refused_rule(error: IntegrityError, model: type[models.Model] | None = None) -> RefusedRule | None:
    """The registry's rule that the database's refusal ``error`` names (:func:`constraint_name`):
    one of its named constraints, with the field :data:`CONSTRAINT_FIELDS` gives, or a unique
    column of ``model`` ("Another city already has this slug."); ``None`` when the refusal names
    no known rule. The one reading of a refused write, used by the API's 409
    (:func:`registry.api.exceptions.integrity_conflict`), an import written meanwhile
    (:class:`registry.resource_writes.WrittenMeanwhile`) and a snapshot's restore
    (``import_registry``); never the database's own text."""
    name = constraint_name(error)
    for app_model in apps.get_app_config("registry").get_models():
        for constraint in app_model._meta.constraints:
            if name and name in (constraint.name, columns_of(app_model, constraint)):
                code, message = constraint.name, str(constraint.get_violation_error_message())
                return RefusedRule(code, CONSTRAINT_FIELDS.get(code), message)
    if model is not None:
        for field in model._meta.concrete_fields:
            column = f"{model._meta.db_table}.{field.column}"
            if field.unique and (name == column or name.startswith(f"{model._meta.db_table}_{field.column}_")):
                message = gettext("Another %(model)s already has this %(field)s.") % {
                    "model": model._meta.verbose_name,
                    "field": field.verbose_name,
                }
                return RefusedRule("unique", field.name, message)
    return None
