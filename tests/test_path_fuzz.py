"""Every route's path parameters fuzzed with what no record can hold: NUL, a lone surrogate (its
UTF-8-style bytes), and a 10,000-character string. No answer is a 500, on SQLite and (where NUL
in a query used to raise) PostgreSQL. Routes are read from the URLconf, so a new route is fuzzed
without editing this file."""

import re

import pytest
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RoutePattern

pytestmark = pytest.mark.django_db

HOSTILE = {"nul": "%00", "inner-nul": "a%00b", "lone-surrogate": "%ED%A0%80", "long": "x" * 10_000}


def route_template(pattern) -> str:
    """One URL pattern as a path with ``{}`` for each parameter."""
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?\w+>", "{}", pattern._route)
    if isinstance(pattern, LocalePrefixPattern):
        return ""
    regex = pattern._regex.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    return re.sub(r"\(\?P<\w+>[^()]*\)", "{}", regex)


def routes_with_parameters() -> list[str]:
    def walk(resolver, prefix):
        for entry in resolver.url_patterns:
            template = prefix + route_template(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry, template)
            else:
                yield template

    routes = {"/" + t for t in walk(get_resolver(), "") if "{}" in t}
    return sorted(r for r in routes if not re.search(r"[\\^$()|?*+\[\]]", r))


ROUTES = routes_with_parameters()


def test_the_fuzz_covers_the_api_the_pages_and_the_admin():
    assert "/api/v1/cities/{}/" in ROUTES and "/events/{}/" in ROUTES and "/admin/registry/city/{}/history/" in ROUTES
    assert len(ROUTES) > 50


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_no_path_parameter_makes_a_server_error(client, superuser, value):
    failures = {}
    for reader in ("anonymous", "staff"):
        if reader == "staff":
            client.force_login(superuser)
        for route in ROUTES:
            if reader == "anonymous" and route.startswith("/admin/"):
                continue  # the login page, for every one of them
            url = route.format(*[value] * route.count("{}"))
            status = client.get(url).status_code
            if status >= 500:
                failures[f"{reader} {url[:80]}"] = status
    assert failures == {}
