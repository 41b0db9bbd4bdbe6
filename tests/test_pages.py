"""Public pages of the foundation: the home page's network summary and city pages."""

import datetime
import re
from http import HTTPStatus

import pytest
from django.http import QueryDict
from django.urls import resolve, reverse
from django.utils import timezone, translation

from registry import services
from registry.models import Partnership

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("as_of", "cities", "countries"),
    [("2022-09-21", 38, 28), ("2022-09-13", 37, 27)],
)
def test_home_shows_the_network_on_a_date(client, shipped_data, as_of, cities, countries):
    response = client.get("/", {"as_of": as_of})
    assert response.status_code == HTTPStatus.OK
    summary = response.context["summary"]
    assert (summary.partner_cities, summary.countries) == (cities, countries)
    assert f"<strong>{cities}</strong> partner cities in <strong>{countries}</strong> countries" in response.text


def test_home_names_almaty_first_in_central_asia(client, shipped_data):
    response = client.get("/", {"as_of": "2022-09-21"})
    assert response.context["first_partners"]["central-asia"].partner.slug == "almaty"
    assert "Central Asia" in response.text


@pytest.mark.parametrize("bad", ["2022-13-45", "yesterday", "21/09/2022", "0001-01-01"])
def test_home_with_a_bad_date_is_a_400_with_a_message_and_todays_network(client, shipped_data, bad):
    """A refused date keeps what was typed beside its message, and the page still shows the
    network, today's, saying so (it showed the title and the message only: a new user took the
    page for broken)."""
    response = client.get("/", {"as_of": bad})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'role="alert"' in response.text
    assert "The network below is that of today." in response.text
    assert response.context["as_of"] == timezone.localdate()
    assert response.context["summary"].partner_cities == 38
    assert f'value="{bad}"' in response.text


def test_home_defaults_to_today(client, shipped_data):
    response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    assert response.context["as_of"] == datetime.datetime.now(datetime.UTC).date()


def test_home_in_korean(client, shipped_data):
    response = client.get("/ko/", {"as_of": "2022-09-21"})
    assert response.status_code == HTTPStatus.OK
    assert '<html lang="ko">' in response.text
    assert "중앙 아시아" in response.text
    assert 'href="/?as_of=2022-09-21"' in response.text  # the switch keeps the date


def test_home_without_a_home_city_says_so(client, db):
    response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    assert "not in the registry yet" in response.text


def test_city_page_shows_names_partnership_and_sources(client, shipped_data):
    response = client.get(reverse("registry:city-detail", kwargs={"slug": "almaty"}))
    assert response.status_code == HTTPStatus.OK
    for text in ("Алматы", "알마티", "Alma-Ata (1921–1993)", "Central Asia", "14 September 2022", "friendship city"):
        assert text in response.text, text


def test_the_home_city_page_counts_its_partner_cities_as_the_network_does(client, shipped_data):
    # A suspended partnership has not ended, but it is not in force: neither the home page nor
    # the home city's page counts it (PartnershipQuerySet.in_force_on).
    almaty = Partnership.objects.get(partner__slug="almaty")
    services.suspend_partnership(partnership=almaty, on=timezone.localdate(), reason="Paused.")
    summary = client.get("/").context["summary"]
    assert (summary.partner_cities, summary.countries) == (37, 27)
    page = client.get("/cities/busan/")
    assert "<strong>37</strong> partner cities in <strong>27</strong> countries" in page.text
    assert "partnerships not ended" not in page.text and "<strong>38</strong>" not in page.text
    assert 'class="counting-rule"' in page.text
    korean = client.get("/ko/cities/busan/")
    assert "<strong>27</strong>개국 <strong>37</strong>개 도시" in korean.text
    # Another city's page lists its partnerships, with no total of its own.
    assert "partner cities in" not in client.get("/cities/almaty/").text


def test_the_counting_page_names_its_sources_in_the_readers_language(client, shipped_data):
    """helper-106: the Korean page named the office's published figures' sources in English; a
    page title in quotes stays as the page has it."""
    english = client.get("/counting/").text
    korean = client.get("/ko/counting/").text
    assert "Busan Metropolitan City, friendly cooperation cities" in english
    assert "부산광역시, 우호협력도시" in korean and "friendly cooperation cities" not in korean
    assert "부산광역시 보도자료, 2022-09-21 (알마티)" in korean
    assert "부산광역시, “Sister Cities (26 from 23 countries)”" in korean


def test_city_search_finds_former_names(client, shipped_data):
    response = client.get(reverse("registry:city-list"), {"q": "alma-ata"})
    assert [c.slug for c in response.context["object_list"]] == ["almaty"]


def test_urls_reverse_and_resolve():
    with translation.override("en"):
        assert reverse("registry:city-detail", kwargs={"slug": "almaty"}) == "/cities/almaty/"
    with translation.override("ko"):
        assert reverse("registry:city-detail", kwargs={"slug": "almaty"}) == "/ko/cities/almaty/"
        assert resolve("/ko/cities/almaty/").view_name == "registry:city-detail"


def test_partnership_page_shows_both_cities_kind_agreements_events_and_sources(client, shipped_data):
    from registry.models import Partnership

    almaty = Partnership.objects.get(partner__slug="almaty")
    response = client.get(f"/partnerships/{almaty.pk}/")
    assert response.status_code == HTTPStatus.OK
    for text in ("Busan", "Almaty", "friendship city", "14 September 2022", "Life of the relation", "bfic.kr"):
        assert text in response.text, text
    assert response.context["agreements"], "the 2022 agreement belongs to the partnership"
    assert response.context["events"], "the signing ceremony concerns the partnership"
    assert "includes/partnership_life.html (issue 10)" not in response.text  # a template comment only


def test_partnership_page_in_korean_marks_english_fallbacks(client, shipped_data):
    from registry.models import City, Partnership

    almaty = Partnership.objects.get(partner__slug="almaty")
    City.objects.filter(slug="almaty").update(name_ko="")
    response = client.get(f"/ko/partnerships/{almaty.pk}/")
    assert response.status_code == HTTPStatus.OK
    assert '<html lang="ko">' in response.text
    assert '<span lang="ko">부산</span>' in response.text
    assert '<span lang="en">Almaty</span>' in response.text


def test_a_draft_partnership_has_no_page_for_the_public(client, db):
    from registry.models import Publication

    from .factories import PartnershipFactory

    draft = PartnershipFactory(publication=Publication.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_partnership_pages_are_linked_from_city_pages_lists_and_the_home_map_list(client, shipped_data):
    from registry.models import Partnership

    url = Partnership.objects.get(partner__slug="almaty").get_absolute_url()
    assert url.startswith("/partnerships/")
    for page in ("/cities/almaty/", "/cities/?q=almaty", "/countries/kz/", "/?as_of=2022-09-21"):
        assert f'href="{url}"' in client.get(page).text, page


def test_every_page_has_description_canonical_and_hreflang_links(client, shipped_data):
    response = client.get("/ko/cities/almaty/", {"q": "x"})
    text = response.text
    assert re.search(r'<meta name="description"\s+content="[^"]{20,}">', text)
    assert '<link rel="canonical" href="http://testserver/ko/cities/almaty/">' in text
    assert '<link rel="alternate" hreflang="en" href="http://testserver/cities/almaty/">' in text
    assert '<link rel="alternate" hreflang="ko" href="http://testserver/ko/cities/almaty/">' in text
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/cities/almaty/">' in text


def test_counting_rule_stands_beside_every_total(client, shipped_data):
    for page in ("/?as_of=2022-09-21", "/cities/busan/", "/countries/", "/ko/"):
        text = client.get(page).text
        assert 'class="counting-rule"' in text, page
        assert 'href="/counting/"' in text or 'href="/ko/counting/"' in text, page
    assert "Taiwan (TW) counts as a country" in client.get("/").text


def test_reconciliation_computes_the_registry_figures_beside_the_office_ones(client, shipped_data):
    response = client.get("/counting/")
    assert response.status_code == HTTPStatus.OK
    rows = {(row.figure.kind, str(row.figure.as_of)): row for row in response.context["rows"]}
    assert (rows["sister", "2022-01-31"].cities, rows["sister", "2022-01-31"].countries) == (26, 23)
    assert (rows["friendship", "2022-01-31"].cities, rows["friendship", "2022-01-31"].countries) == (11, 6)
    assert (rows["", "2022-09-21"].cities, rows["", "2022-09-21"].countries) == (38, 28)
    assert all(row.agrees for row in rows.values())
    assert rows["sister", "2022-01-31"].taiwan_counted


def test_reconciliation_states_the_published_dates_in_the_readers_language(client, shipped_data):
    """The office's "as of January 2022" is a date of month precision, written in Korean on the
    Korean page (it was the English text "January 2022" there)."""
    english = client.get("/counting/").text
    assert "(as of January 2022)" in english and "(as of 21 September 2022)" in english
    korean = client.get("/ko/counting/").text
    assert "January" not in korean and "2022년 1월" in korean


def test_reconciliation_shows_where_the_registry_differs(client, shipped_data):
    from registry.models import Partnership, Publication

    Partnership.objects.filter(partner__slug="yangon").update(publication=Publication.DRAFT)
    response = client.get("/counting/")
    sister = next(row for row in response.context["rows"] if row.figure.kind == "sister")
    assert (sister.city_difference, sister.country_difference) == (-1, -1)
    assert re.search(r"-1 cities,\s+-1 countries", response.text)


def test_search_finds_every_kind_grouped(client, shipped_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):  # one query per kind (7), plus the page's own
        response = client.get("/search/", {"q": "almaty"})
    assert response.status_code == HTTPStatus.OK
    groups = {group["key"]: group for group in response.context["groups"]}
    assert list(groups) == ["cities", "partnerships", "agreements", "events", "delegations", "people", "organizations"]
    assert [city.slug for city in groups["cities"]["rows"]] == ["almaty"]
    assert len(groups["partnerships"]["rows"]) == 1
    assert groups["agreements"]["rows"]
    assert groups["organizations"]["rows"], "the Akimat of Almaty"


def test_search_finds_former_names_and_korean_and_never_drafts(client, shipped_data):
    from registry.models import Partnership, Publication

    assert [c.slug for c in client.get("/search/", {"q": "alma-ata"}).context["groups"][0]["rows"]] == ["almaty"]
    assert [c.slug for c in client.get("/ko/search/", {"q": "알마티"}).context["groups"][0]["rows"]] == ["almaty"]
    Partnership.objects.filter(partner__slug="almaty").update(publication=Publication.DRAFT)
    groups = {g["key"]: g for g in client.get("/search/", {"q": "almaty"}).context["groups"]}
    assert groups["partnerships"]["rows"] == []


def test_search_of_punctuation_only_finds_nothing(client, api_client, shipped_data):
    for query in ("-", ".", "_", " - . _ "):
        groups = client.get("/search/", {"q": query}).context["groups"]
        assert all(group["rows"] == [] for group in groups), query
        for url in ("/api/v1/cities/", "/api/v1/events/", "/api/v1/partnerships/", "/api/v1/organizations/"):
            assert api_client.get(url, {"q": query}).json()["count"] == 0, (url, query)


def test_search_of_every_kind_ignores_punctuation_and_accents_typed_in_the_query(client, shipped_data):
    def found(query):
        groups = client.get("/search/", {"q": query}).context["groups"]
        return {group["key"]: [str(row) for row in group["rows"]] for group in groups}

    plain = found("almaty")
    assert plain["events"] and plain["agreements"] and plain["organizations"]
    assert found("Almaty,") == plain
    assert found("(ALMATÝ)") == plain


def test_search_without_words_shows_the_form_only(client, db):
    response = client.get("/search/")
    assert response.status_code == HTTPStatus.OK
    assert "groups" not in response.context
    assert 'role="search"' in response.text


def test_a_date_with_no_partners_says_so_instead_of_empty_headings(client, shipped_data):
    response = client.get("/", {"as_of": "1950-01-01"})
    assert response.status_code == HTTPStatus.OK
    assert "No partnership was in force on 1 January 1950" in response.text
    assert "No partnership had been established by this date." in response.text
    assert 'id="by-kind"' not in response.text and 'id="by-region"' not in response.text
    assert 'id="by-kind"' in client.get("/", {"as_of": "2022-09-21"}).text


def test_the_sources_of_a_fact_read_as_a_bracketed_list_without_stray_spaces(client, shipped_data):
    """``[Title; Title]``: the include's line breaks showed as "[ Title ; Title ]" (new-user probe)."""
    almaty = Partnership.objects.get(partner__slug="almaty")
    text = client.get(almaty.get_absolute_url()).content.decode()
    brackets = re.findall(r'<span class="muted">\[(.*?)\]</span>', text, flags=re.S)
    assert brackets, "no source list on the page"
    for inside in brackets:
        plain = re.sub(r"<[^>]+>", "", inside)
        assert plain == plain.strip() and " ;" not in plain and "\n" not in plain, plain
        assert all(title.strip() for title in plain.split("; "))


@pytest.mark.parametrize("path", ["/", "/network/national/"])
def test_the_date_picker_shows_the_date_of_the_figures(client, home, path):
    """Found by a new user: without ``?as_of`` the picker was empty while the figures were today's."""
    import re

    from django.utils import timezone

    def shown(page: str) -> str:
        return re.search(r'id="id_as_of"\s+value="([^"]*)"', page).group(1)

    assert shown(client.get(path).text) == timezone.localdate().isoformat()
    assert shown(client.get(path, {"as_of": "2022-09-21"}).text) == "2022-09-21"
    assert shown(client.get(path, {"as_of": "nope"}).text) == "nope"  # what was typed, under its error


def test_the_home_page_says_a_date_after_today_is_no_forecast_and_why_kinds_count_more_countries(client, shipped_data):
    """helper-99: ``?as_of=2099-01-01`` showed today's network as the fact of 2099, and the kinds'
    countries (23 + 7) added up to more than the 28 countries, with no word on either."""
    past = client.get("/?as_of=2022-09-21")
    assert "after today" not in past.text
    kinds = re.findall(r'<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>', past.text.split('id="by-kind"')[1])
    assert sum(int(countries) for _cities, countries in kinds[:2]) > past.context["summary"].countries == 28
    assert "A country with partner cities of both kinds is counted in each row." in past.text
    future = client.get("/?as_of=2099-01-01")
    assert "This date is after today: the figures are the relations recorded today" in future.text


@pytest.mark.parametrize("code", ["kz", "kr"])
def test_a_country_page_lists_what_its_lists_filtered_by_the_country_show(client, shipped_data, code):
    """``/countries/<code>/`` shows the cities, events and delegations that each list's
    ``?country=`` selects (each model's ``for_country``): the page had its own copy of the rule
    for events and delegations (helper-107). A delegation there is one with a stop in the country
    (Almaty: the campaign and the trade delegation), an event one held there."""
    from registry.models import Delegation, Event, ItineraryStop

    page = client.get(f"/countries/{code}/").context
    events = client.get("/events/", {"country": code}).context["object_list"]
    delegations = client.get("/delegations/", {"country": code}).context["object_list"]
    cities = client.get("/cities/", {"country": code, "show": "all"}).context["object_list"]
    assert {city.slug for city in page["cities"]} == {city.slug for city in cities}
    # Its link to the cities' list is that list (the page's response is cached: read its links):
    # it left out ?show=all, so the list showed the home city's partners only, "0 results" for
    # South Korea (Busan) or France (Paris) (helper-110).
    link = re.search(r'href="/cities/\?([^"]*)"', client.get(f"/countries/{code}/").text).group(1)
    assert QueryDict(link.replace("&amp;", "&")).dict() == {"country": code, "show": "all"}, link
    assert {event.slug for event in page["events"]} == {event.slug for event in events}
    assert {delegation.slug for delegation in page["delegations"]} == {d.slug for d in delegations}
    upper = code.upper()
    assert {e.slug for e in page["events"]} == set(
        Event.objects.public().filter(city__country=upper).values_list("slug", flat=True)
    )
    stopping = ItineraryStop.objects.filter(city__country=upper).values("delegation")
    assert {d.slug for d in page["delegations"]} == set(
        Delegation.objects.public().filter(pk__in=stopping).values_list("slug", flat=True)
    )
    if code == "kz":
        assert len(page["delegations"]) == 2 and page["events"]


def test_an_event_without_a_city_shows_a_dash_under_its_place_in_the_list(client, shipped_data):
    """On a phone each cell is labelled ("Place: …", "장소: …"); an event held in no one city (an
    anniversary, a campaign) showed the label with nothing after it, as a delegation without stops
    did (helper-110)."""
    for prefix, label in (("", "Place"), ("/ko", "장소")):
        page = client.get(f"{prefix}/events/").text
        cells = [" ".join(cell.split()) for cell in re.findall(rf'<td data-label="{label}">(.*?)</td>', page, re.S)]
        assert cells and all(cell for cell in cells), cells
        assert '<span class="muted">—</span>' in cells
        assert any(cell.startswith('<a href="') for cell in cells)
