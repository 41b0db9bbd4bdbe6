"""The admin city form warns about a city of the same folded name or former name in the same
country, links to it and saves only once confirmed."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from registry.models import City, CityName

from .factories import CityFactory

pytestmark = pytest.mark.django_db


def city_form(**values):
    data = {
        "name_en": "Tashkent",
        "name_ko": "",
        "name_native": "",
        "slug": "tashkent-2",
        "country": "UZ",
        "admin_level": "city",
        "confidence": "high",
        "latitude": "41.30000",
        "longitude": "69.24000",
        "names-TOTAL_FORMS": "0",
        "names-INITIAL_FORMS": "0",
        "names-MIN_NUM_FORMS": "0",
        "names-MAX_NUM_FORMS": "1000",
    }
    return {**data, **values}


def test_duplicate_warning_for_tashkent_uz_links_to_it_and_saves_only_when_confirmed(staff_client):
    tashkent = CityFactory(slug="tashkent", name_en="Tashkent", country="UZ")
    url = reverse("admin:registry_city_add")
    answer = staff_client.post(url, city_form(name_en="TASHKENT"))
    assert answer.status_code == HTTPStatus.OK
    page = answer.content.decode()
    assert "A city with this name already exists in this country" in page
    assert reverse("admin:registry_city_change", args=[tashkent.pk]) in page
    assert 'type="checkbox" name="save_anyway"' in page
    assert City.objects.count() == 1
    answer = staff_client.post(url, city_form(save_anyway="on"))
    assert answer.status_code == HTTPStatus.FOUND
    assert City.objects.filter(slug="tashkent-2").exists()


def test_former_name_counts_and_another_country_does_not(staff_client):
    almaty = CityFactory(slug="almaty", name_en="Almaty", country="KZ")
    CityName.objects.create(city=almaty, name="Alma-Ata", kind="former")
    url = reverse("admin:registry_city_add")
    warned = staff_client.post(url, city_form(name_en="Alma Ata", slug="alma-ata", country="KZ"))
    assert "A city with this name already exists" in warned.content.decode()
    elsewhere = staff_client.post(url, city_form(name_en="Almaty", slug="almaty-us", country="US"))
    assert elsewhere.status_code == HTTPStatus.FOUND


def test_a_stored_city_is_warned_about_only_when_its_names_or_country_change(staff_client):
    """Found by a new user: once a second city named Almaty existed, every save of the first (its
    population, a revert) was held back by the warning."""
    first = CityFactory(slug="tashkent", name_en="Tashkent", country="UZ", latitude="41.3", longitude="69.24")
    CityFactory(slug="tashkent-2", name_en="Tashkent", country="UZ")
    url = reverse("admin:registry_city_change", args=[first.pk])
    values = city_form(slug="tashkent", expected_version=str(first.version), population="2956384")
    assert staff_client.post(url, values).status_code == HTTPStatus.FOUND
    first.refresh_from_db()
    assert first.population == 2956384
    renamed = staff_client.post(url, {**values, "expected_version": str(first.version), "name_native": "Tashkent"})
    assert "A city with this name already exists in this country" in renamed.content.decode()


def test_the_warning_names_the_city_and_country_in_the_readers_language(staff_client):
    """Found by a new user: the Korean admin's warning said "Almaty, KZ"."""
    CityFactory(slug="tashkent", name_en="Tashkent", name_ko="타슈켄트", country="UZ")
    url = reverse("admin:registry_city_add")
    korean = staff_client.post(url, city_form(), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "타슈켄트, 우즈베키스탄" in korean
    english = staff_client.post(url, city_form()).content.decode()
    assert "Tashkent, Uzbekistan" in english


def test_an_alias_typed_decomposed_beside_its_composed_twin_is_a_form_error(staff_client):
    """ "Mu\u0308nster" (u and a combining diaeresis) beside "Münster" passed the formset's duplicate
    check, stored composed, and broke the unique constraint: a 500 (adversarial probe). The
    admin's text fields read what was typed composed, so it is the formset's own error."""
    url = reverse("admin:registry_city_add")
    aliases = {
        "names-TOTAL_FORMS": "2",
        "names-0-name": "Mu\u0308nster",
        "names-0-kind": "former",
        "names-1-name": "Münster",
        "names-1-kind": "former",
    }
    form = city_form(name_en="Zo\u0308lltown", slug="zolltown", country="DE", **aliases)
    answer = staff_client.post(url, form)
    assert answer.status_code == HTTPStatus.OK
    assert "Please correct the duplicate data for name and kind" in answer.content.decode()
    assert not City.objects.filter(slug="zolltown").exists()
    form = city_form(name_en="Zo\u0308lltown", slug="zolltown", country="DE")
    assert staff_client.post(url, form).status_code == HTTPStatus.FOUND
    city = City.objects.get(slug="zolltown")
    assert city.name_en == "Zölltown"
    # The same name typed decomposed again changes nothing: no new version.
    change = reverse("admin:registry_city_change", args=[city.pk])
    again = {**city_form(name_en="Zo\u0308lltown", slug="zolltown", country="DE"), "expected_version": city.version}
    assert staff_client.post(change, again).status_code == HTTPStatus.FOUND
    assert City.objects.get(pk=city.pk).version == city.version


def test_an_admin_search_for_nothing_that_shows_lists_everything(staff_client):
    """``?q=%E2%80%8B`` gave "0 results" in the admin's lists, where the public lists and the API
    read it as no query (adversarial probe)."""
    CityFactory(slug="almaty", name_en="Almaty", country="KZ")
    listed = staff_client.get(reverse("admin:registry_city_changelist"), {"q": "\u200b"})
    assert listed.context["cl"].result_count == City.objects.count() == 1
