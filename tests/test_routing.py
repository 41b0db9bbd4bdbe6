"""Read replica routing with two aliases on the local PostgreSQL (skipped on SQLite)."""

from http import HTTPStatus

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext

from registry.db_routers import PIN_COOKIE, ReplicaRouter, is_pinned, unpin
from registry.models import City

from .factories import CityFactory, UserFactory

pytestmark = [
    pytest.mark.skipif("replica" not in settings.DATABASES, reason="needs PostgreSQL (two aliases)"),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


@pytest.fixture
def router(settings):
    settings.DATABASE_ROUTERS = ["registry.db_routers.ReplicaRouter"]
    unpin()
    yield
    unpin()


def capture():
    return CaptureQueriesContext(connections["default"]), CaptureQueriesContext(connections["replica"])


def test_router_sends_reads_to_the_replica_until_a_write():
    unpin()
    router = ReplicaRouter()
    assert router.db_for_read(City) == "replica"
    assert router.db_for_write(City) == "default"
    assert is_pinned() and router.db_for_read(City) == "default"
    assert router.allow_migrate("replica", "registry") is False
    unpin()


def test_a_page_read_goes_to_the_replica(router, client, settings):
    settings.REGISTRY_HOME_CITY = "almaty"  # the home city is public without any partnership
    CityFactory(slug="almaty", name_en="Almaty")
    unpin()
    primary, replica = capture()
    with primary, replica:
        response = client.get("/cities/almaty/")
    assert response.status_code == HTTPStatus.OK
    assert replica.captured_queries
    assert not primary.captured_queries


def test_a_write_and_the_reads_after_it_go_to_the_primary(router, client):
    user = UserFactory(is_staff=True, is_superuser=True)
    city = CityFactory(slug="paris", name_en="Paris", country="FR")
    unpin()
    client.force_login(user)
    unpin()
    primary, replica = capture()
    with primary, replica:
        response = client.post(f"/admin/registry/city/{city.pk}/delete/", {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    assert primary.captured_queries and not replica.captured_queries
    assert PIN_COOKIE in response.cookies
    primary, replica = capture()
    with primary, replica:
        client.get("/cities/")
    assert primary.captured_queries and not replica.captured_queries
    assert not City.objects.filter(pk=city.pk).exists()
