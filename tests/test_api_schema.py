"""The OpenAPI schema is valid, and the API keeps to it: schemathesis runs every operation in
the schema (reads and authenticated writes) against the WSGI app, in-process, on the shipped data."""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth, negative_data_rejection, positive_data_acceptance

from diplomacy.wsgi import application

from .conftest import token_client

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


def test_schema_validates_without_warnings(db, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text()
    for parameter in ("country", "region", "kind", "status", "field", "in_force_on", "q", "ordering", "page_size"):
        assert f"name: {parameter}\n" in text


def test_query_parameters_document_exactly_the_values_accepted(db, api_client):
    """What ST201/ST202 rest on: country codes in either case (not mixed), regions by slug or
    code, dates in the registry's range, ``dormant`` a string enum, ``field`` a slug."""
    document = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    components = document["components"]["schemas"]
    countries = components["CountryCode"]["enum"]
    assert {"KZ", "kz"} <= set(countries) and "Kz" not in countries and len(countries) == 2 * 249
    assert {"central-asia", "143", "asia", "142"} <= set(components["RegionCode"]["enum"])
    assert components["QueryDate"]["format"] == "date"
    assert components["QueryDate"]["pattern"].startswith("^(18[0-9]{2}|19[0-9]{2}|20[0-9]{2}|21[0-9]{2}|2200)-")
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/partnerships/"]["get"]["parameters"]}
    # A code, or empty (a page's "Any country"), which filters nothing.
    assert parameters["country"]["schema"] == {
        "type": "array",
        "items": {"anyOf": [{"$ref": "#/components/schemas/CountryCode"}, {"type": "string", "maxLength": 0}]},
    }
    assert api_client.get("/api/v1/partnerships/", {"country": ["", "kz"]}).status_code == 200
    assert (parameters["country"]["style"], parameters["country"]["explode"]) == ("form", True)
    assert parameters["dormant"]["schema"]["anyOf"][0] == {"type": "string", "enum": ["false", "true"]}
    assert parameters["field"]["schema"]["anyOf"][0] == {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}
    assert parameters["in_force_on"]["schema"]["anyOf"][0] == {"$ref": "#/components/schemas/QueryDate"}
    # Free text and slugs hold no NUL (the middleware refuses it in every parameter).
    events = {p["name"]: p for p in document["paths"]["/api/v1/events/"]["get"]["parameters"]}
    for name in ("q", "delegation"):
        assert events[name]["schema"]["anyOf"][0] == {"type": "string", "pattern": "^[^\\u0000]*$"}
    assert api_client.get("/api/v1/events/", {"delegation": "a\x00"}).status_code == 400
    # The ordering terms are an enum: an empty term is refused, an empty value is the default order.
    assert events["ordering"]["schema"]["items"]["enum"]
    refused = api_client.get("/api/v1/events/", {"ordering": "title,,"})
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["ordering"]
    assert api_client.get("/api/v1/events/", {"ordering": ""}).status_code == 200
    # An export is not paginated, but page and page_size are refused as on a page (schemathesis
    # found format=xlsx&page=-3969231538247 accepted).
    refused = api_client.get("/api/v1/events/", {"format": "csv", "page": "-3"})
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["page"]
    refused = api_client.get("/api/v1/events/", {"format": "csv", "page_size": "x"})
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["page_size"]
    assert api_client.get("/api/v1/events/", {"format": "csv", "page": "2"}).status_code == 200


# The bounds of every number a client writes, as the models name them: the same on every
# database. Where a model named none, Django took the column's (2**63 - 1 on SQLite, 32,767 for
# a smallint and 2,147,483,647 for an integer on PostgreSQL), so the schema differed by database.
NUMBER_BOUNDS = {
    "term_years": (1, 100),
    "notice_period_days": (0, 3650),
    "population": (0, 2**63 - 1),  # a 64-bit column on both
    "population_year": (1000, 2200),
    "used_from": (1, 2200),
    "used_until": (1, 2200),
    "order": (1, 999),
    "count": (0, 2_147_483_647),
    "partnership": (None, None),  # an id, looked up
}


def test_the_schema_gives_each_number_the_same_bounds_on_every_database(db, api_client):
    document = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    bounds: dict[str, set] = {}
    for name, component in document["components"]["schemas"].items():
        if name.endswith("Request"):
            for field, spec in component.get("properties", {}).items():
                if spec.get("type") == "integer":
                    bounds.setdefault(field, set()).add((spec.get("minimum"), spec.get("maximum")))
    assert bounds == {field: {pair} for field, pair in NUMBER_BOUNDS.items()}


@pytest.mark.parametrize("name", ["sign", "upgrade", "suspend", "resume", "renew", "end"])
def test_the_schema_of_a_partnership_action_says_what_it_answers(db, api_client, name):
    """An action answers JSON (not the list's exports), 201 for an upgrade (the new partnership),
    and 412 for a stale ``If-Match``, as every write of a record may (adversarial probe)."""
    document = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = document["paths"][f"/api/v1/partnerships/{{id}}/{name}/"]["post"]
    answered = "201" if name == "upgrade" else "200"
    responses = operation["responses"]
    assert answered in responses and ("200" if name == "upgrade" else "201") not in responses
    assert list(responses[answered]["content"]) == ["application/json"]
    assert "412" in responses
    assert "format" not in {parameter["name"] for parameter in operation.get("parameters", [])}


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


# Schemathesis with every check it has (server errors, status codes, content types, headers and
# bodies against the schema, negative data rejected, positive data accepted, unsupported methods,
# missing auth ignored …), bounded so that `make test` stays short: each operation gets
# MAX_EXAMPLES generated requests, authenticated and anonymous, on SQLite and on PostgreSQL.
MAX_EXAMPLES = 10
# Every check for anonymous readers: the query parameters admit exactly what the schema says
# (``country``/``region`` enums, the date pattern, slugs), so schema-valid values are accepted
# (ST201) and the rest refused (ST202). For authenticated writes ST201/ST202 stay out: a
# schema-valid body can still break a rule across fields or rows that JSON Schema cannot state
# (a partnership with itself, an end before the start, a duplicate), and is rightly a 400.
EXCLUDED = []
WRITE_EXCLUDED = [positive_data_acceptance, negative_data_rejection]
# Schemathesis calls the WSGI application directly and does not undo Content-Encoding, so it
# asks for uncompressed answers (what gzip changes is the middleware's, tested in test_site).
IDENTITY = {"Accept-Encoding": "identity"}
BOUNDED = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@pytest.fixture
def _anonymous(shipped_data, _keep_test_connection):
    """The shipped data, read by a client with no credentials."""


@pytest.mark.django_db
@schema.parametrize()
@BOUNDED
def test_api_keeps_to_its_schema(case, api_token):
    case.call_and_validate(headers={**IDENTITY, "Authorization": api_token}, excluded_checks=WRITE_EXCLUDED)


@pytest.mark.django_db
@schema.parametrize()
@BOUNDED
def test_api_keeps_to_its_schema_for_anonymous_readers(case, _anonymous):
    case.call_and_validate(headers=IDENTITY, excluded_checks=EXCLUDED)


def test_api_keeps_to_its_schema_through_stateful_sequences(api_token):
    """The stateful phase: schemathesis chains operations along the links it infers from the
    schema (list → read → change → delete, create → read …) and checks every answer with every
    check; a bounded number of sequences of a few steps each."""
    from hypothesis.stateful import run_state_machine_as_test

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": {**IDENTITY, "Authorization": api_token}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # ignored_auth (ST401) sends its own broken credentials, which the token this
            # harness adds to every call replaces; it is checked by the two tests above.
            case.validate_response(
                response,
                excluded_checks=[*WRITE_EXCLUDED, ignored_auth],
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=MAX_EXAMPLES,
            stateful_step_count=5,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )


def test_every_description_is_commonmark_not_the_codes_rest(db, api_client):
    """Descriptions come from docstrings written in reST for the code's readers: the schema
    showed ````ETag```` and ``:func:`record_etag``` to the API's (OpenAPI reads CommonMark), and
    the base serializer's docstring ("Base of every writable serializer …") as the description of
    18 request bodies."""
    import re

    document = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    descriptions = []

    def walk(node):
        if isinstance(node, dict):
            descriptions.extend(v for k, v in node.items() if k == "description" and isinstance(v, str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    assert len(descriptions) > 100
    rest = [text for text in descriptions if "``" in text or re.search(r":(func|class|meth|attr|data|mod):`", text)]
    assert rest == []
    assert not [text for text in descriptions if text.startswith("Base of every writable serializer")]
    retrieve = document["paths"]["/api/v1/cities/{slug}/"]["get"]["description"]
    assert retrieve.startswith("One record; its `ETag` names its version")
