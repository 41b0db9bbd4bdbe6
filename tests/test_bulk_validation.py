"""full_clean_many gives each record the errors its own full_clean() gives, asking the database
once per chunk and rule instead of once per record and rule."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.bulk_validation import full_clean_many
from registry.models import City, Partnership

from .factories import CityFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def one_by_one(records) -> dict[int, dict[str, list[str]]]:
    """Each record's errors from its own full_clean(), as {index: {field: messages}}."""
    found = {}
    for index, record in enumerate(records):
        try:
            record.full_clean()
        except ValidationError as error:
            found[index] = error.message_dict
    return found


def in_bulk(records) -> dict[int, dict[str, list[str]]]:
    return {index: error.message_dict for index, error in full_clean_many(records).items()}


def same_fields(a, b) -> bool:
    """Both report the same records with errors on the same fields (the messages too)."""
    return {k: {f: sorted(m) for f, m in v.items()} for k, v in a.items()} == {
        k: {f: sorted(m) for f, m in v.items()} for k, v in b.items()
    }


COORDINATE = st.one_of(st.none(), st.decimals(min_value=-200, max_value=200, places=5))
WIKIDATA = st.sampled_from(["", "Q35493", "q35493", "Q1", "X12", "Q", "Q35493 "])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cities=st.lists(
        st.tuples(COORDINATE, COORDINATE, WIKIDATA, st.sampled_from(["JP", "KZ", "XX", ""])), min_size=1, max_size=6
    )
)
def test_city_rules_agree_with_full_clean_on_this_database(cities):
    """NULLs, the LIKE case rule of ``startswith`` (SQLite's LIKE ignores ASCII case), decimal
    comparison and the conditional unique Wikidata id: the bulk check says what full_clean()
    says, record by record (records of one batch are compared with stored rows only; stored:
    one city with Q35493)."""
    City.objects.filter(slug="stored").delete()
    CityFactory(slug="stored", wikidata_id="Q35493")
    records = [
        City(slug=f"new-{i}", name_en="New", country=country, latitude=lat, longitude=lon, wikidata_id=wikidata)
        for i, (lat, lon, wikidata, country) in enumerate(cities)
    ]
    # full_clean() of one record does not see the other new records; give each its own id.
    records = [
        records[i]
        for i in range(len(records))
        if records[i].wikidata_id not in {r.wikidata_id for r in records[:i] if r.wikidata_id}
    ]
    assert same_fields(in_bulk(records), one_by_one(records))


def test_two_open_partnerships_of_one_pair_in_one_batch_clash_like_in_the_database():
    a, b = CityFactory(slug="a"), CityFactory(slug="b")
    kind = Partnership.Kind.SISTER
    records = [
        Partnership(city=a, partner=b, kind=kind, established_on=datetime.date(2000, 1, 1)),
        Partnership(city=b, partner=a, kind=Partnership.Kind.FRIENDSHIP, established_on=datetime.date(2001, 1, 1)),
    ]
    assert in_bulk(records) == {
        1: {"partner": ["These two cities already have a partnership in force; end it before starting another."]}
    }


def test_two_rows_of_one_batch_with_the_same_slug_clash_on_the_slug():
    records = [City(slug="twice", name_en="A", country="JP"), City(slug="twice", name_en="B", country="JP")]
    assert in_bulk(records) == {1: {"slug": ["City with this Slug already exists."]}}


def test_partnership_rules_agree_with_full_clean():
    """The open-pair expression constraint, the natural key, the end before the start and the
    overlap rule (clean_together), with stored partnerships."""
    a, b, c = CityFactory(slug="a"), CityFactory(slug="b"), CityFactory(slug="c")
    PartnershipFactory(city=a, partner=b, established_on=datetime.date(2000, 1, 1))
    PartnershipFactory(
        city=a, partner=c, established_on=datetime.date(1990, 1, 1), status="ended", ended_on=datetime.date(2005, 1, 1)
    )
    kind = Partnership.Kind.SISTER
    records = [
        Partnership(city=b, partner=a, kind=kind, established_on=datetime.date(2010, 1, 1)),  # second open pair
        Partnership(city=a, partner=b, kind=kind, established_on=datetime.date(2000, 1, 1)),  # natural key
        Partnership(city=c, partner=a, kind=kind, established_on=datetime.date(2001, 1, 1)),  # overlaps 1990-2005
        Partnership(city=c, partner=b, kind=kind, established_on=datetime.date(2006, 1, 1)),  # fine
        Partnership(
            city=b,
            partner=c,
            kind=kind,
            established_on=datetime.date(2006, 1, 1),
            status="ended",
            ended_on=datetime.date(2001, 1, 1),
        ),  # ends before it starts
        Partnership(city=a, partner=a, kind=kind, established_on=datetime.date(2006, 1, 1)),  # with itself
    ]
    expected = one_by_one(records)
    assert set(expected) == {0, 1, 2, 4, 5}
    assert same_fields(in_bulk(records), expected)


def test_a_batch_is_checked_in_a_constant_number_of_queries(django_assert_max_num_queries):
    """Ten or a thousand cities: the same queries (one per chunk of rows and rule)."""
    few = [City(slug=f"few-{i}", name_en="F", country="JP", latitude=Decimal("1"), longitude=1) for i in range(10)]
    many = [City(slug=f"many-{i}", name_en="M", country="JP", latitude=Decimal("1"), longitude=1) for i in range(1000)]
    chunks = 1 if connection.vendor == "postgresql" else 1000 // (999 // 4) + 1
    with django_assert_max_num_queries(2) as few_queries:
        assert full_clean_many(few) == {}
    with django_assert_max_num_queries(2 * chunks) as many_queries:
        assert full_clean_many(many) == {}
    assert len(few_queries) == 2  # the check constraints and unique conditions; the slugs (no Wikidata id given)
    assert len(many_queries) <= 2 * chunks


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's arrays")
def test_on_postgresql_the_rules_read_one_array_per_column_however_many_rows():
    """The rows a batch's check constraints are computed on reach PostgreSQL as one array per
    column (``unnest``): 3,000 cities are 4 parameters, not one per cell (12,000, which the driver
    spent a fifth of a second rewriting in a 5,000-row file); the errors are the same."""
    cities = [City(slug=f"arr-{i}", name_en="A", country="JP", latitude=Decimal("1"), longitude=1) for i in range(3000)]
    cities[1234].latitude = Decimal("91")
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        errors = full_clean_many(cities)
    assert list(errors) == [1234] and "latitude" in errors[1234].message_dict
    [(sql, params)] = [(sql, params) for sql, params in sent if "CASE WHEN" in sql]
    assert "unnest(" in sql
    assert [len(column) for column in params] == [3000] * len(params) and len(params) < 10


def test_a_rule_naming_the_primary_key_is_checked_on_stored_rows():
    """``agreement_not_superseded_by_itself`` compares ``superseded_by`` with ``F("pk")``: the bulk
    check gave PostgreSQL no ``id`` column (every import updating an agreement failed there, found by
    the imports work of issue 12) and on SQLite compared with the string ``'id'`` (the rule never held)."""
    from registry.models import Agreement

    from .factories import AgreementFactory

    stored, other = AgreementFactory(), AgreementFactory()
    stored.status, stored.superseded_by = Agreement.Status.SUPERSEDED, stored
    fine = Agreement.objects.get(pk=other.pk)
    errors = full_clean_many([stored, fine])
    assert list(errors) == [0]
    assert [e.code for e in errors[0].error_dict["superseded_by"]] == ["agreement_not_superseded_by_itself"]
    with pytest.raises(ValidationError) as single:
        stored.full_clean()
    assert "superseded_by" in single.value.error_dict


def test_a_unique_rule_on_expressions_finds_no_clash_on_a_null_as_the_database_and_full_clean():
    """``claim_one_value_per_partnership_fact`` is a rule on expressions (``partnership``, ``fact``,
    ``value``). Two claims of the same fact and value about two events (each with ``partnership``
    NULL) are both stored, and ``full_clean()`` finds them valid; the bulk check reported each
    as a clash with the other, since its key of expressions kept the NULL. Checked stored (each
    against the other row) and new (the two in one batch)."""
    from registry.models import Claim, Event

    events = [
        Event.objects.create(
            slug=f"signing-{n}", title_en="Signing", kind="signing_ceremony", start_on=datetime.date(2022, 9, n)
        )
        for n in (1, 2)
    ]
    stored = [Claim.objects.create(event=event, fact="venue", value="City Hall", preferred=True) for event in events]
    for claim in stored:
        claim.full_clean()
    assert full_clean_many(list(Claim.objects.order_by("pk"))) == {}
    Claim.objects.all().delete()
    new = [Claim(event=event, fact="venue", value="City Hall", preferred=True) for event in events]
    assert full_clean_many(new) == {}
    twice = [
        Claim(event=events[0], fact="venue", value="City Hall"),
        Claim(event=events[0], fact="venue", value="City Hall"),
    ]
    assert list(full_clean_many(twice)) == [1]  # the same event's: still a clash


def test_a_value_seen_before_in_the_batch_gets_the_errors_and_value_of_full_clean():
    """full_clean_many asks a field's clean() once per distinct value (a choice, a number, a
    date; not a text, whose rules are the record's): records repeating a value (an unknown country,
    a latitude out of range or given as text) get what their own full_clean() gives, the fields
    in its order, and the same cleaned values; values equal but not alike (1 and 1.000000, whose
    sixth decimal place is refused; True and 1) are each cleaned on their own."""
    rows = [
        ("XX", Decimal("95"), "city", 1),
        ("XX", Decimal("95"), "nope", 1),
        ("JP", "30.5", "city", True),
        ("JP", "30.5", "city", 1),
        ("JP", Decimal("1"), "nope", 1),
        ("JP", Decimal("1.000000"), "city", 1),
        ("", None, "", 1),
        ("jp", "north", "city", 0),
    ]

    def batch():
        return [
            City(
                slug=f"r-{i}",
                name_en="R",
                country=country,
                latitude=latitude,
                longitude=latitude,
                admin_level=level,
                version=version,
            )
            for i, (country, latitude, level, version) in enumerate(rows)
        ]

    alone, together = batch(), batch()
    expected = one_by_one(alone)
    found = in_bulk(together)
    assert set(expected) == {0, 1, 4, 5, 6, 7}
    assert found == expected  # the same messages, in the same order of fields
    assert [list(errors) for errors in found.values()] == [list(errors) for errors in expected.values()]
    cleaned = [(r.__dict__["country"], r.latitude, r.admin_level, r.version) for r in together]
    assert cleaned == [(r.__dict__["country"], r.latitude, r.admin_level, r.version) for r in alone]
    assert together[2].latitude == Decimal("30.5") and type(together[2].version) is int
