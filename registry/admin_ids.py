"""Ids that reach the admin from a URL, a query string or a form (``/<id>/history/``,
``?partner=``, ``_selected_action``, ``restore``): anything that is not an id of the model —
text, NUL, ``1.5``, a number beyond the 64-bit range PostgreSQL refuses — is treated as no id,
before the database sees it (issue 13: never a 500, on SQLite or PostgreSQL).

The one home of that check is :func:`parse_id`; the admin's id readers call it:
:class:`CheckedIdsMixin` (autocomplete widgets that re-show a submitted or initial value, and the
changelist actions' selected rows) on every ``ModelAdmin`` and inline of :mod:`registry.admin` and
the modules it imports, the guided entry's autocomplete widgets (:mod:`registry.guided_entry`), and
the history and restore views of :class:`registry.admin_base.RegistryAdmin`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .text import stored_text

# The range of a PostgreSQL ``bigint`` (SQLite's integers are the same size).
ID_RANGE = range(-(2**63), 2**63)


def parse_id(field: models.Field, value: object) -> object | None:
    """``value`` (a string from a request) as a value of ``field`` (a primary key or the field a
    foreign key points at), or ``None`` when it is none: the field's ``to_python()`` refuses it,
    it holds NUL, or it is an integer outside ``ID_RANGE``. Raises nothing."""
    if value is None or "\x00" in str(value):
        return None
    try:
        number = field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return None
    if isinstance(number, int) and number not in ID_RANGE:
        return None
    return number


class CheckedAutocompleteMixin:
    """An autocomplete widget that shows only the values that are ids of the target model; the
    library's widget hands every submitted value to the database (a 500 for ``X`` or 10**20)."""

    def optgroups(self, name, value, attr=None):
        target = self.field.remote_field.model._meta
        field = target.get_field(getattr(self.field.remote_field, "field_name", None) or target.pk.name)
        value = [item for item in value if parse_id(field, item) is not None]
        return super().optgroups(name, value, attr)


class CheckedAutocompleteSelect(CheckedAutocompleteMixin, AutocompleteSelect):
    pass


class CheckedAutocompleteSelectMultiple(CheckedAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class CheckedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A many-to-many field that refuses a value that is no id (its ``invalid_pk_value`` error)
    before the library's ``__in`` query, which SQLite cannot bind for an integer beyond 64 bits."""

    def _check_values(self, value):
        meta = self.queryset.model._meta
        field = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        for item in value:
            if parse_id(field, item) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                )
        return super()._check_values(value)


class ComposedCharField(forms.CharField):
    """A text form field whose value is what was typed in Unicode's composed form
    (:func:`registry.text.stored_text`), as the model stores it: the form and its formset compare
    and check it so. An alias typed "Mu\u0308nster" beside a stored "Münster" passed the inline
    formset's duplicate check and broke the database's unique constraint (a 500), and saving a
    name typed decomposed but unchanged recorded a change (adversarial probe)."""

    def to_python(self, value):
        value = super().to_python(value)
        return stored_text(value) if isinstance(value, str) and value else value


class CheckedIdsMixin:
    """For a ``ModelAdmin`` or an inline: autocomplete widgets that ignore values that are no id,
    many-to-many fields that refuse them as a form error, and (on a ``ModelAdmin``) a changelist
    action whose selected rows include something that is no id is refused with a message, running
    on no row; a changelist filter value no date can hold is an invalid lookup
    (:meth:`get_changelist_instance`); a text field reads what was typed in composed form
    (:meth:`formfield_for_dbfield`)."""

    def get_changelist_instance(self, request):
        """Django's changelist, with a filter value that cannot become a date treated like any
        invalid lookup: the list reloads without it, marked with Django's error flag. ``?…__year=``
        beyond any integer the database takes raised ``OverflowError``, and ``?established_on__year=0``
        on a list without it as its date hierarchy (Wikidata proposals) ``ValueError`` ("year 0 is
        out of range"): both were a 500 (adversarial probes)."""
        try:
            return super().get_changelist_instance(request)
        except (OverflowError, ValueError):
            raise IncorrectLookupParameters from None

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """Django's form field, a plain text field (``forms.CharField``: a name, a title, notes)
        reading what was typed as the registry stores it (:class:`ComposedCharField`)."""
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if type(formfield) is forms.CharField:
            formfield.__class__ = ComposedCharField  # the same field, reading composed text
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", CheckedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        wrong = [value for value in selected if parse_id(self.model._meta.pk, value) is None]
        if wrong:
            self.message_user(
                request,
                _("Not an id of a row: %(values)s. No items have been changed.")
                % {"values": ", ".join(repr(value.replace("\x00", "\\x00"))[:40] for value in wrong[:5])},
                messages.ERROR,
            )
            return None
        return super().response_action(request, queryset)
