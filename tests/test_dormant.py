"""Relationship health: last activity computed in the database, dormant after N years."""

import datetime
from http import HTTPStatus

import pytest

from registry.models import Partnership, Publication
from registry.services import renew_partnership, suspend_partnership

from .factories import AgreementFactory, CityFactory, EventFactory, PartnershipFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def relations(home):
    quiet = PartnershipFactory(city=home, partner=CityFactory(slug="quiet", country="JP"), established_on=D(2000, 1, 1))
    lively = PartnershipFactory(
        city=home, partner=CityFactory(slug="lively", country="CN"), established_on=D(2000, 1, 1)
    )
    EventFactory(partnership=quiet, start_on=D(2010, 5, 1))
    EventFactory(partnership=quiet, start_on=D(2015, 5, 1), publication=Publication.DRAFT)
    AgreementFactory(partnership=lively, signed_on=D(2024, 3, 1))
    return quiet, lively


def test_last_activity_is_the_latest_visible_record(relations, superuser):
    quiet, lively = relations
    public = {p.pk: p.last_activity for p in Partnership.objects.with_last_activity(None)}
    assert public == {quiet.pk: D(2010, 5, 1), lively.pk: D(2024, 3, 1)}
    staff = {p.pk: p.last_activity for p in Partnership.objects.with_last_activity(superuser)}
    assert staff[quiet.pk] == D(2015, 5, 1)


def test_dormant_follows_the_setting(relations, settings):
    quiet, lively = relations
    on = D(2026, 1, 1)
    settings.REGISTRY_DORMANT_YEARS = 3
    assert [p.pk for p in Partnership.objects.with_last_activity(None, on=on).filter(dormant=True)] == [quiet.pk]
    settings.REGISTRY_DORMANT_YEARS = 20
    assert list(Partnership.objects.with_last_activity(None, on=on).filter(dormant=True)) == []
    settings.REGISTRY_DORMANT_YEARS = 1
    assert {p.pk for p in Partnership.objects.with_last_activity(None, on=on).filter(dormant=True)} == {
        quiet.pk,
        lively.pk,
    }


def test_a_renewal_stage_makes_a_relation_not_dormant(relations, settings):
    quiet, _ = relations
    settings.REGISTRY_DORMANT_YEARS = 3
    on = D(2026, 1, 1)
    assert Partnership.objects.with_last_activity(None, on=on).get(pk=quiet.pk).dormant is True
    renew_partnership(partnership=quiet, on=D(2024, 6, 1), reason="Renewed for five years")
    renewed = Partnership.objects.with_last_activity(None, on=on).get(pk=quiet.pk)
    assert (renewed.last_activity, renewed.dormant) == (D(2024, 6, 1), False)


def test_the_latest_stage_of_any_kind_counts_and_only_its_own(relations):
    quiet, lively = relations
    suspend_partnership(partnership=quiet, on=D(2012, 3, 1), reason="Dispute")
    activity = {p.pk: p.last_activity for p in Partnership.objects.with_last_activity(None)}
    assert activity == {quiet.pk: D(2012, 3, 1), lively.pk: D(2024, 3, 1)}


def test_last_activity_costs_one_query_whatever_the_stages(relations, django_assert_num_queries):
    quiet, lively = relations
    for year in (2016, 2018, 2020):
        renew_partnership(partnership=quiet, on=D(year, 1, 1), reason="Renewed")
    with django_assert_num_queries(1):  # the partnerships with their correlated subqueries
        activity = {p.pk: p.last_activity for p in Partnership.objects.with_last_activity(None)}
    assert activity == {quiet.pk: D(2020, 1, 1), lively.pk: D(2024, 3, 1)}


def test_an_ended_partnership_is_never_dormant(relations):
    quiet, _ = relations
    quiet.status, quiet.ended_on = Partnership.Status.ENDED, D(2012, 1, 1)
    quiet.save()
    assert Partnership.objects.with_last_activity(None).get(pk=quiet.pk).dormant is False


def test_dormant_filter_and_field_in_the_api(relations, client, settings, django_assert_max_num_queries):
    settings.REGISTRY_DORMANT_YEARS = 10
    quiet, lively = relations
    with django_assert_max_num_queries(6):
        answer = client.get("/api/v1/partnerships/?dormant=true")
    assert answer.status_code == HTTPStatus.OK
    results = answer.json()["results"]
    assert [(row["id"], row["last_activity"], row["dormant"]) for row in results] == [(quiet.pk, "2010-05-01", True)]
    others = client.get("/api/v1/partnerships/?dormant=false").json()["results"]
    assert [row["id"] for row in others] == [lively.pk]
    assert client.get("/api/v1/partnerships/?dormant=maybe").status_code == HTTPStatus.BAD_REQUEST


def test_dormant_filter_on_the_city_list_and_last_activity_on_the_city_page(relations, client, settings):
    settings.REGISTRY_DORMANT_YEARS = 10
    page = client.get("/cities/?dormant=true")
    assert page.status_code == HTTPStatus.OK
    slugs = [city.slug for city in page.context["object_list"]]
    assert slugs == ["quiet"]
    detail = client.get("/cities/quiet/").content.decode()
    assert "Last activity" in detail and "1 May 2010" in detail and "(dormant)" in detail


def test_the_city_list_filter_form_has_a_labelled_dormant_control_that_keeps_its_value(relations, client, settings):
    settings.REGISTRY_DORMANT_YEARS = 10
    page = client.get("/cities/?dormant=true")
    html = page.content.decode()
    assert '<label for="id_dormant">Dormant</label>' in html
    assert '<option value="true" selected>yes</option>' in html
    assert "no event, agreement, delegation visit or stage for 10 years." in html
    assert page.context["filter_form"].more_open  # "More filters" starts open on the value set
    korean = client.get("/ko/cities/?dormant=false").content.decode()
    assert '<label for="id_dormant">휴면</label>' in korean
    assert '<option value="false" selected>아니요</option>' in korean
    assert "10년 동안" in korean


def test_the_countries_page_offers_the_same_control(relations, client):
    html = client.get("/countries/").content.decode()
    assert '<label for="id_dormant">Dormant</label>' in html and '<select name="dormant"' in html


def test_the_api_documents_the_dormant_filter_as_true_or_false(api_client, db):
    schema = api_client.get("/api/v1/schema/?format=json").json()
    for path in ("/api/v1/partnerships/", "/api/v1/cities/"):
        (parameter,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "dormant"]
        assert {"type": "string", "enum": ["false", "true"]} in parameter["schema"]["anyOf"]
        assert "stage" in parameter["description"] and "REGISTRY_DORMANT_YEARS" in parameter["description"]


def test_a_city_with_an_ended_relation_and_a_dormant_one_is_only_dormant(relations, client, settings):
    """Fukuoka's case: its 1989-2007 friendship ended, its sister relation is quiet. The city is
    listed under dormant=true only, never under both answers."""
    settings.REGISTRY_DORMANT_YEARS = 10
    quiet, _ = relations
    PartnershipFactory(
        city=quiet.city,
        partner=quiet.partner,
        kind="friendship",
        established_on=D(1989, 1, 1),
        ended_on=D(1999, 12, 31),
        status="ended",
    )

    def slugs(answer):
        return {city.slug for city in client.get("/cities/", {"dormant": answer}).context["object_list"]}

    assert "quiet" in slugs("true")
    assert "quiet" not in slugs("false")
