"""Rules of the domain model: each one refused by full_clean() on its field and by the database."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from registry import services
from registry.models import (
    City,
    CityName,
    DatePrecision,
    DelegationMember,
    EventParticipant,
    ItineraryStop,
    Outcome,
    Partnership,
    Signatory,
)

from .factories import (
    AgreementFactory,
    CityFactory,
    DelegationFactory,
    EventFactory,
    PartnershipFactory,
    PersonFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def assert_refused(instance, field, *, code=None):
    """full_clean() names ``field``; saving anyway is refused by the database."""
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    assert field in excinfo.value.message_dict, excinfo.value.message_dict
    if code:
        codes = [e.code for e in excinfo.value.error_dict[field]]
        assert code in codes, codes
    with pytest.raises(IntegrityError), transaction.atomic():
        instance.save()


def test_city_is_never_its_own_partner():
    city = CityFactory()
    assert_refused(
        Partnership(city=city, partner=city, kind="sister", established_on=datetime.date(2000, 1, 1)), "partner"
    )


def test_one_partnership_in_force_per_pair_in_either_order():
    existing = PartnershipFactory()
    reverse = Partnership(
        city=existing.partner, partner=existing.city, kind="friendship", established_on=datetime.date(2005, 1, 1)
    )
    assert_refused(reverse, "partner", code="partnership_one_open_per_pair")


def test_a_new_partnership_may_follow_an_ended_one_for_the_same_pair():
    old = PartnershipFactory(
        kind="friendship",
        established_on=datetime.date(1989, 10, 24),
        status=Partnership.Status.ENDED,
        ended_on=datetime.date(2007, 2, 2),
    )
    old.full_clean()
    upgrade = Partnership(city=old.city, partner=old.partner, kind="sister", established_on=datetime.date(2007, 2, 2))
    upgrade.full_clean()
    upgrade.save()
    assert Partnership.objects.filter(city=old.city, partner=old.partner).count() == 2


def test_a_partnership_may_not_overlap_an_earlier_one_of_the_same_pair():
    old = PartnershipFactory(established_on=datetime.date(1990, 1, 1))
    old.status, old.ended_on = Partnership.Status.ENDED, datetime.date(2000, 1, 1)
    old.save()
    overlapping = Partnership(
        city=old.city, partner=old.partner, kind="sister", established_on=datetime.date(1995, 1, 1)
    )
    overlapping.status, overlapping.ended_on = Partnership.Status.ENDED, datetime.date(1996, 1, 1)
    with pytest.raises(ValidationError) as excinfo:
        overlapping.full_clean()
    # The error carries the rule's name (it was "invalid": Django drops a code given beside a dict).
    assert [error.code for error in excinfo.value.error_dict["established_on"]] == ["partnership_overlap"]


def test_a_letter_of_intent_without_a_date_overlaps_no_partnership_of_its_pair():
    """A relation never signed has no period: an ended partnership of the same pair is checked
    against it without a ``TypeError`` (Busan and Hokkaido's undated letter of intent made the
    API answer 500 and an import fail; adversarial probe), in both orders of the two."""
    proposed = PartnershipFactory(established_on=None, status=Partnership.Status.PROPOSED)
    ended = Partnership(
        city=proposed.city, partner=proposed.partner, kind="friendship", established_on=datetime.date(2000, 1, 1)
    )
    ended.status, ended.ended_on = Partnership.Status.ENDED, datetime.date(2001, 1, 1)
    ended.full_clean()
    ended.save()
    assert not Partnership.clean_together([ended])
    proposed.full_clean()


def test_a_slug_with_capitals_is_refused_naming_it_in_small_letters():
    """``Almaty`` beside ``almaty`` was stored: two addresses for what reads as one city (adversarial
    probe). The slug's rule ("lower-case ASCII") is checked, with the slug to write instead."""
    CityFactory(slug="almaty")
    city = CityFactory.build(slug="Almaty")
    with pytest.raises(ValidationError) as excinfo:
        city.full_clean()
    [error] = excinfo.value.error_dict["slug"]
    assert error.code == "slug_lower_case"
    assert excinfo.value.message_dict["slug"] == ["A slug is written in small letters: “almaty”."]
    CityFactory.build(slug="almaty-2").full_clean()


def test_partnership_cannot_end_before_it_starts():
    partnership = PartnershipFactory.build(
        city=CityFactory(), partner=CityFactory(), established_on=datetime.date(2000, 5, 1)
    )
    partnership.status, partnership.ended_on = Partnership.Status.ENDED, datetime.date(1999, 1, 1)
    assert_refused(partnership, "ended_on", code="partnership_ends_after_start")


def test_ended_partnership_needs_an_end_date_and_only_it_has_one():
    ended_without_date = PartnershipFactory.build(city=CityFactory(), partner=CityFactory(), status="ended")
    assert_refused(ended_without_date, "ended_on", code="partnership_ended_has_date")
    active_with_date = PartnershipFactory.build(
        city=CityFactory(), partner=CityFactory(), status="active", ended_on=datetime.date(2020, 1, 1)
    )
    assert_refused(active_with_date, "ended_on", code="partnership_ended_has_date")


def test_year_only_date_is_stored_as_the_first_of_january():
    partnership = PartnershipFactory.build(
        city=CityFactory(),
        partner=CityFactory(),
        established_on=datetime.date(1966, 6, 30),
        established_precision=DatePrecision.YEAR,
    )
    partnership.full_clean()
    assert partnership.established_on == datetime.date(1966, 1, 1)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("latitude", Decimal("90.5"), "city_latitude_range"),
        ("latitude", Decimal("-91"), "city_latitude_range"),
        ("longitude", Decimal("180.5"), "city_longitude_range"),
        ("longitude", Decimal("-181"), "city_longitude_range"),
    ],
)
def test_coordinates_are_range_checked(field, value, code):
    city = CityFactory.build(**{field: value})
    with pytest.raises(ValidationError) as excinfo:
        city.full_clean()
    assert field in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        city.save()


def test_latitude_needs_longitude():
    assert_refused(CityFactory.build(longitude=None), "longitude", code="city_coordinates_together")


def test_wikidata_id_is_a_q_number_and_unique():
    CityFactory(wikidata_id="Q35493")
    with pytest.raises(ValidationError) as excinfo:
        CityFactory.build(wikidata_id="35493").full_clean()
    assert "wikidata_id" in excinfo.value.message_dict
    assert_refused(CityFactory.build(wikidata_id="Q35493"), "wikidata_id")


def test_former_name_years_are_in_order():
    city = CityFactory()
    assert_refused(CityName(city=city, name="Alma-Ata", used_from=1993, used_until=1921), "used_until")


@pytest.mark.parametrize(
    ("build", "field", "code"),
    [
        (lambda: CityName(city=CityFactory(), name="Edo", used_from=0), "used_from", "min_value"),
        (lambda: CityName(city=CityFactory(), name="Edo", used_until=2201), "used_until", "max_value"),
        (lambda: CityFactory.build(population_year=2201), "population_year", "max_value"),
        (lambda: ItineraryStop(delegation=DelegationFactory(), order=1000, city=CityFactory()), "order", "max_value"),
        (lambda: ItineraryStop(delegation=DelegationFactory(), order=0, city=CityFactory()), "order", "min_value"),
        (
            lambda: Outcome(
                delegation=DelegationFactory(), order=1, kind="other", description_en="Buyers", count=2**31
            ),
            "count",
            "max_value",
        ),
        (lambda: Signatory(agreement=AgreementFactory(), order=40_000, role="Mayor"), "order", "max_value"),
    ],
)
def test_numbers_keep_to_the_bounds_the_model_names_on_every_database(build, field, code):
    """Years lie in the registry's date range, orders from 1 to 999 and counts in a 32-bit
    integer, whatever the database: SQLite's columns take any 64-bit number, PostgreSQL's
    smallint stops at 32,767, and Django bounded the fields by the column."""
    with pytest.raises(ValidationError) as excinfo:
        build().full_clean()
    assert [error.code for error in excinfo.value.error_dict[field]] == [code]


# Rows whose check constraints involve NULL or LIKE's case rules (SQLite's LIKE ignores ASCII case).
EDGE_ROWS = {
    "wikidata_id Q35493": lambda: CityFactory.build(wikidata_id="Q35493"),
    "wikidata_id q35493": lambda: CityFactory.build(wikidata_id="q35493"),
    "wikidata_id 35493": lambda: CityFactory.build(wikidata_id="35493"),
    "no coordinates": lambda: CityFactory.build(latitude=None, longitude=None),
    "latitude only": lambda: CityFactory.build(longitude=None),
    "former name without a start": lambda: CityName(city=CityFactory(), name="Alma-Ata", used_until=1921),
    "open partnership": lambda: PartnershipFactory.build(city=CityFactory(), partner=CityFactory(), ended_on=None),
}


@pytest.mark.parametrize("row", list(EDGE_ROWS))
def test_the_constraint_check_agrees_with_the_database(row):
    instance = EDGE_ROWS[row]()
    try:
        instance.validate_constraints()
        refused_by_check = False
    except ValidationError:
        refused_by_check = True
    try:
        with transaction.atomic():
            instance.save()
        refused_by_database = False
    except IntegrityError:
        refused_by_database = True
    assert refused_by_check == refused_by_database


def test_event_cannot_end_before_it_starts():
    event = EventFactory.build(
        city=CityFactory(), start_on=datetime.date(2022, 9, 14), end_on=datetime.date(2022, 9, 1)
    )
    assert_refused(event, "end_on", code="event_ends_after_start")


def test_delegation_cannot_end_before_it_starts():
    delegation = DelegationFactory.build(
        organizer=None, start_on=datetime.date(2022, 9, 14), end_on=datetime.date(2022, 9, 1)
    )
    assert_refused(delegation, "end_on", code="delegation_ends_after_start")


def test_itinerary_stop_departs_after_arrival_and_orders_are_unique():
    delegation = DelegationFactory()
    city = CityFactory()
    stop = ItineraryStop(
        delegation=delegation,
        order=1,
        city=city,
        arrive_on=datetime.date(2022, 9, 14),
        depart_on=datetime.date(2022, 9, 1),
    )
    assert_refused(stop, "depart_on", code="itinerarystop_departs_after_arrival")
    ItineraryStop.objects.create(delegation=delegation, order=1, city=city)
    duplicate = ItineraryStop(delegation=delegation, order=1, city=CityFactory())
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "Each stop of a delegation needs its own order number." in str(excinfo.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_outcome_amount_is_not_negative():
    outcome = Outcome(
        delegation=DelegationFactory(), kind="contract", description_en="x", amount=Decimal("-1"), currency="USD"
    )
    assert_refused(outcome, "amount")


def test_outcome_currency_is_an_iso_4217_code():
    outcome = Outcome(
        delegation=DelegationFactory(), kind="contract", description_en="x", amount=Decimal("1"), currency="XYZ"
    )
    with pytest.raises(ValidationError) as excinfo:
        outcome.full_clean()
    assert excinfo.value.error_dict["currency"][0].code == "invalid_currency"
    for bad in ("US", ""):
        outcome.currency = bad
        with pytest.raises(IntegrityError), transaction.atomic():
            outcome.save()
    outcome.currency = "usd"  # the field writes a code in capitals (CurrencyField), whoever saves
    outcome.save()
    assert Outcome.objects.get(pk=outcome.pk).currency == "USD"


@pytest.mark.parametrize("typed", ["usd", " Usd ", "USD"])
def test_an_outcome_currency_typed_in_small_letters_is_read_as_its_code(typed):
    """``usd`` is USD, as ``kz`` is the country KZ (it was refused as "not an ISO 4217 currency code"
    in the admin, where a country code in small letters was accepted; found by a new user)."""
    outcome = Outcome(
        delegation=DelegationFactory(), kind="contract", description_en="x", amount=Decimal("1"), currency=typed
    )
    outcome.full_clean()
    assert outcome.currency == "USD"
    outcome.currency = "usx"
    with pytest.raises(ValidationError) as excinfo:
        outcome.full_clean()
    assert excinfo.value.error_dict["currency"][0].code == "invalid_currency"


def test_outcome_count_is_not_negative():
    outcome = Outcome(delegation=DelegationFactory(), kind="contract", description_en="x", count=-5)
    with pytest.raises(ValidationError) as excinfo:
        outcome.full_clean()
    assert "count" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        outcome.save()


@pytest.mark.parametrize(
    ("model", "parent"),
    [(Signatory, "agreement"), (EventParticipant, "event"), (DelegationMember, "delegation")],
)
def test_participant_is_a_person_or_a_role(model, parent):
    parents = {"agreement": AgreementFactory, "event": EventFactory, "delegation": DelegationFactory}
    row = model(**{parent: parents[parent]()}, order=1)
    assert_refused(row, "role", code=f"{model._meta.model_name}_person_or_role")
    model(**{parent: parents[parent]()}, order=1, role="Deputy Mayor of Almaty").full_clean()
    model(**{parent: parents[parent]()}, order=1, person=PersonFactory()).full_clean()


def test_deleting_a_city_with_partnerships_is_refused():
    partnership = PartnershipFactory()
    with pytest.raises(ProtectedError):
        partnership.partner.delete()
    assert City.objects.filter(pk=partnership.partner.pk).exists()


def test_deleting_a_city_used_by_an_itinerary_is_refused():
    city = CityFactory()
    ItineraryStop.objects.create(delegation=DelegationFactory(), order=1, city=city)
    with pytest.raises(ProtectedError):
        city.delete()


def test_search_text_follows_names_and_former_names():
    city = CityFactory(name_en="Almaty", name_ko="알마티", name_native="Алматы")
    assert City.objects.search("ALMATY").get() == city
    assert not City.objects.search("alma ata").exists()
    CityName.objects.create(city=city, name="Alma-Ata", kind="former", used_from=1921, used_until=1993)
    assert City.objects.search("alma-ata").get() == city
    assert City.objects.search("алматы").get() == city
    CityName.objects.get(name="Alma-Ata").delete()
    assert not City.objects.search("alma-ata").exists()


def test_changes_are_recorded_in_history():
    city = CityFactory(name_en="Alma-Ata")
    city.name_en = "Almaty"
    city.save()
    assert [h.name_en for h in city.history.all()] == ["Almaty", "Alma-Ata"]


def test_clean_keeps_the_sides_as_given_even_when_the_partner_is_the_home_city(home):
    # clean() used to swap city and partner here; now it reports and never rewrites related records.
    other = CityFactory(country="KZ")
    partnership = Partnership(city=other, partner=home, kind="friendship", established_on=datetime.date(2022, 9, 14))
    partnership.full_clean()
    assert (partnership.city, partnership.partner) == (other, home)


def test_create_partnership_stores_the_home_side_the_caller_names(home):
    almaty, tashkent = CityFactory(country="KZ"), CityFactory(country="UZ")
    ours = services.create_partnership(
        city=home, partner=almaty, kind="friendship", established_on=datetime.date(2022, 9, 14)
    )
    theirs = services.create_partnership(
        city=tashkent, partner=home, kind="sister", established_on=datetime.date(2023, 1, 1)
    )
    stored = {p.pk: (p.city, p.partner) for p in Partnership.objects.all()}
    assert stored == {ours.pk: (home, almaty), theirs.pk: (tashkent, home)}
    ours.refresh_from_db()
    assert (ours.status, ours.established_precision, ours.confidence, ours.publication) == (
        "active",
        "day",
        "high",
        "draft",
    )


def test_create_partnership_validates_once_and_stores_dates_at_their_precision(db):
    source = SourceFactory()
    real_full_clean = Partnership.full_clean
    with mock.patch.object(Partnership, "full_clean", autospec=True, side_effect=real_full_clean) as full_clean:
        partnership = services.create_partnership(
            city=CityFactory(),
            partner=CityFactory(),
            kind="sister",
            established_on=datetime.date(1966, 6, 30),
            established_precision=DatePrecision.YEAR,
            sources=[source],
        )
    assert full_clean.call_count == 1
    partnership.refresh_from_db()
    assert (partnership.established_on, partnership.established_precision) == (datetime.date(1966, 1, 1), "year")
    assert list(partnership.sources.all()) == [source]


def test_create_partnership_refuses_a_city_as_its_own_partner_and_stores_nothing(db):
    city = CityFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.create_partnership(city=city, partner=city, kind="sister", established_on=datetime.date(2000, 1, 1))
    assert [e.code for e in excinfo.value.error_dict["partner"]] == ["partnership_not_with_itself"]
    assert not Partnership.objects.exists()
