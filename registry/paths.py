"""The path of a record's page (``/cities/almaty/``, ``/ko/partnerships/12/``) as Django's
``reverse`` gives it, without resolving the URLconf again for every row of a list.

``reverse`` takes 17 µs a call, and a list page asks for the path of each city and partnership
it shows: about 200 calls on the home page (3.4 ms of 49 ms) and 1,400 on a country page at
100,000 partnerships (24 ms of 175 ms; stop 37's note). :func:`record_path` reverses a route once
per language, script prefix and URLconf with a stand-in value, keeps the text around it, and
puts each record's value in its place, where ``reverse`` would have put it.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# Taken by the ``int`` and ``slug`` converters alike, and found once in the path it is reversed into.
STAND_IN = "73917391739173917"
# A value written into a path as it is: the characters ``reverse`` neither refuses (``slug``) nor quotes.
PLAIN = re.compile(r"[-A-Za-z0-9_]+\Z")
DIGITS = re.compile(r"[0-9]+\Z")


class Around(NamedTuple):
    """A route's path around its one argument, in one language, script prefix and URLconf."""

    before: str
    after: str
    digits_only: bool  # the argument's converter takes digits only (``int``)


def record_path(name: str, **kwargs) -> str:
    """``reverse(name, kwargs=kwargs)`` (``str``: the path, with the language prefix and script
    prefix of the request) for a route of one ``int`` or ``slug`` argument, e.g.
    ``record_path("registry:city-detail", slug="almaty")``.

    A value that ``reverse`` would refuse or quote (anything but ASCII letters, digits, ``-`` and
    ``_``; letters for an ``int`` argument), and any route that does not take the stand-in
    value, go through ``reverse`` itself, so its answer and its ``NoReverseMatch`` are unchanged."""
    ((key, value),) = kwargs.items()
    text = str(value)
    if PLAIN.match(text):
        around = route_around(name, key, get_language(), get_script_prefix(), get_urlconf())
        if around is not None and (DIGITS.match(text) or not around.digits_only):
            return around.before + text + around.after
    return reverse(name, kwargs=kwargs)


@functools.lru_cache(maxsize=256)
def route_around(name: str, key: str, language, script_prefix: str, urlconf) -> Around | None:
    """The path of route ``name`` around its argument ``key`` in ``language`` under
    ``script_prefix`` and ``urlconf``; ``None`` when the stand-in value is refused or found more
    than once. The language and the prefixes are read by ``reverse`` itself; they are arguments
    here so that each has its own entry."""
    try:
        path = reverse(name, kwargs={key: STAND_IN}, urlconf=urlconf)
    except NoReverseMatch:
        return None
    if path.count(STAND_IN) != 1:
        return None
    before, after = path.split(STAND_IN)
    try:
        reverse(name, kwargs={key: "a-b_C"}, urlconf=urlconf)
    except NoReverseMatch:
        return Around(before, after, digits_only=True)
    return Around(before, after, digits_only=False)


@receiver(setting_changed)
def forget_routes(**kwargs) -> None:
    """Reverse the routes again after a test changes a setting (the URLconf, the languages)."""
    route_around.cache_clear()
