"""Amounts of money for the reader's language (Babel), keeping the source's qualifier."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import Outcome


def babel_locale(language: str | None = None) -> str:
    language = (language or get_language() or "en").split("-")[0]
    return "en_GB" if language == "en" else language


def format_amount(amount: Decimal, currency: str, qualifier: str = Outcome.Qualifier.EXACT) -> str:
    """``format_amount(Decimal("3850000"), "USD", "more_than")`` → "more than USD 3,850,000"
    in English, "USD 3,850,000 이상" in Korean (the ISO code keeps the currency unambiguous)."""
    number = format_currency(amount, currency, format="¤¤ #,##0.##", locale=babel_locale(), currency_digits=False)
    patterns = {
        Outcome.Qualifier.EXACT: "%(amount)s",
        Outcome.Qualifier.MORE_THAN: _("more than %(amount)s"),
        Outcome.Qualifier.AT_LEAST: _("at least %(amount)s"),
        Outcome.Qualifier.ABOUT: _("about %(amount)s"),
        Outcome.Qualifier.UP_TO: _("up to %(amount)s"),
        Outcome.Qualifier.LESS_THAN: _("less than %(amount)s"),
    }
    return patterns.get(qualifier, "%(amount)s") % {"amount": number}
