"""Template helpers: ``{% load registry_tags %}``."""

from django import template
from django.urls import translate_url
from django.utils.translation import get_language

from .. import dates

register = template.Library()


@register.filter
def partial_date(value, precision="day"):
    """``{{ p.established_on|partial_date:p.established_precision }}`` → "1966" for a year-only date."""
    return dates.partial_date(value, precision)


@register.simple_tag(takes_context=True)
def translated_url(context, language_code):
    """The current page, filters included, in ``language_code`` (for the language switch)."""
    request = context.get("request")
    if request is None:
        return "/"
    url = translate_url(request.get_full_path(), language_code)
    return url


@register.simple_tag
def current_language():
    """The active language code (``en`` or ``ko``)."""
    return get_language()


@register.simple_tag
def network_today():
    """The home city's network summary for today (UTC), or ``None`` if no home city exists."""
    from django.utils import timezone

    from ..models import home_city
    from ..network import cached_network_summary

    home = home_city()
    return cached_network_summary(home, timezone.localdate()) if home else None


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
