"""Shared pytest fixtures."""

import datetime

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from .factories import CityFactory, UserFactory
from .shipped_rows import load_shipped

SHIPPED_FIXTURES = ("cooperation_fields", "busan_partners", "busan_almaty_2022")

# On PostgreSQL, a second alias "replica" mirrors the test database so the read-replica
# router can be tested with two real connections (tests/test_routing.py). No router is
# active unless a test turns it on, so other tests never touch the alias.
if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") and "replica" not in settings.DATABASES:
    settings.DATABASES["replica"] = {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}

# Accounts made and signed in by the tests are hashed with salted MD5, as Django's documentation
# advises for tests ("Speeding up the tests"): the production hasher, PBKDF2 at 1,000,000
# iterations, took about 0.28 s of CPU per account here, and the admin's list tests alone make
# 400 accounts (57 s each). What is tested of passwords (who may sign in, a snapshot's account
# refused) does not depend on the hasher; production keeps Django's default.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    """The shipped fixtures, loaded as `make run` loads them (with a first history record); after
    the first test of a process, written back from the rows that load added (:mod:`tests.shipped_rows`)."""
    load_shipped(SHIPPED_FIXTURES)


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


# The anonymous throttles count in fixed windows of the clock (each minute for ``N/minute``). A
# test's requests could straddle a window's end and be counted in two windows, so tests read this
# clock: 30 s into a minute and into an hour (1,800,000,000 is a multiple of 3,600).
THROTTLE_CLOCK = 1_800_000_030.0


@pytest.fixture(autouse=True)
def _fresh_cache(settings, monkeypatch):
    """Each test starts with an empty cache (throttle counters, the API's change stamp), a
    generous anonymous rate and the throttles' clock stopped at :data:`THROTTLE_CLOCK`, so no
    test is throttled by the ones before it nor let through by a new window: cached answers,
    aggregates and throttle counters never leak between tests."""
    from registry.api.throttling import AnonReadThrottle

    monkeypatch.setattr(AnonReadThrottle, "timer", staticmethod(lambda: THROTTLE_CLOCK))
    settings.REGISTRY_API_ANON_RATE = "10000/minute"
    settings.REGISTRY_EXPORT_ANON_RATE = "10000/minute"
    cache.clear()
    yield
    cache.clear()


class Clock:
    """Django's clock (``timezone.now``) moved forward by :meth:`tick`, and stopped by :meth:`stop`;
    see the ``clock`` fixture."""

    def __init__(self, real):
        self.real, self.offset, self.stopped_at = real, datetime.timedelta(), None

    def now(self) -> datetime.datetime:
        """The moved clock's time."""
        return (self.stopped_at or self.real()) + self.offset

    def tick(self, seconds: float = 1.5) -> None:
        """Move the clock ``seconds`` forward (into the next second, by default)."""
        self.offset += datetime.timedelta(seconds=seconds)

    def stop(self) -> None:
        """Stop the clock a tenth of a second into the next whole second: until a :meth:`tick`,
        every change and answer falls in one second."""
        now = self.now()
        self.offset = datetime.timedelta()
        self.stopped_at = now.replace(microsecond=100_000) + datetime.timedelta(seconds=1)


@pytest.fixture
def clock(monkeypatch):
    """A :class:`Clock` that Django's ``timezone.now`` follows. An answer carries ``Last-Modified``
    only from the second after the change it names (:func:`registry.cache.last_modified_for`), so
    a test that reads it calls ``clock.tick()`` after its changes."""
    from django.utils import timezone

    moved = Clock(timezone.now)
    monkeypatch.setattr(timezone, "now", moved.now)
    return moved


API_MODELS = (
    "city",
    "cityname",
    "partnership",
    "agreement",
    "signatory",
    "event",
    "eventparticipant",
    "delegation",
    "delegationmember",
    "itinerarystop",
    "outcome",
    "organization",
    "person",
    "source",
    "cooperationfield",
)
ROLE_ACTIONS = {
    "viewer": ("view",),
    "editor": ("view", "add", "change"),
    "manager": ("view", "add", "change", "delete"),
}


def user_with_role(role: str, username: str | None = None):
    """A staff user holding the Django model permissions of ``role`` on every registry model
    (built directly: the permission groups are another issue's)."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username=username or role, is_staff=True)
    codenames = [f"{action}_{model}" for action in ROLE_ACTIONS[role] for model in API_MODELS]
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="registry", codename__in=codenames))
    return user


@pytest.fixture
def viewer(db):
    return user_with_role("viewer")


@pytest.fixture
def editor(db):
    return user_with_role("editor")


@pytest.fixture
def manager(db):
    return user_with_role("manager")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def token_client(user):
    """An API client authenticating with ``user``'s token, as a program would."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def office(db):
    """An editor limited to one home city (``office.home``, slug ``office-home``, in Korea):
    the office of the cast, beside the national viewer, editor and manager."""
    from registry.models import OfficeAssignment

    user = user_with_role("editor", username="office")
    user.home = CityFactory(slug="office-home", name_en="Office Home", country="KR")
    OfficeAssignment.objects.create(user=user, city=user.home)
    return user
