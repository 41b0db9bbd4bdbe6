"""Dates shown at the precision their source gives, and the range every stored date lies in."""

import datetime

from babel.dates import format_date, format_skeleton
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The documented range of every date the registry stores or is asked about (model fields, the
# admin, the API, imports and the pages' ``as_of``): 1 January 1800 to 31 December 2200.
EARLIEST = datetime.date(1800, 1, 1)
LATEST = datetime.date(2200, 12, 31)


def validate_in_range(value: datetime.date | None) -> None:
    """Raise ``ValidationError`` (code ``date_out_of_range``) unless ``value`` lies between
    :data:`EARLIEST` and :data:`LATEST`; ``None`` passes. The validator of every model
    ``DateField``, so forms, the admin, the API and imports report it on the field."""
    if value is not None and not (EARLIEST <= value <= LATEST):
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )


def partial_date(value: datetime.date | None, precision: str = "day", language: str | None = None) -> str:
    """Format ``value`` at ``precision`` (``day``, ``month`` or ``year``) for ``language``.

    ``partial_date(date(1966, 1, 1), "year")`` → ``"1966"`` / ``"1966년"`` (never “1 January 1966”);
    ``"month"`` → ``"June 1966"`` / ``"1966년 6월"``; ``"day"`` → ``"30 June 1966"`` /
    ``"1966년 6월 30일"`` (Babel's CLDR formats). ``None`` gives ``""``.
    """
    if value is None:
        return ""
    locale = (language or get_language() or "en").split("-")[0]
    if locale == "en":
        locale = "en_GB"
    if precision == "year":
        return f"{value.year}년" if locale == "ko" else str(value.year)
    if precision == "month":
        return format_skeleton("yMMMM", value, locale=locale)
    return format_date(value, "long", locale=locale)


def iso_partial(value: datetime.date | None, precision: str = "day") -> str | None:
    """ISO 8601 at ``precision``: ``"1966"``, ``"1966-06"`` or ``"1966-06-30"``; ``None`` stays ``None``."""
    if value is None:
        return None
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def period_end(value: datetime.date, precision: str = "day") -> datetime.date:
    """The first day after the period ``value`` stands for at ``precision`` (an exclusive end,
    as iCalendar's DTEND): ``1966`` → 1967-01-01, ``1966-06`` → 1966-07-01, ``1966-06-30`` →
    1966-07-01. A period running past 9999-12-31 is clamped to ``datetime.date.max``."""
    try:
        if precision == "year":
            return datetime.date(value.year + 1, 1, 1)
        if precision == "month":
            return (value.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return value + datetime.timedelta(days=1)
    except (ValueError, OverflowError):
        return datetime.date.max


def add_years(value: datetime.date, years: int) -> datetime.date:
    """``value`` moved by ``years`` calendar years; 29 February becomes 28 February in a
    year without it. Raises ``OverflowError`` past 9999."""
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        if value.year + years > datetime.MAXYEAR or value.year + years < datetime.MINYEAR:
            raise OverflowError("date out of range") from None
        return value.replace(year=value.year + years, day=28)
