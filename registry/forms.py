"""Forms of the public pages: the ``as_of`` date of the home page, and the filter forms the
lists show for their FilterSets (:mod:`registry.filters`); and the admin's Wikidata upload."""

import copy
import datetime
import functools
from collections import Counter

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import dates, regions, wikidata
from .cache import PUBLIC_GENERATION_KEY, cached
from .filter_parameters import DATE_HELP, QueryBoundField, QueryDateField, QueryForm, region_values
from .models import CooperationField
from .models.choices import country_names


class AsOfForm(QueryForm):
    """``?as_of=YYYY-MM-DD``: the date the network is shown on (default: today in the office's time
    zone, ``REGISTRY_TIME_ZONE``); given
    twice, an error (:class:`~registry.filter_parameters.QueryForm`)."""

    as_of = QueryDateField(
        label=_("Network on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=DATE_HELP,
    )


# --------------------------------------------------------------------------- list filters


class CountrySelect(forms.Select):
    """A menu of one country, as most readers filter; when the query holds several
    (``?country=kz&country=jp``, from a link or the API's docs) it is a list of several
    choices with each of them selected and listed first, so that applying the form again keeps them all (a
    one-choice menu showed and sent only the last, and the page quietly lost the others)."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def format_value(self, value):
        """The selected codes as the menu lists them, in small letters: ``?country=KZ`` selects
        Kazakhstan (the parameter takes either case; the menu showed "Any country" and applying
        the form dropped the filter); an empty one ("Any country", which the form sends) only
        when no country is given."""
        return [code.lower() for code in super().format_value(value) if code] or [""]

    def get_context(self, name, value, attrs):
        codes = self.format_value(value)
        several = len(codes) > 1
        self.allow_multiple_selected = several
        if several:  # the chosen countries first, where the reader sees them
            self.choices = sorted(self.choices, key=lambda choice: choice[0] not in codes)
        context = super().get_context(name, value, attrs)
        if several:
            context["widget"]["attrs"]["size"] = min(8, len(self.choices))
        return context


class RegionSelect(forms.Select):
    """A menu of UN M49 areas by slug; a three-digit code, which the parameter takes too
    (``?region=143``), selects its area as its slug does (the menu showed "Any" and applying the
    form dropped the filter)."""

    def format_value(self, value):
        valid = set(region_values())
        return [regions.get_region(item).slug if item in valid else item for item in super().format_value(value)]


def place_counts(queryset: QuerySet) -> tuple[Counter[str], Counter[str]]:
    """``(countries, areas)``: how many rows of ``queryset`` (a list's rows the reader may see)
    each ISO alpha-2 code (in capitals) and each UN M49 area slug would select, as the ``country``
    and ``region`` filters do. A row counts once under each country ``for_country`` places it in
    (:meth:`~registry.models.base.CountryQuerySetMixin.country_sets`, one query) and once under
    each area holding any of them (``in_region`` is ``for_country`` over the area's countries:
    :func:`registry.regions.areas_of`), so a delegation to Almaty and Bishkek is one in Central Asia."""
    by_country: Counter[str] = Counter()
    by_area: Counter[str] = Counter()
    slugs: dict[str, set[str]] = {}  # each country's areas, looked up once (a set of countries a row)
    for codes, count in queryset.country_sets().items():
        for code in codes:
            by_country[code] += count
            if code not in slugs:
                slugs[code] = {area.slug for area in regions.areas_of(code)}
        for slug in set().union(*(slugs[code] for code in codes)):
            by_area[slug] += count
    return by_country, by_area


def counted(name: str, count: int) -> str:
    """A menu's choice with the number of rows it selects: "Japan (3)"."""
    return gettext("%(name)s (%(count)s)") % {"name": name, "count": number_format(count, force_grouping=True)}


def country_menu(counts: Counter[str], selected: list[str]) -> list[tuple[str, str]]:
    """(lower-case code, "name (rows)") of the countries with a row in ``counts`` (by ISO code, in
    capitals: :func:`place_counts`) and of the ``selected`` codes (any case) with none, so a
    country in the query stays shown, selected, and can be cleared; by name in the reader's
    language (django-countries' names)."""
    names = country_names(get_language())  # in the active language, built once per language
    codes = set(counts) | {code.upper() for code in selected}
    found = sorted((names.get(code, code), code) for code in codes)
    return [(code.lower(), counted(name, counts[code])) for name, code in found]


def region_menu(counts: Counter[str], selected: list[str]) -> list[tuple[str, str]]:
    """(slug, "name (rows)") of the UN M49 areas with a row in ``counts`` (by slug:
    :func:`place_counts`) and of the ``selected`` slugs with none; by name in the reader's
    language, as :func:`registry.filter_parameters.region_choices` lists every area."""
    slugs = set(counts) | set(selected)
    found = sorted((area.name(), area.slug) for area in map(regions.get_region, slugs))
    return [(slug, counted(name, counts[slug])) for name, slug in found]


def dormant_help() -> str:
    """What ``dormant`` means, for readers, with the office's ``REGISTRY_DORMANT_YEARS``
    (:meth:`PartnershipQuerySet.with_last_activity` applies it)."""
    years = settings.REGISTRY_DORMANT_YEARS
    return ngettext(
        "A relation is dormant when it has had no event, agreement, delegation visit or stage for %(years)d year.",
        "A relation is dormant when it has had no event, agreement, delegation visit or stage for %(years)d years.",
        years,
    ) % {"years": years}


class ListFilterForm(forms.Form):
    """The filter form a list page shows, for its FilterSet (as NetBox pairs a ``filterset``
    with a ``filterset_form``).

    It holds a copy of each field of the FilterSet's form, fitted for reading (date pickers; a
    text box for a bound of a range, which also takes a year or a month; menus of only the
    countries and UN M49 areas that have a row of the list the reader may see, each with how many
    (:func:`place_counts`, one query over the FilterSet's unfiltered queryset), plus those the
    query selects; "Any" as the empty choice of every menu, so that submitting the form never
    sets a filter by itself), bound to the same query; the FilterSet and its form are never
    changed, so every parameter applies on the page as in the API, where ``country`` and
    ``region`` still take every ISO code and area. It never validates anything itself: its errors
    are the FilterSet form's, shown next to each field, and :attr:`other_errors` those of
    parameters with no field here.

    ``main_fields`` are shown at once and the others under "More filters";
    ``hidden_fields`` apply but have no field on the page (e.g. ``partnership``).
    """

    main_fields: tuple[str, ...] = ("q", "country", "region", "kind")
    hidden_fields: tuple[str, ...] = ()

    def __init__(self, filterset, *, user, menu_key: str | None = None):
        """``menu_key``: the name of the list the reader sees, when every reader of that name sees
        the same rows (an anonymous reader: the view's :meth:`~registry.views.FilteredListMixin.menu_key`);
        the menus' counts are then computed once per public data generation for all of them
        (:func:`registry.cache.cached`: a draft saved changes nothing they count), else for this
        reader."""
        self.filterset_form = filterset.form
        super().__init__(filterset.data if filterset.is_bound else None)
        shown = [name for name in self.filterset_form.fields if name not in self.hidden_fields]
        self.place_counts: tuple[Counter[str], Counter[str]] = (Counter(), Counter())
        if {"country", "region"}.intersection(shown):
            # The rows each country and area of the menus selects: the list the reader may see, unfiltered.
            count = functools.partial(place_counts, filterset.queryset)
            public = PUBLIC_GENERATION_KEY
            self.place_counts = (
                cached(f"place-counts:{menu_key}", count, generation_key=public) if menu_key else count()
            )
        for name in shown:
            self.fields[name] = self.present(name, copy.deepcopy(self.filterset_form.fields[name]), user)

    @property
    def errors(self):
        """The FilterSet form's errors (``ErrorDict``): the page shows them, it never validates twice."""
        return self.filterset_form.errors

    def selected(self, name: str, field: forms.Field) -> list[str]:
        """The values of the parameter ``name`` in the query that its ``field`` takes (region
        codes as slugs), to keep them in its menu whatever their count."""
        values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name, "")]
        if name == "country":
            return [code for code in values if code and field.valid_value(code)]
        return [regions.get_region(value).slug for value in values if value in region_values()]

    def present(self, name: str, field: forms.Field, user) -> forms.Field:
        """``field`` (a copy of the FilterSet form's) with the widget and empty choice a reader sees."""
        if isinstance(field, QueryBoundField):
            # A year or a month is a bound too (2020): a date picker would drop it (its value is a day).
            field.widget = forms.TextInput(attrs={"size": 10, "autocomplete": "off"})
        elif isinstance(field, forms.DateField):
            field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        elif name == "country":
            menu = country_menu(self.place_counts[0], self.selected(name, field))
            field.widget = CountrySelect(choices=[("", _("Any country")), *menu])
            field.help_text = ""
        elif name == "region":
            menu = region_menu(self.place_counts[1], self.selected(name, field))
            field.widget = RegionSelect(choices=[("", _("Any")), *menu])
            field.help_text = ""
        elif name == "field":
            visible = [(item.slug, str(item)) for item in CooperationField.objects.visible_to(user)]
            field.widget = forms.Select(choices=[("", _("Any")), *visible])
            field.help_text = ""
        elif name == "q":
            field.widget = forms.TextInput(attrs={"type": "search"})
        elif isinstance(field, forms.ModelChoiceField):
            field.empty_label = _("Any")
            field.help_text = ""
        elif hasattr(field, "empty_label"):  # django-filter's ChoiceField (its iterator adds the empty choice)
            field.empty_label = _("Default") if name == "ordering" else _("Any")
            field.widget.choices = [("", field.empty_label), *[c for c in field.widget.choices if c[0] != ""]]
            field.help_text = ""
        elif isinstance(field, forms.ChoiceField):
            field.choices = [("", _("Any")), *[choice for choice in field.choices if choice[0] != ""]]
            field.help_text = ""
        if name == "dormant":
            field.help_text = dormant_help()
        return field

    @property
    def main(self) -> list[forms.BoundField]:
        """The fields shown at once."""
        return [self[name] for name in self.main_fields if name in self.fields]

    @property
    def more(self) -> list[forms.BoundField]:
        """The fields shown under "More filters"."""
        return [self[name] for name in self.fields if name not in self.main_fields]

    @property
    def more_open(self) -> bool:
        """Whether "More filters" starts open: one of its fields is set or has an error."""
        return any(field.value() not in (None, "", []) or field.errors for field in self.more)

    @property
    def other_errors(self) -> list[str]:
        """Messages of the parameters with no field on the page: unknown ones (the message
        names them) and hidden filters (prefixed with the filter's label)."""
        messages = []
        for name, errors in self.errors.items():
            if name in self.fields:
                continue
            field = self.filterset_form.fields.get(name)
            messages += [f"{field.label}: {message}" if field else message for message in errors]
        return messages


class CountryFilterForm(ListFilterForm):
    """``/countries/``: the city filters that choose which cities are counted."""

    main_fields = ("country", "region", "kind", "status")
    hidden_fields = ("q", "ordering", "admin_level")


class AgreementFilterForm(ListFilterForm):
    """``/agreements/``; ``partnership`` (from a partnership's links) applies without a field."""

    hidden_fields = ("partnership",)


class EventFilterForm(ListFilterForm):
    """``/events/``; ``delegation`` (from a delegation's links) applies without a field."""

    hidden_fields = ("delegation",)


# --------------------------------------------------------------------------- admin: Wikidata upload


class WikidataFileForm(forms.Form):
    """A Wikidata file uploaded in the admin: EntityData JSON, SPARQL JSON or QuickStatements,
    read by :func:`registry.wikidata.read_relations` (the command's parser). ``cleaned_data``
    gives ``relations`` (a list of :class:`registry.wikidata.Relation`) and ``retrieved_on``.
    Errors name the file and the rule: larger than :data:`registry.wikidata.MAX_FILE_BYTES`,
    not UTF-8, or not one of the three formats."""

    file = forms.FileField(label=_("Wikidata file"))
    retrieved_on = forms.DateField(
        label=_("Retrieved on"),
        initial=timezone.localdate,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("When the file was downloaded from Wikidata; each accepted fact cites it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "The JSON of Special:EntityData for one or more items, a SPARQL query result in JSON, or "
            "QuickStatements (V1, tab-separated). At most %(size)s."
        ) % {"size": filesizeformat(wikidata.MAX_FILE_BYTES)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > wikidata.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("%(name)s: %(size)s is larger than the limit of %(limit)s."),
                code="file_too_large",
                params={
                    "name": upload.name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(wikidata.MAX_FILE_BYTES),
                },
            )
        try:
            content = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("%(name)s: not UTF-8 text."), code="file_encoding", params={"name": upload.name}
            ) from None
        try:
            self.cleaned_data["relations"] = wikidata.read_relations(content)
        except wikidata.WikidataFileError as error:
            raise forms.ValidationError(
                "%(name)s: %(error)s", code="file_format", params={"name": upload.name, "error": error}
            ) from None
        return upload

    def clean_retrieved_on(self) -> datetime.date:
        """The day the file was retrieved: within the registry's dates and not after today (it
        becomes the date of the source every accepted fact cites)."""
        value = self.cleaned_data["retrieved_on"]
        dates.validate_in_range(value)
        dates.validate_not_in_future(value)
        return value
