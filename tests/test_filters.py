"""The FilterSets shared by pages and API, on the shipped data."""

import pytest
from django.http import QueryDict

from registry.filters import AgreementFilter, CityFilter, DelegationFilter, EventFilter, PartnershipFilter
from registry.models import Agreement, City, Delegation, Event, Partnership

pytestmark = pytest.mark.django_db


def run(filterset_class, query, queryset):
    filterset = filterset_class(QueryDict(query), queryset=queryset)
    return filterset, filterset.qs


def partner_slugs(query):
    _, qs = run(PartnershipFilter, query, Partnership.objects.public())
    return sorted(qs.values_list("partner__slug", flat=True))


def test_country_any_case_and_several(shipped_data):
    assert partner_slugs("country=kz") == ["almaty"]
    assert partner_slugs("country=KZ&country=mn") == ["almaty", "ulaanbaatar"]
    assert partner_slugs("country=kz,MN") == ["almaty", "ulaanbaatar"]


def test_unknown_country_is_an_error_naming_the_parameter(shipped_data):
    filterset, qs = run(PartnershipFilter, "country=xx&kind=friendship", Partnership.objects.all())
    assert not filterset.is_valid()
    assert "country" in filterset.errors
    assert "XX" in filterset.errors["country"][0]
    assert qs.count() == 12  # the valid filter still applies


def test_region_by_slug_or_code(shipped_data):
    assert partner_slugs("region=central-asia") == ["almaty"]
    assert partner_slugs("region=143") == ["almaty"]
    assert len(partner_slugs("region=Asia")) == 23
    filterset, _ = run(PartnershipFilter, "region=atlantis", Partnership.objects.all())
    assert "region" in filterset.errors


def test_kind_status_dates_and_in_force(shipped_data):
    assert len(partner_slugs("kind=sister")) == 26
    assert len(partner_slugs("status=active")) == 38
    assert partner_slugs("established_after=2022-01-01") == ["almaty"]
    assert len(partner_slugs("established_before=1970-01-01")) == 2
    assert len(partner_slugs("in_force_on=2022-09-13")) == 37
    filterset, _ = run(PartnershipFilter, "in_force_on=2022-13-01", Partnership.objects.all())
    assert "in_force_on" in filterset.errors


def test_search_matches_former_names_accents_and_korean(shipped_data):
    assert partner_slugs("q=alma-ata") == ["almaty"]
    assert partner_slugs("q=valparaiso") == ["valparaiso"]
    assert partner_slugs("q=알마티") == ["almaty"]
    assert partner_slugs("q=LENINGRAD") == ["saint-petersburg"]


def test_ordering_is_allow_listed(shipped_data):
    _, qs = run(PartnershipFilter, "ordering=-established_on", Partnership.objects.all())
    assert qs.first().partner.slug == "almaty"
    filterset, _ = run(PartnershipFilter, "ordering=notes", Partnership.objects.all())
    assert "ordering" in filterset.errors


def test_city_partnership_conditions_apply_to_one_partnership(shipped_data):
    _, qs = run(CityFilter, "kind=friendship&country=cn", City.objects.all())
    assert sorted(qs.values_list("slug", flat=True)) == ["beijing", "chongqing", "guangzhou", "shenzhen", "tianjin"]
    _, qs = run(CityFilter, "in_force_on=2022-09-13&region=central-asia", City.objects.all())
    assert not qs.exists()
    _, qs = run(CityFilter, "q=pusan", City.objects.all())
    assert list(qs.values_list("slug", flat=True)) == ["busan"]


def test_agreement_event_and_delegation_filters(shipped_data):
    _, qs = run(AgreementFilter, "country=kz&field=economy", Agreement.objects.all())
    assert qs.get().kind == "friendship_city"
    _, qs = run(EventFilter, "country=KZ&kind=signing_ceremony", Event.objects.all())
    assert qs.get().start_on.isoformat() == "2022-09-14"
    _, qs = run(DelegationFilter, "country=fr", Delegation.objects.all())
    assert qs.get().kind == "citizens"
    _, qs = run(DelegationFilter, "region=central-asia", Delegation.objects.all())
    assert qs.count() == 2


def test_city_filters_count_the_partners_the_home_page_counts(shipped_data):
    _, qs = run(CityFilter, "in_force_on=2022-09-13", City.objects.all())
    assert qs.count() == 37 and not qs.filter(slug="busan").exists()
    _, qs = run(CityFilter, "kind=friendship", City.objects.all())
    assert qs.count() == 12


def test_a_very_long_search_is_bounded_and_never_an_error(client, shipped_data):
    long_query = " ".join(["a"] * 2000)
    for url in ("/cities/", "/events/", "/api/v1/cities/", "/api/v1/events/", "/api/v1/organizations/"):
        assert client.get(url, {"q": long_query}).status_code == 200, url
    assert client.get("/api/v1/agreements/", {"partnership": str(2**63)}).status_code == 400


def test_page_csv_neutralises_formulas(client, shipped_data):
    from registry.models import Event

    Event.objects.filter(kind="announcement").update(title_en='=HYPERLINK("http://evil.example","x")')
    body = client.get("/events/", {"format": "csv"}).content.decode()
    assert "'=HYPERLINK" in body
    assert ",=HYPERLINK" not in body
