"""Shared pytest fixtures."""

import io

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from .factories import CityFactory, UserFactory

SHIPPED_FIXTURES = ("cooperation_fields", "busan_partners", "busan_almaty_2022")

# On PostgreSQL, a second alias "replica" mirrors the test database so the read-replica
# router can be tested with two real connections (tests/test_routing.py). No router is
# active unless a test turns it on, so other tests never touch the alias.
if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") and "replica" not in settings.DATABASES:
    settings.DATABASES["replica"] = {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}


@pytest.fixture(autouse=True)
def _english(settings):
    """Each test starts in English: a Korean request must not leak into the next test's reverse()."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached aggregates and throttle counters never leak between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def shipped_data(db):
    """The shipped fixtures, loaded as `make run` loads them (with a first history record)."""
    call_command("loaddata", *SHIPPED_FIXTURES, verbosity=0)
    call_command("populate_history", auto=True, stdout=io.StringIO())


@pytest.fixture
def home(db, settings):
    """A home city named by REGISTRY_HOME_CITY."""
    city = CityFactory(slug="home", name_en="Home", country="KR")
    settings.REGISTRY_HOME_CITY = "home"
    return city


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client
