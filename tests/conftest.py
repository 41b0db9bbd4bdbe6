"""Shared pytest fixtures."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from .factories import CityFactory, UserFactory

SHIPPED_FIXTURES = ("cooperation_fields", "busan_partners", "busan_almaty_2022")


@pytest.fixture(autouse=True)
def _english(settings):
    """Each test starts in English: a Korean request must not leak into the next test's reverse()."""
    with translation.override("en"):
        yield


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
