"""Dates shown at the precision their source gives, and the range every stored date lies in."""

import datetime
import re

from babel.dates import format_date, format_skeleton
from django.core.exceptions import ValidationError
from django.utils import timezone
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


def time_label(moment: datetime.datetime) -> str:
    """``moment`` (an aware datetime) as the office reads it, to the minute, in the current time
    zone (``settings.TIME_ZONE``, set by ``REGISTRY_TIME_ZONE``) with that zone's abbreviation:
    ``"2026-12-05 18:00 KST"``, ``"2026-12-05 09:00 UTC"``. Times are stored in UTC."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


#: The earliest time zone's offset from UTC (Kiribati's Line Islands, UTC+14): a date has
#: begun somewhere once it has begun there.
EARLIEST_OFFSET = datetime.timedelta(hours=14)


def latest_today() -> datetime.date:
    """The latest date that has begun anywhere on Earth: today at UTC+14. Between 00:00 and 09:00
    in Busan the server's date (UTC) is still yesterday's, and an office recording what happened
    that morning was told it was in the future (new-user probe)."""
    return (timezone.now() + EARLIEST_OFFSET).astimezone(datetime.UTC).date()


def validate_not_in_future(value: datetime.date | None) -> None:
    """Raise ``ValidationError`` (code ``date_in_future``) when ``value`` has not begun anywhere
    yet (after :func:`latest_today`, whatever the server's time zone): a date of something that
    has happened (a partnership's establishment and end, a stage of its life, a signature) is
    recorded once it has happened. ``None`` passes, and so does a date after :data:`LATEST`,
    which :func:`validate_in_range` reports alone (one error per field). The validator of those
    model fields, so the admin, the API, imports and the actions
    (:func:`registry.services.partnerships._record_stage`) refuse it with the same code."""
    if value is not None and latest_today() < value <= LATEST:
        raise ValidationError(_("This date is in the future: record it once it has happened."), code="date_in_future")


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


def precision_of(value: datetime.date | None, precision: str) -> str | None:
    """The precision a partial date is shown with beside it (``"day"``, ``"month"`` or ``"year"``):
    ``precision`` when there is a date, ``None`` when there is none, since the column's default
    (``"day"``) then names nothing. A partnership that has not ended said ``ended_precision: day``
    (new-user probes: in the API, then in the admin's export). Called by every download, the
    API's :class:`~registry.api.fields.DatePrecisionField` and the spreadsheet columns."""
    return precision if value is not None else None


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


# --------------------------------------------------------------------------- partial dates written to the API

# ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` in ASCII digits, matched whole (``fullmatch``): no
# fullwidth or other digits, no trailing newline. The form written sets the precision.
PARTIAL_DATE = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?", re.ASCII)


def parse_partial_date(text: str) -> tuple[datetime.date, str]:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (:data:`PARTIAL_DATE`) as ``(first day, precision)``:
    ``"1966"`` → ``(1966-01-01, "year")``, ``"2023-06"`` → ``(2023-06-01, "month")``. The one
    reading of a partial date written by a client (the API's ``PartialDateField``, the imports'
    ``PartialDateWidget``, the admin's ``PartialDateFormField``). Raises :class:`NoSuchDay` for a
    text in that form naming no day of the calendar (``2023-02-30``, ``2023-13``, ``0000``) and
    ``ValueError`` for any other text."""
    match = PARTIAL_DATE.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(text)
    year, month, day = match["year"], match["month"], match["day"]
    precision = "day" if day else "month" if month else "year"
    try:
        return datetime.date(int(year), int(month or 1), int(day or 1)), precision
    except ValueError:
        raise NoSuchDay(text) from None


class NoSuchDay(ValueError):
    """A text written as a partial date (:data:`PARTIAL_DATE`) that names no day of the calendar
    (``args[0]``: the text); refused with :data:`PARTIAL_DATE_NO_SUCH_DAY`."""


#: The refusal of a text in the form of a date that is no day of the calendar: the form's message
#: (:data:`PARTIAL_DATE_INVALID`) told a client who wrote ``2023-02-30`` to write what they wrote.
PARTIAL_DATE_NO_SUCH_DAY = _(
    "“%(value)s” is written as a date but names no day of the calendar: a month is 01 to 12, a day at "
    "most the month's last (28 to 31), a year 0001 or later."
)


#: The refusal of a text :func:`parse_partial_date` cannot read, in the API (``PartialDateField``),
#: the admin's action form and the bounds of a range in a query (:func:`parse_query_bound`) alike.
PARTIAL_DATE_INVALID = _("Enter a date as YYYY, YYYY-MM or YYYY-MM-DD (e.g. 1966, 1966-06 or 1966-06-30).")

# Coarse to fine: a date written to a precision gives what that precision and any coarser one need.
PRECISION_RANK = {"year": 0, "month": 1, "day": 2}


def coarser_than(written: str, wanted: str) -> bool:
    """Whether a date written at precision ``written`` (as :func:`parse_partial_date` read it)
    gives less than precision ``wanted`` asks for: ``2023-06`` (``month``) is coarser than
    ``day``, but enough for ``month`` or ``year``. An unknown or empty precision counts as
    ``day``. The one rule of the imports' partial date cells
    (:class:`registry.import_widgets.PartialDateWidget`) and the admin's action form
    (:class:`registry.admin_partnerships.PartnershipActionForm`)."""
    return PRECISION_RANK.get(written, 2) < PRECISION_RANK.get(wanted, 2)


# --------------------------------------------------------------------------- dates in query parameters

QUERY_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_query_date(text: str) -> datetime.date:
    """The date a query parameter naming one day (``as_of``, ``in_force_on``; a bound of a range
    is read by :func:`parse_query_bound`) gives: exactly ``YYYY-MM-DD`` in ASCII digits (no
    spaces, no one-digit month, no fullwidth or other digits), a day that exists, within
    :data:`EARLIEST`–:data:`LATEST`. Raises ``ValidationError`` with code ``invalid``,
    ``no_such_day`` (``2022-02-30``, in the form but not in the calendar:
    :data:`PARTIAL_DATE_NO_SUCH_DAY`) or ``date_out_of_range``. The OpenAPI schema documents the
    same set (:func:`query_date_pattern` with ``format: date``)."""
    if not QUERY_DATE.fullmatch(text):
        raise ValidationError(_("Enter a date as YYYY-MM-DD, e.g. 2022-09-21."), code="invalid")
    try:
        value, _precision = parse_partial_date(text)
    except NoSuchDay:
        raise ValidationError(PARTIAL_DATE_NO_SUCH_DAY, code="no_such_day", params={"value": text}) from None
    validate_in_range(value)
    return value


#: The refusal of a date bound written in that form that names no day or month of the calendar
#: (``2020-13``, ``2020-02-30``): the value, what is wrong, and the forms accepted.
QUERY_BOUND_NO_SUCH_DAY = _(
    "“%(value)s” names no day or month of the calendar (a month is 01 to 12, a day at most the month's "
    "last); enter a date as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2020, 2020-05 or 2020-05-31."
)


def parse_query_bound(text: str, *, end: bool) -> datetime.date:
    """The date a bound of a range in a query parameter (``established_after``,
    ``established_before``, every ``X_after``/``X_before``) gives: a partial date as a write takes
    it (:func:`parse_partial_date`: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), standing for its
    period's first day as a start (``end=False``: ``2020`` → 2020-01-01, ``2020-05`` →
    2020-05-01) and its last day as an end (``end=True``: ``2020`` → 2020-12-31, ``2020-02`` →
    2020-02-29), so ``X_after=2020&X_before=2020`` is the whole year. The day given must lie within
    :data:`EARLIEST`–:data:`LATEST`. Raises ``ValidationError`` with code ``invalid``
    (:data:`PARTIAL_DATE_INVALID`, as a write's: ``20201``, ``abc``, ``2020-5``), ``no_such_day``
    (:data:`QUERY_BOUND_NO_SUCH_DAY`: ``2020-13``, ``2020-02-30``, ``0000``) or
    ``date_out_of_range``. The OpenAPI schema documents the same set (:func:`query_bound_pattern`)."""
    try:
        value, precision = parse_partial_date(text)
    except NoSuchDay:
        raise ValidationError(QUERY_BOUND_NO_SUCH_DAY, code="no_such_day", params={"value": text}) from None
    except ValueError:
        raise ValidationError(PARTIAL_DATE_INVALID, code="invalid") from None
    if end:
        value = period_end(value, precision) - datetime.timedelta(days=1)
    validate_in_range(value)
    return value


def _years_pattern(first: int, last: int) -> str:
    """An alternation matching the four-digit years ``first`` to ``last`` (whole centuries as
    ``18[0-9]{2}``)."""
    parts, year = [], first
    while year <= last:
        if year % 100 == 0 and year + 99 <= last:
            parts.append(f"{year // 100:02d}[0-9]{{2}}")
            year += 100
        else:
            parts.append(f"{year:04d}")
            year += 1
    return "|".join(parts)


def query_date_pattern() -> str:
    """The ECMA-262 pattern of :func:`parse_query_date` for the OpenAPI schema: years
    :data:`EARLIEST` to :data:`LATEST`, months 01–12, days 01–31. With ``format: date`` (a day
    that exists) it admits exactly the accepted dates, the range running from 1 January to
    31 December."""
    years = _years_pattern(EARLIEST.year, LATEST.year)
    return rf"^({years})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def query_bound_pattern() -> str:
    """The ECMA-262 pattern of :func:`parse_query_bound` for the OpenAPI schema: a year
    :data:`EARLIEST` to :data:`LATEST`, optionally a month 01–12, then optionally a day 01–31
    (a day that exists, as the parameter's description says)."""
    years = _years_pattern(EARLIEST.year, LATEST.year)
    return rf"^({years})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
