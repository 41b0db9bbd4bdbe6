"""Each list's ``country_sets()`` (what the lists' menus count) agrees with its ``for_country()`` and
``in_region()`` (what the ``country`` and ``region`` filters select)."""

import pytest
from django_countries import countries

from registry import regions
from registry.models import Agreement, City, Delegation, Event, ItineraryStop, Partnership, Publication

from .factories import AgreementFactory, CityFactory, DelegationFactory, EventFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

DRAFT = Publication.DRAFT


@pytest.fixture
def places(home):
    """Busan's relations as the lists see them: Almaty (KZ) a published partner, with an agreement
    signed there and an event held there; a delegation stopping in Almaty and Bishkek (KG), which
    is no partner; Reykjavik (IS) a partner only through a draft, with a draft event, so Iceland
    is for staff only."""
    almaty = CityFactory(slug="almaty", name_en="Almaty", country="KZ")
    bishkek = CityFactory(slug="bishkek", name_en="Bishkek", country="KG")
    reykjavik = CityFactory(slug="reykjavik", name_en="Reykjavik", country="IS")
    with_almaty = PartnershipFactory(city=home, partner=almaty)
    PartnershipFactory(city=home, partner=reykjavik, publication=DRAFT)
    AgreementFactory(slug="almaty-agreement", place=almaty, partnership=with_almaty)
    EventFactory(slug="almaty-signing", city=almaty, partnership=with_almaty)
    EventFactory(slug="reykjavik-visit", city=reykjavik, publication=DRAFT)
    tour = DelegationFactory(slug="tour")
    for order, city in enumerate((almaty, bishkek, almaty), start=1):
        ItineraryStop.objects.create(delegation=tour, order=order, city=city)
    return {"almaty": almaty, "reykjavik": reykjavik}


# --------------------------------------------------------------------------- what the menus count


@pytest.fixture
def tangled(home, places):
    """Rows whose places a count could get wrong: a relation stored with the home city as its
    partner (its other side is the stored city, in Japan), an agreement signed in Kazakhstan under
    a partnership with a city in Japan, one with no place under it, one with neither, an event
    with no city, a delegation with no stop."""
    osaka = CityFactory(slug="osaka", country="JP")
    fukuoka = CityFactory(slug="fukuoka", country="JP")
    suva = CityFactory(slug="suva", country="FJ")
    reversed_side = PartnershipFactory(city=osaka, partner=home)
    PartnershipFactory(city=home, partner=fukuoka)
    AgreementFactory(slug="signed-away", place=places["almaty"], partnership=reversed_side)
    AgreementFactory(slug="no-place", place=None, partnership=reversed_side)
    AgreementFactory(slug="nowhere", place=None, partnership=None)
    AgreementFactory(slug="in-fiji", place=suva, partnership=None, publication=DRAFT)
    EventFactory(slug="no-city", city=None)
    DelegationFactory(slug="no-stops")


@pytest.mark.parametrize("model", [City, Partnership, Agreement, Event, Delegation])
def test_country_sets_count_what_for_country_and_in_region_select(tangled, model):
    """For every country and every UN M49 area, a list's menus count exactly the rows the
    ``country`` and ``region`` filters then list, on every row and on the public ones."""
    for rows in (model.objects.all(), model.objects.public()):
        sets = rows.country_sets()
        assert all(codes and codes == {code.upper() for code in codes} for codes in sets)
        present = {code for codes in sets for code in codes}
        for code in sorted(present | {"JP", "KZ", "FJ", "IS", "US"}):
            expected = rows.for_country(code).count()
            assert sum(count for codes, count in sets.items() if code in codes) == expected, (model, code)
        for area in regions.all_regions():
            inside = regions.countries_in(area)
            expected = rows.in_region(area).count()
            assert sum(count for codes, count in sets.items() if codes & inside) == expected, (model, area)


def test_the_areas_of_a_country_are_those_that_hold_it():
    for code, _name in countries:
        holding = {area for area in regions.all_regions() if code in regions.countries_in(area)}
        assert set(regions.areas_of(code)) == holding, code
