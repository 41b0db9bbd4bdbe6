"""A record's path (:func:`registry.paths.record_path`, every ``get_absolute_url``) is what
Django's ``reverse`` gives, in every language and under a script prefix, without resolving the
URLconf for every row."""

from unittest import mock

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix, set_urlconf
from django.urls.resolvers import URLResolver
from django.utils import translation

from registry import models as m
from registry.paths import record_path, route_around

RECORDS = [
    (m.City(slug="almaty"), "registry:city-detail", {"slug": "almaty"}),
    (m.Partnership(pk=12), "registry:partnership-detail", {"pk": 12}),
    (m.Agreement(slug="busan-almaty-2022"), "registry:agreement-detail", {"slug": "busan-almaty-2022"}),
    (m.Event(slug="signing_ceremony-2022"), "registry:event-detail", {"slug": "signing_ceremony-2022"}),
    (m.Delegation(slug="eurasia"), "registry:delegation-detail", {"slug": "eurasia"}),
]


@pytest.fixture(autouse=True)
def _clean_prefix():
    route_around.cache_clear()
    yield
    set_script_prefix("/")
    route_around.cache_clear()


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("prefix", ["/", "/registry/"])
def test_every_record_s_path_is_django_s(language, prefix):
    set_script_prefix(prefix)
    with translation.override(language):
        for record, name, kwargs in RECORDS:
            for _ in range(2):  # the first reverses the route, the second reads what it kept
                assert record.get_absolute_url() == reverse(name, kwargs=kwargs)
        assert m.City(slug="almaty").get_absolute_url() == (
            f"{prefix}cities/almaty/" if language == "en" else f"{prefix}ko/cities/almaty/"
        )


def test_the_language_of_each_call_is_its_own():
    city = m.City(slug="almaty")
    paths = []
    for language in ("ko", "en", "ko"):
        with translation.override(language):
            paths.append(city.get_absolute_url())
    assert paths == ["/ko/cities/almaty/", "/cities/almaty/", "/ko/cities/almaty/"]


def test_a_list_s_paths_resolve_each_route_once():
    """A list of 100 cities and 100 partnerships asks Django's resolver twice per route (the
    stand-in value and the check of what it takes), not once per row."""
    original, resolved = URLResolver._reverse_with_prefix, []

    def counted(resolver, lookup_view, *args, **kwargs):
        resolved.append(lookup_view)
        return original(resolver, lookup_view, *args, **kwargs)

    with mock.patch.object(URLResolver, "_reverse_with_prefix", counted):
        with translation.override("ko"):
            paths = [m.City(slug=f"city-{i}").get_absolute_url() for i in range(100)]
            paths += [m.Partnership(pk=i).get_absolute_url() for i in range(1, 101)]
    assert len(resolved) <= 4, resolved[:10]
    assert paths[7] == "/ko/cities/city-7/" and paths[107] == "/ko/partnerships/8/"


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("registry:city-detail", {"slug": "almaty city"}),  # a space: refused by the slug converter
        ("registry:city-detail", {"slug": "алматы"}),  # not ASCII
        ("registry:city-detail", {"slug": ""}),
        ("registry:partnership-detail", {"pk": "twelve"}),  # letters for an int
        ("registry:partnership-detail", {"pk": -3}),
        ("registry:no-such-page", {"slug": "x"}),
    ],
)
def test_what_reverse_refuses_is_refused_the_same_way(name, kwargs):
    with pytest.raises(NoReverseMatch):
        reverse(name, kwargs=kwargs)
    with pytest.raises(NoReverseMatch):
        record_path(name, **kwargs)


def test_a_value_reverse_would_quote_is_reversed_by_django():
    """A country page's ``str`` argument takes what a slug does not; such a value goes to reverse."""
    for code in ("kz", "a b", "ü", "x%y"):
        assert record_path("registry:country-detail", code=code) == reverse(
            "registry:country-detail", kwargs={"code": code}
        )


def test_a_changed_urlconf_is_read_again():
    assert m.City(slug="almaty").get_absolute_url() == "/cities/almaty/"
    with override_settings(ROOT_URLCONF="tests.urls_elsewhere"):
        assert m.City(slug="almaty").get_absolute_url() == "/elsewhere/cities/almaty/"
    assert m.City(slug="almaty").get_absolute_url() == "/cities/almaty/"


def test_the_script_prefix_of_each_call_is_its_own():
    """A site served under a path (``SCRIPT_NAME``) beside one served at the root, in one process."""
    city = m.City(slug="almaty")
    paths = []
    for prefix in ("/", "/registry/", "/"):
        set_script_prefix(prefix)
        paths.append(city.get_absolute_url())
    assert paths == ["/cities/almaty/", "/registry/cities/almaty/", "/cities/almaty/"]


def test_a_request_s_own_urlconf_is_its_own():
    """A middleware may give a request its own URLconf (``request.urlconf``, ``set_urlconf``)."""
    city = m.City(slug="almaty")
    paths = [city.get_absolute_url()]
    try:
        set_urlconf("tests.urls_elsewhere")
        paths.append(city.get_absolute_url())
    finally:
        set_urlconf(None)
    paths.append(city.get_absolute_url())
    assert paths == ["/cities/almaty/", "/elsewhere/cities/almaty/", "/cities/almaty/"]
