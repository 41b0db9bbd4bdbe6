"""The admin's partial dates: a date typed to its precision, ``1989``, ``1989-10`` or
``1989-10-24``, read as the API and the imports read it (:func:`registry.dates.parse_partial_date`),
checked against the precision chosen beside it and stored cut to it
(:func:`registry.models.base.truncate_to_precision`): :class:`PartialDateFormField`,
:func:`clean_partial_date` and :class:`PartialDatesFormMixin`, used by the partnership, agreement
and event forms (:class:`registry.admin_base.PartialDatesModelForm`), the partnership's stages and
actions and "Record a new partnership". Split from :mod:`registry.admin_base` so that neither module
passes ~600 lines."""

import datetime
from typing import NamedTuple

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .dates import (
    PARTIAL_DATE_INVALID,
    PARTIAL_DATE_NO_SUCH_DAY,
    NoSuchDay,
    coarser_than,
    iso_partial,
    parse_partial_date,
    validate_in_range,
)
from .models import DatePrecision, truncate_to_precision


class WrittenDate(NamedTuple):
    """A date as typed in an admin form: its first day and the precision it was written to."""

    day: datetime.date
    precision: str


class PartialDateFormField(forms.CharField):
    """An admin form's date written to its precision, read as the API and the imports read it
    (:func:`registry.dates.parse_partial_date`): ``1989``, ``1989-10`` or ``1989-10-24``, cleaned to
    a :class:`WrittenDate` (``None`` when empty). Text that is no such date, or a day the calendar
    lacks, is an error (code ``invalid``, or ``no_such_day`` for ``2023-02-30``); a date outside
    the registry's range, ``date_out_of_range``.
    The form compares it with its precision field (:func:`clean_partial_date`)."""

    default_error_messages = {"invalid": PARTIAL_DATE_INVALID}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", AdminDateWidget)
        super().__init__(**kwargs)

    def to_python(self, value) -> WrittenDate | None:
        if isinstance(value, datetime.date):  # a stored value given back to the field
            return WrittenDate(value, DatePrecision.DAY)
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return WrittenDate(*parse_partial_date(text))
        except NoSuchDay:
            raise ValidationError(PARTIAL_DATE_NO_SUCH_DAY, code="no_such_day", params={"value": text}) from None
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value) -> None:
        super().validate(value)
        if value is not None:
            validate_in_range(value.day)

    def has_changed(self, initial, data) -> bool:
        """Changed when the day typed is not the stored one (``1989`` over a stored 1989-01-01 is
        no change; a change of precision is its own field's)."""
        try:
            value = self.to_python(data)
        except ValidationError:
            return True
        stored = self.to_python(initial) if initial not in self.empty_values else None
        return (stored.day if stored else None) != (value.day if value else None)


#: The empty choice of a :class:`PrecisionFormField`: the precision the date is typed to.
AS_WRITTEN = _("As written (1989 is a year)")


class PrecisionFormField(forms.ChoiceField):
    """The precision beside an admin form's partial date: year, month or day, or left empty
    (:data:`AS_WRITTEN`, the first choice and a new record's default): the precision the date is
    typed to, as the API and the imports take a date given without its precision (``1989`` is a
    year, ``1989-10`` a month). :func:`clean_partial_date` fills it in; with no date, it is day,
    the model's default. Before, it started at day and a typed ``2024`` was refused until one
    changed it (new-user probe)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", [("", AS_WRITTEN), *DatePrecision.choices])
        kwargs["required"] = False
        super().__init__(**kwargs)


def clean_partial_date(form: forms.Form, date_field: str, precision_field: str) -> None:
    """Compare the date ``form.cleaned_data[date_field]`` (a :class:`WrittenDate` from
    :class:`PartialDateFormField`) with the precision chosen in ``precision_field``: a date coarser
    than it (``1989`` with ``day``, :func:`registry.dates.coarser_than`) is an error on the date
    (code ``date_coarser_than_precision``) naming the precision field; otherwise the cleaned date
    becomes the day cut to that precision (the model's
    :func:`~registry.models.base.truncate_to_precision`). A precision left empty
    (:class:`PrecisionFormField`) becomes the one the date is written to, or day without a date.
    Called from the form's ``clean()``."""
    cleaned = form.cleaned_data
    written = cleaned.get(date_field)
    if precision_field in form.fields and precision_field in cleaned and not cleaned[precision_field]:
        cleaned[precision_field] = written.precision if isinstance(written, WrittenDate) else DatePrecision.DAY
    if not isinstance(written, WrittenDate):
        return
    wanted = cleaned.get(precision_field)
    cleaned[date_field] = truncate_to_precision(written.day, wanted) if wanted else written.day
    if wanted and coarser_than(written.precision, wanted):
        form.add_error(
            date_field,
            ValidationError(
                _(
                    "“%(value)s” gives the %(precision)s only, but “%(precision_field)s” says %(wanted)s: "
                    "give the full date, or choose %(precision)s in “%(precision_field)s”."
                ),
                code="date_coarser_than_precision",
                params={
                    "value": iso_partial(written.day, written.precision),
                    "precision": DatePrecision(written.precision).label,
                    "precision_field": form.fields[precision_field].label,
                    "wanted": DatePrecision(wanted).label,
                },
            ),
        )


#: What the admin's partial date fields say beside the model's help text.
PARTIAL_DATE_HELP = _("Type YYYY, YYYY-MM or YYYY-MM-DD (e.g. 1989, 1989-10 or 1989-10-24), at least to its precision.")


class PartialDatesFormMixin:
    """The partial dates of a model form (``partial_dates``: date field → its precision field),
    typed as the API takes them (:class:`PartialDateFormField`): ``1989`` with precision ``year``,
    ``1989-10`` with ``month`` or a full date, stored cut to the precision; a date coarser than its
    precision is an error on the date (:func:`clean_partial_date`). A date field the form does not
    show is left alone; a disabled one (shown read-only) reads its stored date. A stored date is
    shown at its precision (``1989``, ``1989-10``; it showed ``1989-01-01``, a new user). Mixed into
    :class:`PartialDatesModelForm` and into an inline's row form (the partnership's stages), which
    has no version of its own."""

    partial_dates: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.partial_dates:
            field = self.fields.get(name)
            if field is None:
                continue
            help_text = PARTIAL_DATE_HELP
            if field.help_text:
                help_text = format_lazy("{} {}", field.help_text, PARTIAL_DATE_HELP)
            self.fields[name] = PartialDateFormField(
                required=field.required,
                label=field.label,
                help_text=help_text,
                widget=field.widget,
                disabled=field.disabled,
            )
            stored = getattr(self.instance, name, None) if self.instance.pk is not None else None
            if stored is not None:  # shown as written: 1989, not 1989-01-01, for a year
                self.initial[name] = iso_partial(stored, getattr(self.instance, self.partial_dates[name]))
            precision = self.fields.get(self.partial_dates[name])
            if precision is not None and not precision.disabled:
                self.fields[self.partial_dates[name]] = PrecisionFormField(
                    label=precision.label, help_text=precision.help_text, widget=precision.widget
                )
                if self.instance.pk is None:  # a new record's date: as written, unless chosen
                    self.initial[self.partial_dates[name]] = ""

    def clean(self):
        # First: a refusal of a later clean() (a version conflict) must not leave a WrittenDate in
        # cleaned_data for the instance.
        for name, precision in self.partial_dates.items():
            if name in self.fields:
                clean_partial_date(self, name, precision)
        return super().clean()
