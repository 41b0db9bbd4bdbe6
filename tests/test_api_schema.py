"""The OpenAPI schema is valid, and the API keeps to it: schemathesis runs every operation in
the schema (reads and authenticated writes) against the WSGI app, in-process, on the shipped data."""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from diplomacy.wsgi import application

from .conftest import token_client

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


def test_schema_validates_without_warnings(db, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text()
    for parameter in ("country", "region", "kind", "status", "field", "in_force_on", "q", "ordering", "page_size"):
        assert f"name: {parameter}\n" in text


@pytest.fixture
def _keep_test_connection():
    """The WSGI app closes the database connection after each request, as it should in
    production; inside a test that would close the test's transaction (PostgreSQL), so the
    signal is held off here, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_token(shipped_data, superuser, _keep_test_connection):
    """A staff token with every permission: schemathesis writes as well as reads."""
    return token_client(superuser)._credentials["HTTP_AUTHORIZATION"]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_keeps_to_its_schema(case, api_token):
    case.call_and_validate(headers={"Authorization": api_token}, checks=CHECKS)
