"""Every API error is one shape (issue 13): RFC 9457 problem details, ``application/problem+json``,
with ``type``, ``title``, ``status`` (the HTTP status) and the rule's ``code`` — for each route the
API's router registers (walked from ``router.registry``, so a new viewset is checked without a new
test): 404, 401, 403, 405, 400 (naming the field), 409, 412, 413, 429 and 500.
One request per route and case; run on SQLite and on PostgreSQL."""

import datetime

import pytest
from django.urls import reverse
from rest_framework import serializers

from registry.api.urls import router
from registry.models import CooperationField

from .conftest import token_client
from .factories import (
    AgreementFactory,
    CityFactory,
    DelegationFactory,
    EventFactory,
    OrganizationFactory,
    PartnershipFactory,
    PersonFactory,
    SourceFactory,
)
from .test_hardening import assert_problem

pytestmark = pytest.mark.django_db

# One record of each writable route's model (the router's basename → how to make it).
MAKERS = {
    "city": CityFactory,
    "partnership": PartnershipFactory,
    "agreement": AgreementFactory,
    "event": EventFactory,
    "delegation": DelegationFactory,
    "organization": OrganizationFactory,
    "person": PersonFactory,
    "source": SourceFactory,
    "cooperationfield": lambda: CooperationField.objects.create(slug="trade", name_en="Trade"),
}

ALL = [basename for _prefix, _viewset, basename in router.registry]
WRITABLE = [basename for _prefix, viewset, basename in router.registry if hasattr(viewset, "create")]
READ_ONLY = [basename for basename in ALL if basename not in WRITABLE]
DETAIL = [basename for _prefix, viewset, basename in router.registry if hasattr(viewset, "retrieve")]


def test_the_walk_covers_every_route():
    """A writable route without a maker would go unchecked: fail instead."""
    assert set(WRITABLE) == set(MAKERS) and READ_ONLY == ["network"] and set(DETAIL) == set(MAKERS)


def viewset_of(basename):
    return next(viewset for _prefix, viewset, name in router.registry if name == basename)


def list_url(basename):
    return reverse(f"api:{basename}-list")


def detail_url(basename, obj=None):
    viewset = viewset_of(basename)
    value = getattr(obj, viewset.lookup_field) if obj is not None else "no-such-record-0"
    if obj is None and viewset.lookup_field == "pk":
        value = 987654321
    return reverse(f"api:{basename}-detail", kwargs={viewset.lookup_url_kwarg or viewset.lookup_field: value})


def a_text_field(basename) -> str:
    """The first writable text field of the route's serializer (for a wrong-type body)."""
    fields = viewset_of(basename).serializer_class().fields
    texts = [name for name, field in fields.items() if isinstance(field, serializers.CharField) and not field.read_only]
    return texts[0]


@pytest.mark.parametrize("basename", DETAIL)
def test_a_missing_record_is_a_404_problem(api_client, basename):
    assert_problem(api_client.get(detail_url(basename)), 404, "not_found")


@pytest.mark.parametrize("basename", WRITABLE)
def test_an_anonymous_write_is_a_401_problem(api_client, basename):
    """Anonymous writes answer 401 (the token scheme is announced in ``WWW-Authenticate``)."""
    response = api_client.post(list_url(basename), {}, format="json")
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("basename", WRITABLE)
def test_a_write_by_staff_without_the_permission_is_a_403_problem(viewer, basename):
    assert_problem(token_client(viewer).post(list_url(basename), {}, format="json"), 403, "permission_denied")


@pytest.mark.parametrize("basename", ALL)
def test_a_disallowed_method_is_a_405_problem(superuser, basename):
    """The list route of a record takes GET and POST, never PUT; the network takes GET only.
    (Signed in: an anonymous write is refused with 401 before the method is looked at.)"""
    response = token_client(superuser).put(list_url(basename), {}, format="json")
    assert_problem(response, 405, "method_not_allowed")


@pytest.mark.parametrize("basename", WRITABLE)
def test_an_unknown_field_is_a_400_problem_naming_it(superuser, basename):
    body = assert_problem(token_client(superuser).post(list_url(basename), {"no_such_field": 1}, format="json"), 400)
    assert body["errors"]["no_such_field"][0]["code"] and body["errors"]["no_such_field"][0]["message"]


@pytest.mark.parametrize("basename", WRITABLE)
def test_a_wrong_type_is_a_400_problem_naming_the_field(superuser, basename):
    field = a_text_field(basename)
    response = token_client(superuser).post(list_url(basename), {field: {"not": "text"}}, format="json")
    body = assert_problem(response, 400)
    assert body["errors"][field][0]["code"] == "invalid", body
    assert body["code"]


@pytest.mark.parametrize("basename", WRITABLE)
def test_a_stale_if_match_is_a_412_problem(superuser, basename):
    url = detail_url(basename, MAKERS[basename]())
    response = token_client(superuser).patch(url, {}, format="json", HTTP_IF_MATCH='"stale"')
    assert_problem(response, 412, "precondition_failed")


@pytest.mark.parametrize("basename", WRITABLE)
def test_a_too_large_body_is_a_413_problem(superuser, settings, basename):
    settings.MAX_REQUEST_BODY_BYTES = 100
    response = token_client(superuser).post(list_url(basename), {"notes": "x" * 200}, format="json")
    assert_problem(response, 413, "request_too_large")


@pytest.mark.parametrize("basename", ALL)
def test_a_throttled_client_gets_a_429_problem(api_client, settings, basename):
    settings.REGISTRY_API_ANON_RATE = "1/minute"
    api_client.get(list_url(basename))
    response = api_client.get(list_url(basename))
    assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize("basename", ALL)
def test_a_server_error_is_a_500_problem(api_client, monkeypatch, basename):
    viewset = viewset_of(basename)

    def broken(*args, **kwargs):
        raise RuntimeError("/secret/server/path.py")

    monkeypatch.setattr(viewset, "list", broken)
    api_client.raise_request_exception = False
    response = api_client.get(list_url(basename))
    assert_problem(response, 500, "server_error")
    assert "secret" not in response.content.decode()


@pytest.mark.parametrize(
    ("basename", "referrer"),
    [
        ("city", lambda city: PartnershipFactory(partner=city)),
        ("organization", lambda organization: DelegationFactory(organizer=organization)),
    ],
)
def test_deleting_a_referenced_record_is_a_409_problem(manager, basename, referrer):
    obj = MAKERS[basename]()
    referrer(obj)
    response = token_client(manager).delete(detail_url(basename, obj))
    assert_problem(response, 409, "in_use")
    errors = response.json()["errors"]  # as every other 409 (a clash of a write) has them
    assert list(errors) == ["non_field_errors"] and errors["non_field_errors"][0]["code"] == "in_use"
    assert errors["non_field_errors"][0]["message"] == response.json()["detail"]
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("rule", ["partnership_one_open_per_pair", "partnership_natural_key", "source_url_unique"])
def test_a_broken_unique_rule_is_read_by_its_name_on_every_database(rule):
    """A write the database refuses is read as the rule it broke (its name, field and message:
    the 409's, an import's written meanwhile), on SQLite as on PostgreSQL: SQLite names a unique
    index on expressions ``index 'name'`` and any other unique constraint by its columns, and both
    were read as no known rule (the generic "conflicts with a change saved at the same time";
    helper-103)."""
    from django.db import IntegrityError, transaction

    from registry.models import Partnership, Source
    from registry.models.constraints import refused_rule

    if rule == "source_url_unique":
        model, first = Source, SourceFactory(url="https://example.org/a")
        again = Source(slug="again", title="Again", url=first.url)
    else:
        model, first = Partnership, PartnershipFactory()
        ended = {"status": "ended", "ended_on": datetime.date(2001, 1, 1)} if rule == "partnership_natural_key" else {}
        again = Partnership(
            city=first.city, partner=first.partner, kind=first.kind, established_on=first.established_on, **ended
        )
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        again.save()
    found = refused_rule(refused.value, model)
    constraint = next(c for c in model._meta.constraints if c.name == rule)
    assert found == (rule, "url" if model is Source else "partner", str(constraint.violation_error_message))
