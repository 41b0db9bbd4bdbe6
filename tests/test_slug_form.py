"""A stored slug has the form the model's rules give it, whoever writes it: the table refuses
any other (``<model>_slug_form``, :func:`registry.models.base.slug_rule`), so no record can be
stored that the pages, lists, sitemaps and feeds cannot link (they answered 500 for one written
past validation; adversarial probe). Run on SQLite (``GLOB``) and PostgreSQL (a regular
expression)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from registry.models import Agreement, City, CooperationField, Delegation, Event, Organization, Person, Source
from registry.models.base import CHECKED_BY_FIELD, SluggedModel

from .factories import (
    AgreementFactory,
    CityFactory,
    DelegationFactory,
    EventFactory,
    OrganizationFactory,
    PersonFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

MAKERS = {
    Source: SourceFactory,
    City: CityFactory,
    CooperationField: lambda: CooperationField.objects.create(slug="trade", name_en="Trade"),
    Organization: OrganizationFactory,
    Person: PersonFactory,
    Agreement: AgreementFactory,
    Delegation: DelegationFactory,
    Event: EventFactory,
}

#: Slugs that ``reverse`` refuses, or that name one record two ways, each as the probe stored it.
REFUSED = [
    "with space",
    "fifty%",
    "a/b",
    "almaty\n",
    "алматы",
    "café",
    "Almaty",
    "",
    "-\u200b-",
    "a.b",
    "a+b",
    "paris\x00x",  # SQLite's GLOB stops at a NUL (PostgreSQL refuses a NUL in any text)
    "ok\x00Slug/EVIL",
]
TAKEN = ["almaty", "a", "-", "_", "busan-almaty_2022", "0", "x" * 120]


def refusal(slug: str) -> tuple[type[Exception], ...]:
    """What writing ``slug`` past validation raises: the rule's ``IntegrityError``; PostgreSQL
    refuses a NUL in any text before any rule (psycopg's ``DataError`` or ``ValueError``)."""
    if "\x00" in slug and connection.vendor == "postgresql":
        return (DataError, ValueError)
    return (IntegrityError,)


def test_every_slugged_model_has_the_rule():
    slugged = {m for m in City._meta.apps.get_models() if issubclass(m, SluggedModel)}
    assert slugged == set(MAKERS)
    for model in slugged:
        names = [c.name for c in model._meta.constraints]
        assert any(name.endswith("_slug_form") for name in names), model


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m.__name__)
@pytest.mark.parametrize("slug", REFUSED, ids=repr)
def test_the_table_refuses_a_slug_written_past_validation(model, slug):
    record = MAKERS[model]()
    with pytest.raises(refusal(slug)), transaction.atomic():
        model.objects.filter(pk=record.pk).update(slug=slug)
    record.refresh_from_db()
    assert record.slug != slug


@pytest.mark.parametrize("slug", TAKEN)
def test_the_table_takes_every_slug_the_model_takes(slug):
    city = CityFactory()
    City.objects.filter(pk=city.pk).update(slug=slug)
    city.refresh_from_db()
    assert city.slug == slug


@pytest.mark.parametrize("slug", REFUSED + TAKEN, ids=repr)
def test_the_model_s_rules_and_the_table_agree(slug):
    """The field rules refuse exactly what the table refuses: the two are one rule's two
    copies (the table's for writes past validation). The table is given what the model would
    store: ``clean_fields`` first makes the text as the registry stores it (``text.stored_text``:
    ``"almaty\n"`` is stored ``"almaty"``, as the admin's form and the API read it)."""
    city = CityFactory()
    city.slug = slug
    try:
        city.clean_fields()
        refused_by_model = False
    except ValidationError as error:
        refused_by_model = "slug" in error.message_dict
    stored = city.slug
    try:
        with transaction.atomic():
            City.objects.filter(pk=city.pk).update(slug=stored)
        refused_by_table = False
    except refusal(stored):
        refused_by_table = True
    assert refused_by_model == refused_by_table


def test_a_bad_slug_is_reported_once_on_its_field_with_the_field_s_message():
    city = CityFactory.build(slug="with space")
    with pytest.raises(ValidationError) as excinfo:
        city.full_clean()
    assert [e.code for e in excinfo.value.error_dict["slug"]] == ["invalid"]


def test_checking_a_record_does_not_ask_the_database_for_the_slug_s_form():
    """The field rules have checked it; ``validate_constraints`` adds no query for it."""
    city = CityFactory.build(slug="almaty-2")
    assert "city_slug_form" in CHECKED_BY_FIELD
    with CaptureQueriesContext(connection) as queries:
        city.validate_constraints()
    assert queries.captured_queries, "the other rules were not checked"
    assert [q["sql"] for q in queries.captured_queries if "GLOB" in q["sql"] or " ~ " in q["sql"]] == []


def test_the_migration_names_each_stored_slug_it_cannot_take():
    """A database holding slugs the rule refuses stops ``migrate`` before the constraints with
    each row named (the database's own refusal named one table and no row; adversarial probe)."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.core.management.base import CommandError

    migration = import_module("registry.migrations.0037_slug_form")
    paris, source = CityFactory(slug="paris"), SourceFactory(slug="report")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        else:
            cursor.execute("ALTER TABLE registry_city DROP CONSTRAINT city_slug_form")
            cursor.execute("ALTER TABLE registry_source DROP CONSTRAINT source_slug_form")
        try:
            City.objects.filter(pk=paris.pk).update(slug="Paris")
            Source.objects.filter(pk=source.pk).update(slug="bad slug/x")
        finally:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
    editor = SimpleNamespace(connection=connection)  # all the step reads of its schema editor
    with pytest.raises(CommandError) as excinfo:
        migration.refuse_bad_slugs(apps, editor)
    message = str(excinfo.value)
    assert f"city {paris.pk}: 'Paris'" in message and f"source {source.pk}: 'bad slug/x'" in message
    City.objects.filter(pk=paris.pk).update(slug="paris")
    Source.objects.filter(pk=source.pk).update(slug="report")
    migration.refuse_bad_slugs(apps, editor)  # nothing left to name
