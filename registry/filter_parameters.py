"""The parameters of the registry's lists, as fields and filters for the FilterSets of
:mod:`registry.filters` (django-filter): each parameter's form field (what it accepts, its error
messages, what the OpenAPI schema documents) and how it applies, through a queryset method of the
model (``for_country``, ``in_region``, ``search``); the form of every FilterSet, which refuses a
parameter the list does not take (code ``unknown_parameter``); the ``ordering`` filter.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db.models import F, QuerySet
from django.http import QueryDict
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import BaseCSVField
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import extend_schema_field
from rest_framework.settings import api_settings

from . import dates, regions, text
from .models import CooperationField

# The API's query parameter naming the answer's language (a BCP 47 tag of settings.LANGUAGES),
# which outranks the Accept-Language header (registry.middleware.HeaderLanguageMiddleware).
LANGUAGE_PARAMETER = "lang"


def api_parameters() -> list[str]:
    """The query parameters that every API endpoint takes besides its own: ``format`` (DRF's
    ``URL_FORMAT_OVERRIDE``) and ``lang`` (:data:`LANGUAGE_PARAMETER`)."""
    return [api_settings.URL_FORMAT_OVERRIDE, LANGUAGE_PARAMETER]


# --------------------------------------------------------------------------- the form


class QueryForm(forms.Form):
    """A form of query parameters (a list's FilterSet, the home page's date): a parameter of one
    value given more than once (``?as_of=2020-01-01&as_of=2021-01-01``) is an error under its own
    name, code ``repeated_parameter`` (:func:`repeated_parameter`), where it was the last value,
    silently. ``other_params`` are the names the caller reads itself (``page``, ``format``), one
    value each too."""

    other_params: frozenset[str] = frozenset()

    def clean(self):
        cleaned_data = super().clean()
        single = [name for name, field in self.fields.items() if not takes_several(field)]
        for name, count in repeated_parameters(self.data, [*single, *self.other_params]):
            self.add_parameter_error(name, repeated_parameter(name, count))
        return cleaned_data

    def add_parameter_error(self, name: str, error: ValidationError) -> None:
        """``error`` under the parameter ``name``, which need not be a field (``add_error()``
        accepts only the names of fields), replacing the field's own error if any."""
        self.cleaned_data.pop(name, None)
        self._errors[name] = self.error_class([error], renderer=self.renderer)


class FilterForm(QueryForm):
    """The form of every registry FilterSet (built by :meth:`RegistryFilterSet.get_form_class`).

    Besides its fields' errors and a repeated parameter (:class:`QueryForm`), a query parameter
    that is neither one of its fields nor one of ``other_params`` (the names the caller reads
    itself) is an error under the parameter's own name, code ``unknown_parameter``: the pages
    show it and answer 400, the API answers 400 ``{"errors": {"<name>": [{"message", "code"}]}}``.
    The parameters a shared link carries for analytics (:func:`is_link_tracking`) are taken and
    ignored. A range that no date can be in (``established_after`` later than
    ``established_before``, every ``X_after``/``X_before`` pair) is an error under its ``_before``
    parameter, code ``empty_range``: it answered an empty list, which read as no record at all
    (helper-92).
    """

    def clean(self):
        cleaned_data = super().clean()
        known = [*self.fields, *self.other_params]
        for name in unknown_parameters(self.data, known):
            self.add_parameter_error(name, unknown_parameter(name, known))
        for after in [name for name in self.fields if name.endswith("_after")]:
            before = f"{after.removesuffix('_after')}_before"
            start, end = cleaned_data.get(after), cleaned_data.get(before)
            if start is not None and end is not None and before in self.fields and start > end:
                message = _("“%(before)s” (%(end)s) is earlier than “%(after)s” (%(start)s): no date is in both.")
                values = {"before": before, "after": after, "end": end.isoformat(), "start": start.isoformat()}
                self.add_parameter_error(before, ValidationError(message % values, code="empty_range"))
        return cleaned_data


def takes_several(field: forms.Field) -> bool:
    """Whether a query parameter's form field takes the parameter repeated (``country=kz&country=jp``)."""
    return isinstance(field, forms.MultipleChoiceField)


#: The query parameters that platforms and newsletters add to a link when it is shared (Google
#: Analytics' and Matomo's campaign tags, the click ids of Facebook, Google, Microsoft, Yandex,
#: X and Instagram, Mailchimp's): they say where a reader came from, never what to show, so a
#: page or list takes them and ignores them (:func:`is_link_tracking`). Refusing them answered
#: a 400 to every reader who followed a shared link.
LINK_TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
    }
)
LINK_TRACKING_PREFIXES = ("utm_", "mtm_", "pk_")


def is_link_tracking(name: str) -> bool:
    """Whether the query parameter ``name`` is one a shared link carries for analytics
    (:data:`LINK_TRACKING_PARAMETERS`, or ``utm_*``, ``mtm_*``, ``pk_*``)."""
    return name in LINK_TRACKING_PARAMETERS or name.startswith(LINK_TRACKING_PREFIXES)


def untracked(query: QueryDict) -> QueryDict:
    """A mutable copy of ``query`` without the parameters of a shared link's analytics
    (:func:`is_link_tracking`): the links a list builds from its query (other pages, its
    download, the removal of a filter, the API's ``next``) do not carry them on."""
    query = query.copy()
    for name in [name for name in query if is_link_tracking(name)]:
        del query[name]
    return query


def unknown_parameters(data: Iterable[str], known: Iterable[str]) -> list[str]:
    """The names in ``data`` (a query string's keys) that are not in ``known``, in order; the
    parameters of a shared link's analytics (:func:`is_link_tracking`) are not unknown."""
    known = set(known)
    return [name for name in data if name not in known and not is_link_tracking(name)]


def repeated_parameters(data, names: Iterable[str]) -> list[tuple[str, int]]:
    """``(name, count)`` of each of ``names`` that ``data`` (a ``QueryDict``; a plain dict holds
    one value a name) gives more than once."""
    getlist = getattr(data, "getlist", None)
    if getlist is None:
        return []
    return [(name, count) for name in names if (count := len(getlist(name))) > 1]


def repeated_parameter(name: str, count: int) -> ValidationError:
    """The error of a query parameter ``name`` of one value given ``count`` times (code
    ``repeated_parameter``); used by every list, the home page and the API's network endpoints."""
    return ValidationError(
        _("“%(name)s” is given %(count)s times; it takes one value: give it once."),
        code="repeated_parameter",
        params={"name": name, "count": count},
    )


def unknown_parameter(name: str, known: Iterable[str]) -> ValidationError:
    """The error of a query parameter ``name`` that the endpoint does not take (code
    ``unknown_parameter``), listing the ``known`` ones; used by every list and by the API's
    network endpoints."""
    return ValidationError(
        _("“%(name)s” is not a parameter of this list; it takes %(known)s."),
        code="unknown_parameter",
        params={"name": name, "known": ", ".join(sorted(known))},
    )


# --------------------------------------------------------------------------- country and region


#: The largest id or page number a query parameter takes: a signed 64-bit integer (PostgreSQL's
#: ``bigint``, SQLite's ``INTEGER``); the schema states it and the filters and pagination refuse more.
LARGEST_NUMBER = 2**63 - 1


class CountryCodesField(forms.MultipleChoiceField):
    """Several ISO 3166-1 alpha-2 codes, given by repeating the parameter; each in upper or
    lower case (``KZ``, ``kz``; not ``Kz``, not ``KZ,JP``); an empty value is ignored. Cleans to
    the codes in capitals.
    Exactly what the OpenAPI schema documents (:data:`COUNTRY_CODE_SCHEMA`)."""

    default_error_messages = {
        "invalid_choice": _(
            "“%(value)s” is not an ISO 3166-1 alpha-2 country code in upper or lower case, e.g. KZ; "
            "give several by repeating the parameter."
        ),
    }

    def to_python(self, value):
        """The codes given; an empty value is none (``country=``, what a page's form sends for
        "Any country", filters nothing, as an empty ``region`` or ``kind`` does)."""
        return [code for code in super().to_python(value) if code != ""]

    def valid_value(self, value):
        return (value.isupper() or value.islower()) and super().valid_value(value.upper())

    def clean(self, value):
        return [code.upper() for code in super().clean(value)]


def country_code_values() -> list[str]:
    """Every value the ``country`` parameter takes: each ISO 3166-1 alpha-2 code in capitals,
    then in lower case."""
    codes = [code for code, _name in countries]
    return [*codes, *(code.lower() for code in codes)]


def for_country(queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
    """The ``country`` filter of every list: the model's ``for_country(*codes)`` decides which
    country counts (a city's own, a partnership's partner's, any stop of an itinerary, ...)."""
    return queryset.for_country(*value)


@extend_schema_field(
    {
        "$ref": "#/components/schemas/CountryCode",
        "description": "ISO 3166-1 alpha-2 code in upper or lower case, e.g. KZ; repeat it for several.",
    }
)
class CountryCodesFilter(filters.MultipleChoiceFilter):
    """``country``: one or several ISO codes, applied by the queryset's ``for_country``."""

    field_class = CountryCodesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", lambda: list(countries))
        kwargs.setdefault("label", _("Country"))
        kwargs.setdefault(
            "help_text", _("ISO 3166-1 alpha-2 code in upper or lower case, e.g. KZ; repeat it for several.")
        )
        kwargs.setdefault("method", for_country)
        super().__init__(*args, **kwargs)


class RegionField(forms.ChoiceField):
    """A UN M49 area, given by its slug or its three-digit code exactly as listed; cleans to
    the slug. Exactly what the OpenAPI schema documents (:func:`region_values`)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in region_values():
            return regions.get_region(value).slug
        return value


def region_values() -> list[str]:
    """Every value the ``region`` parameter takes: each UN M49 area's slug, then its code."""
    found = regions.all_regions()
    return [*(region.slug for region in found), *(region.code for region in found)]


def region_choices() -> list[tuple[str, str]]:
    """(slug, name) of every UN M49 area, in the order of its name in the active language, as the
    countries are listed (a Korean page listed the regions in the order of their English names:
    아프리카, 아메리카 대륙, 아시아, 오스트랄라시아, 카리브 제도; helper-92)."""
    return sorted(((region.slug, region.name()) for region in regions.all_regions()), key=lambda choice: choice[1])


def in_region(queryset: QuerySet, name: str, value: str) -> QuerySet:
    """The ``region`` filter of every list: the model's ``in_region`` (its ``for_country`` over
    the countries of the UN M49 area ``value``, a slug)."""
    return queryset.in_region(regions.get_region(value))


@extend_schema_field(
    {
        "$ref": "#/components/schemas/RegionCode",
        "description": "UN M49 region or sub-region slug or code, e.g. central-asia or 143.",
    }
)
class RegionFilter(filters.ChoiceFilter):
    """``region``: a UN M49 area by slug or code, applied by the queryset's ``in_region``."""

    field_class = RegionField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", region_choices)
        kwargs.setdefault("label", _("UN M49 region"))
        kwargs.setdefault("help_text", _("UN M49 region or sub-region slug or code, e.g. central-asia or 143."))
        kwargs.setdefault("method", in_region)
        super().__init__(*args, **kwargs)
        self.extra["error_messages"] = {
            "invalid_choice": _(
                "“%(value)s” is not a UN M49 region; use a slug such as central-asia or a code such as 143."
            )
        }


# --------------------------------------------------------------------------- the other parameters


def search(queryset: QuerySet, name: str, value: str) -> QuerySet:
    """The ``q`` filter of every list: the model's ``search(query)`` decides what it matches. A
    query that shows nothing (:func:`registry.text.is_visible`: a zero-width space) is no query,
    as spaces are (the form strips those): it found nothing where ``q=%20`` listed every row
    (new-user probe)."""
    if not text.is_visible(value):
        return queryset
    return queryset.search(value)


DATE_HELP = _("A date as YYYY-MM-DD.")


class QueryDateField(forms.DateField):
    """A date parameter of a page or the API: exactly ``YYYY-MM-DD`` within the registry's
    range, as :func:`registry.dates.parse_query_date` reads it (a ``ValidationError`` with code
    ``invalid`` or ``date_out_of_range`` otherwise)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        return dates.parse_query_date(str(value))


class QueryDateFilter(filters.DateFilter):
    """A date filter whose value :class:`QueryDateField` reads."""

    field_class = QueryDateField


def date_filter(label, **kwargs) -> filters.DateFilter:
    """A YYYY-MM-DD parameter; ``kwargs`` say how it applies (``field_name`` and
    ``lookup_expr``, or ``method``)."""
    return QueryDateFilter(label=label, help_text=DATE_HELP, **kwargs)


#: What a bound of a range takes: the schema's description of the parameter (in English, as the
#: schema is) and, translated, its help text on the pages.
START_HELP = gettext_noop(
    "A date as YYYY, YYYY-MM or YYYY-MM-DD; a year or a month stands for its first day (2020: 2020-01-01)."
)
END_HELP = gettext_noop(
    "A date as YYYY, YYYY-MM or YYYY-MM-DD; a year or a month stands for its last day "
    "(2020: 2020-12-31, 2020-02: 2020-02-29)."
)


class QueryBoundField(QueryDateField):
    """A bound of a range (``X_after`` when ``end`` is false, ``X_before`` when it is true): a
    date written as a write takes it, ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, standing for its
    first day as a start and its last day as an end, as :func:`registry.dates.parse_query_bound`
    reads it (a ``ValidationError`` with code ``invalid``, ``no_such_day`` or
    ``date_out_of_range`` otherwise). :class:`FilterForm` compares the days it gives
    (``empty_range``)."""

    def __init__(self, *, end: bool = False, **kwargs):
        self.end = end
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        return dates.parse_query_bound(str(value), end=self.end)


@extend_schema_field({"$ref": "#/components/schemas/QueryBound", "description": START_HELP})
class QueryStartFilter(QueryDateFilter):
    """``X_after``: the first day of the year or month written (:class:`QueryBoundField`)."""

    field_class = QueryBoundField
    end = False

    def __init__(self, *args, reads: str | None = None, **kwargs):
        """``reads``: which dates of a row the bound is compared with, when the list's rows have
        more than one (a delegation's: its own, its itinerary's, its events'), a sentence in
        English named with ``gettext_noop``, put before what the parameter takes in its help text
        (translated) and in the schema's description (in English, as the schema is)."""
        takes = END_HELP if self.end else START_HELP
        kwargs.setdefault("help_text", format_lazy("{} {}", _(reads), _(takes)) if reads else _(takes))
        super().__init__(*args, **kwargs)
        self.extra["end"] = self.end
        if reads:
            set_override(self, "field", {"$ref": "#/components/schemas/QueryBound", "description": f"{reads} {takes}"})


@extend_schema_field({"$ref": "#/components/schemas/QueryBound", "description": END_HELP})
class QueryEndFilter(QueryStartFilter):
    """``X_before``: the last day of the year or month written (:class:`QueryBoundField`)."""

    end = True


def bound_filter(label, *, end: bool, **kwargs) -> QueryStartFilter:
    """An ``X_after`` (``end=False``) or ``X_before`` (``end=True``) parameter: ``YYYY``,
    ``YYYY-MM`` or ``YYYY-MM-DD`` (:class:`QueryBoundField`); ``kwargs`` say how it applies
    (``field_name`` and ``lookup_expr``, or ``method``) and may name the dates it reads
    (``reads``: :class:`QueryStartFilter`)."""
    return (QueryEndFilter if end else QueryStartFilter)(label=label, **kwargs)


def visible_cooperation_fields(request) -> QuerySet:
    """The cooperation fields the request's user may see (anyone's without a request)."""
    return CooperationField.objects.visible_to(getattr(request, "user", None))


@extend_schema_field({"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$"})
class CooperationFieldSlugFilter(filters.CharFilter):
    """``field``: a cooperation field by slug (``economy``; a slug is ASCII letters, digits,
    ``-`` and ``_``: anything else is refused, code ``invalid``). A slug naming no field the
    reader may see (:func:`visible_cooperation_fields`) selects nothing, as an unknown city
    does, so the parameter never reveals a draft. The page shows a menu of the fields instead
    of a text box (``registry.forms.ListFilterForm``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Cooperation field"))
        kwargs.setdefault("help_text", _("Cooperation field slug, e.g. economy."))
        kwargs.setdefault("validators", [validate_slug])
        kwargs.setdefault("strip", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(**{f"{self.field_name}__in": self.selected(value)})

    def selected(self, value: str) -> QuerySet:
        """The cooperation field ``value`` names among those the reader may see (0 or 1 row)."""
        return visible_cooperation_fields(getattr(self.parent, "request", None)).filter(slug=value)

    def describe(self, value: str) -> str:
        """``value`` as the page's list of active filters shows it: the field's name in the
        reader's language (``경제`` for ``economy`` on a Korean page), or the slug when it names
        no field the reader may see."""
        found = self.selected(value).first()
        return str(found) if found else value


def cooperation_field_filter(**kwargs) -> CooperationFieldSlugFilter:
    """``field``: see :class:`CooperationFieldSlugFilter`; ``kwargs`` say how it applies."""
    return CooperationFieldSlugFilter(**kwargs)


ORDERING_LABELS = {
    "name": _("Name"),
    "title": _("Title"),
    "country": _("Country"),
    "population": _("Population"),
    "partner": _("Partner city"),
    "kind": _("Kind"),
    "status": _("Status"),
    "established_on": _("Date established"),
    "signed_on": _("Date signed"),
    "start_on": _("Start date"),
    "published_on": _("Date published"),
}


def _descending_label(label) -> str:
    return gettext("%s (descending)") % label


descending_label = lazy(_descending_label, str)


def in_readers_order(qs):
    """``qs`` in its own ordering (or the model's), with names sorted as the reader sees them
    (:func:`text.localized_ordering`); unchanged where that makes no difference."""
    default = list(qs.query.order_by or qs.model._meta.ordering)
    localized = text.localized_ordering(qs.model, default)
    return qs if localized == default else qs.order_by(*localized)


class OrderingTermsField(BaseCSVField):
    """The comma-separated ``ordering`` terms, none of them empty: ``name,`` and ``,,`` are
    refused (code ``invalid``), as the schema's enum of terms says; an empty value is the
    default order (a page's form sends ``ordering=`` for "Default")."""

    def clean(self, value):
        if value and len(value) > 1 and any(term in ("", None) for term in value):
            raise ValidationError(_("An ordering term is empty (two commas, or one at an end)."), code="invalid")
        try:
            return super().clean(value)
        except ValidationError as error:
            if getattr(error, "code", None) != "invalid_choice":
                raise
            terms = [str(term) for term, _label in self.choices if term and not str(term).startswith("-")]
            raise ValidationError(
                _(
                    "“%(value)s” is not an ordering of this list; it takes %(terms)s, "
                    "each with “-” before it for descending order."
                ),
                code="invalid_choice",
                params={"value": error.params["value"], "terms": ", ".join(terms)},
            ) from None


class RegistryOrderingFilter(filters.OrderingFilter):
    """``ordering``: the allow-listed parameter names, with translated labels; ``-`` for
    descending. The primary key, in the direction of the last field, breaks ties, so rows
    that share a value keep one order from page to page on every database, and empty values
    (a date not known, a relation not signed) come last in either direction on every database."""

    descending_fmt = _("%s (descending)")
    base_field_class = OrderingTermsField

    def __init__(self, *args, **kwargs):
        # django-filter reads a label by the field's name, not the parameter's: keyed by the
        # parameter, ``partner`` (``partner__name_en``) was labelled "Partner", untranslated.
        fields = kwargs.get("fields", ())
        kwargs.setdefault("field_labels", {field: ORDERING_LABELS[param] for field, param in fields})
        kwargs.setdefault("label", _("Order by"))
        super().__init__(*args, **kwargs)

    def build_choices(self, fields, labels):
        """django-filter's choices, with the descending labels translated when shown (it formats
        them once, at import, in English)."""
        choices = super().build_choices(fields, labels)
        ascending = {value: label for value, label in choices if not value.startswith("-")}
        return [
            (value, descending_label(ascending[value[1:]]) if value.startswith("-") else label)
            for value, label in choices
        ]

    def filter(self, qs, value):
        """Order by the chosen fields, names in the reader's language (:func:`text.localized_ordering`):
        with no choice, the model's own ordering, localized the same way."""
        ordering = [self.get_ordering_value(param) for param in value or () if param]
        if not ordering:
            return in_readers_order(qs)
        # Empty values (a letter of intent has no established date) last, on both databases.
        expressions = [
            (F(item[1:]).desc(nulls_last=True) if item.startswith("-") else F(item).asc(nulls_last=True))
            if isinstance(item, str)
            else item
            for item in text.localized_ordering(qs.model, ordering)
        ]
        return qs.order_by(*expressions, "-pk" if ordering[-1].startswith("-") else "pk")
