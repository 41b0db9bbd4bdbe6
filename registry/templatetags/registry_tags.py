"""Template helpers: ``{% load registry_tags %}``."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.encoding import escape_uri_path, uri_to_iri
from django.utils.translation import get_language

from .. import change_reasons, dates
from ..filter_parameters import untracked
from ..import_widgets import file_row

register = template.Library()


@register.filter
def partial_date(value, precision="day"):
    """``{{ p.established_on|partial_date:p.established_precision }}`` → "1966" for a year-only date."""
    return dates.partial_date(value, precision)


@register.filter
def change_reason(value):
    """``{{ record.history_change_reason|change_reason }}``: a reason the registry wrote, in the
    page's language (:func:`registry.change_reasons.shown`); a typed one as typed."""
    return change_reasons.shown(value)


@register.simple_tag(takes_context=True)
def translated_url(context, language_code):
    """The current page, filters included, in ``language_code`` (for the language switch); not
    the analytics parameters of a shared link (:func:`~registry.filter_parameters.untracked`)."""
    request = context.get("request")
    if request is None:
        return "/"
    query = untracked(request.GET).urlencode()
    path = page_in_language(request, language_code)
    return f"{path}?{query}" if query else path


def page_in_language(request, language_code: str) -> str:
    """The path of ``request``'s page in ``language_code`` (``str``, escaped as
    ``request.get_full_path()`` gives it, with the script prefix of a site served under a path):
    Django's ``translate_url`` of the page's ``path_info``, or the page's own path where that
    does not resolve. ``translate_url`` resolves a path without the script prefix: given
    ``request.path``, a site served under ``/registry`` had its language switch and its
    ``hreflang`` alternates all name the page itself (helper-80)."""
    path_info = escape_uri_path(request.path_info)
    translated = translate_url(path_info, language_code)
    return escape_uri_path(request.path) if translated == path_info else translated


@register.simple_tag(takes_context=True)
def page_links(context) -> dict:
    """The head's links of the current page, as absolute URLs without the query string (the
    page, not one filtering of it): ``canonical`` (in the active language) and ``alternates``,
    a list of ``(hreflang, url)`` with every language and ``x-default`` (English)."""
    request = context.get("request")
    if request is None:
        return {"canonical": "", "alternates": []}
    languages = [code for code, _name in settings.LANGUAGES]
    alternates = [(code, request.build_absolute_uri(page_in_language(request, code))) for code in languages]
    default = request.build_absolute_uri(page_in_language(request, settings.LANGUAGE_CODE))
    return {"canonical": request.build_absolute_uri(request.path), "alternates": [*alternates, ("x-default", default)]}


@register.simple_tag(takes_context=True)
def site_info(context) -> dict:
    """What the footer says about the data: ``changed`` (when a public record last changed,
    :func:`registry.network.data_changed_at`), ``licence``/``licence_url``, ``cite_as`` and
    ``contact`` (settings ``REGISTRY_DATA_LICENCE``, ``…_URL``, ``REGISTRY_CITE_AS``,
    ``REGISTRY_CONTACT``), and ``url``, the page's address to cite: with its query (the date
    shown, the filters: ``/ko/?as_of=2022-09-21`` was cited as ``/ko/``, which shows today's
    figures; helper-87) less a shared link's analytics (:func:`registry.filter_parameters.untracked`)."""
    from ..network import data_changed_at

    request = context.get("request")
    contact = settings.REGISTRY_CONTACT
    return {
        "changed": data_changed_at(),
        "licence": settings.REGISTRY_DATA_LICENCE,
        "licence_url": settings.REGISTRY_DATA_LICENCE_URL,
        "cite_as": settings.REGISTRY_CITE_AS,
        "contact": contact,
        "contact_url": contact if "@" not in contact else f"mailto:{contact}",
        "url": cited_url(request) if request else "",
    }


def cited_url(request) -> str:
    """The absolute address of ``request``'s page with its query less a link's analytics, as an
    IRI (``?q=카자흐스탄``, not its percent-encoding: it is read and copied by people)."""
    query = untracked(request.GET).urlencode()
    return uri_to_iri(request.build_absolute_uri(f"{request.path}?{query}" if query else request.path))


@register.simple_tag
def current_language():
    """The active language code (``en`` or ``ko``)."""
    return get_language()


@register.simple_tag
def network_today():
    """The home city's network summary for today (in the office's time zone), or ``None`` if no home city exists."""
    from django.utils import timezone

    from ..models import home_city
    from ..network import cached_network_summary

    home = home_city()
    return cached_network_summary(home, timezone.localdate()) if home else None


@register.filter(is_safe=True)
def squash(value) -> str:
    """``{% filter squash %}``: whitespace runs (template indentation, newlines) as one space."""
    return " ".join(str(value).split())


@register.simple_tag(takes_context=True)
def may_record_new_partnership(context) -> bool:
    """Whether the request's user may use the guided entry (:func:`registry.guided_entry.may_record`)."""
    from ..guided_entry import may_record

    return may_record(context["request"].user)


@register.simple_tag(takes_context=True)
def work_queue(context):
    """The admin index's work queue for the request's user (:func:`registry.work_queue.lines`)."""
    from django.utils import timezone

    from ..work_queue import lines

    return lines(context["request"].user, timezone.localdate())


@register.filter
def get_item(mapping, key):
    """``{{ mapping|get_item:key }}``: a dictionary lookup with a variable key."""
    return mapping.get(key) if mapping else None


@register.filter
def money(outcome):
    """``{{ outcome|money }}``: its amount with currency and qualifier, for the active language."""
    from ..money import format_amount

    if outcome.amount is None:
        return ""
    return format_amount(outcome.amount, outcome.currency, outcome.amount_qualifier)


@register.filter
def number(value):
    """``{{ city.population|number }}``: grouped digits for the active language (Babel)."""
    from babel.numbers import format_decimal

    from ..money import babel_locale

    return format_decimal(value, locale=babel_locale()) if value is not None else ""


register.filter("file_row", file_row)


@register.filter
def import_cells(row, headers) -> dict:
    """An invalid row of an import preview laid out by column: ``{"cells": [(value, [errors]),
    …] in the order of ``headers`` (the file's columns), "others": [(field or "", [errors]), …]}``
    for errors of the whole row or of a field that is not a column of the file."""
    errors = dict(row.field_specific_errors)
    cells = [(value, errors.pop(header, [])) for header, value in zip(headers, row.values, strict=False)]
    others = [("", row.non_field_specific_errors)] if row.non_field_specific_errors else []
    return {"cells": cells, "others": others + list(errors.items())}
