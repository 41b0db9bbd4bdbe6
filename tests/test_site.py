"""The public site: every page of the URL contract, lists with filters, CSV, languages, site files."""

import csv
import datetime
import io
import re
from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse, set_script_prefix
from django.utils import timezone
from django.views.defaults import server_error

from registry.models import Agreement, Event, Partnership, Publication

from .factories import AgreementFactory, EventFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    return [getattr(row, "slug", None) or row["country"].code for row in response.context["object_list"]]


# --------------------------------------------------------------------------- acceptance


def test_cities_filtered_by_country_lists_almaty(client, shipped_data):
    response = client.get("/cities/", {"country": "kz"})
    assert response.status_code == HTTPStatus.OK
    assert listed(response) == ["almaty"]
    assert "Kazakhstan (KZ)" in response.text  # the active filter


def test_cities_search_ignores_accents(client, shipped_data):
    response = client.get("/cities/", {"q": "valparaiso"})
    assert listed(response) == ["valparaiso"]
    assert "Valparaíso" in response.text


def test_korean_cities_search_lists_almaty_in_korean(client, shipped_data):
    response = client.get("/ko/cities/", {"q": "알마티"})
    assert response.status_code == HTTPStatus.OK
    assert listed(response) == ["almaty"]
    assert '<a href="/ko/cities/almaty/" lang="ko">알마티</a>' in response.text
    assert "검색" in response.text


def test_a_search_that_finds_nothing_points_to_the_country_it_names_and_to_every_city(client, shipped_data):
    """helper-87: ``?q=카자흐스탄`` and ``?q=부산`` (the home city is no partner of itself) found
    nothing, with no pointer."""
    country = client.get("/ko/cities/", {"q": "카자흐스탄"})
    assert listed(country) == [] and country.context["suggestions"] == [
        ("“카자흐스탄”: 나라 이름입니다. 카자흐스탄의 도시 보기", "/ko/countries/kz/"),
        ("부산의 자매·우호협력도시만이 아니라 모든 도시에서 찾기", "?" + urlencode({"q": "카자흐스탄", "show": "all"})),
    ]
    assert 'href="/ko/countries/kz/"' in country.text
    assert "http://testserver/ko/cities/?q=카자흐스탄\n" in country.text  # cited as people read it
    home = client.get("/cities/", {"q": "busan"})
    assert [text for text, _url in home.context["suggestions"]] == [
        "Search every city, not only the partner cities of Busan"
    ]
    assert listed(client.get("/cities/", {"q": "busan", "show": "all"})) == ["busan"]
    assert client.get("/cities/", {"q": "Kazakhstan"}).context["suggestions"][0][1] == "/countries/kz/"
    assert client.get("/cities/", {"q": "almaty"}).context["suggestions"] == []  # found: nothing to suggest
    nowhere = client.get("/cities/", {"q": "Atlantis", "show": "all"})  # neither a country nor a narrower list
    assert listed(nowhere) == [] and nowhere.context["suggestions"] == []


def test_home_before_the_almaty_signing_has_no_almaty_on_the_map(client, shipped_data):
    response = client.get("/", {"as_of": "2022-09-13"})
    assert "<strong>37</strong> partner cities in <strong>27</strong> countries" in response.text
    map_svg = response.text.split('id="network-map"')[1].split("</svg>")[0]
    assert 'aria-label="Osaka"' in map_svg
    assert 'aria-label="Almaty"' not in map_svg
    after = client.get("/", {"as_of": "2022-09-21"}).text.split('id="network-map"')[1].split("</svg>")[0]
    assert 'aria-label="Almaty"' in after


def test_home_timeline_counts_only_what_had_happened(client, shipped_data):
    before = client.get("/", {"as_of": "2022-09-13"}).context["timeline"]
    after = client.get("/", {"as_of": "2022-09-21"}).context["timeline"]
    assert (before.last["year"], before.last["in_force"], before.last["established"]) == (2022, 37, 0)
    assert (after.last["year"], after.last["in_force"], after.last["friendship"]) == (2022, 38, 1)
    assert "Partnerships in force and established per year" in client.get("/").text


# --------------------------------------------------------------------------- every page answers


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/cities/",
        "/cities/almaty/",
        "/cities/busan/",
        "/countries/",
        "/countries/kz/",
        "/agreements/",
        "/agreements/busan-almaty-friendly-cooperation-city-agreement/",
        "/events/",
        "/events/busan-almaty-signing-ceremony-2022/",
        "/delegations/",
        "/delegations/busan-trade-delegation-almaty-2022/",
        "/delegations/eurasia-citizens-campaign-2022/",
        "/ko/",
        "/ko/countries/kz/",
        "/ko/delegations/eurasia-citizens-campaign-2022/",
    ],
)
def test_page_answers_with_a_language_switch_keeping_the_page(client, shipped_data, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    other = url.removeprefix("/ko") if url.startswith("/ko/") else "/ko" + url
    assert f'href="{other}"' in response.text


def test_language_switch_keeps_the_filters(client, shipped_data):
    response = client.get("/cities/", {"country": "kz", "kind": "friendship"})
    assert 'href="/ko/cities/?country=kz&amp;kind=friendship"' in response.text


@pytest.mark.parametrize(
    ("url", "other", "english"),
    [
        ("/ko/cities/almaty/", "/registry/cities/almaty/", "/registry/cities/almaty/"),
        ("/cities/almaty/", "/registry/ko/cities/almaty/", "/registry/cities/almaty/"),
        ("/ko/", "/registry/", "/registry/"),
    ],
)
def test_a_site_served_under_a_path_switches_language_and_names_its_alternates(
    client, shipped_data, url, other, english
):
    """Served under ``/registry`` (``SCRIPT_NAME``), the switch and the ``hreflang`` links named the
    page itself in every language (helper-80)."""
    set_script_prefix("/registry/")  # as Django's WSGI handler sets it from SCRIPT_NAME (the test client does not)
    try:
        text = client.get(url, {"kind": "friendship"}, SCRIPT_NAME="/registry").text
    finally:
        set_script_prefix("/")
    assert f'href="{other}?kind=friendship"' in text
    assert f'<link rel="canonical" href="http://testserver/registry{url}">' in text
    assert f'<link rel="alternate" hreflang="x-default" href="http://testserver{english}">' in text
    korean = other if url == english.removeprefix("/registry") else "/registry" + url
    assert f'<link rel="alternate" hreflang="ko" href="http://testserver{korean}">' in text


def test_city_page_shows_history_agreements_events_delegations_and_map(client, shipped_data):
    text = client.get("/cities/almaty/").text
    for expected in (
        "Alma-Ata (1921–1993)",
        "Partnership history",
        "friendship city",
        "14 September 2022",
        'href="/agreements/busan-almaty-friendly-cooperation-city-agreement/"',
        'href="/events/busan-almaty-signing-ceremony-2022/"',
        'href="/delegations/eurasia-citizens-campaign-2022/"',
        'id="city-map"',
        'href="/countries/kz/"',
    ):
        assert expected in text, expected


def test_year_only_dates_are_shown_as_the_year(client, shipped_data):
    partnership = Partnership.objects.get(partner__slug="almaty")
    partnership.established_precision = "year"
    partnership.established_on = partnership.established_on.replace(month=1, day=1)
    partnership.save()
    text = client.get("/cities/almaty/").text
    assert re.search(r'<td class="date"[^>]*>\s*2022\s*</td>', text)
    assert "1 January 2022" not in text


def test_country_pages(client, shipped_data):
    response = client.get("/countries/")
    assert "kz" in [code.lower() for code in listed(response)]
    assert 'href="/countries/kz/"' in response.text
    detail = client.get("/countries/kz/")
    assert "Kazakhstan" in detail.text and "Central Asia" in detail.text
    assert 'href="/cities/almaty/"' in detail.text
    redirect = client.get("/countries/KZ/")
    assert redirect.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert redirect["Location"] == "/countries/kz/"
    assert client.get("/countries/xx/").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/countries/aq/").status_code == HTTPStatus.NOT_FOUND  # a real country with no city


def test_countries_filtered_by_region(client, shipped_data):
    response = client.get("/countries/", {"region": "central-asia"})
    assert listed(response) == ["KZ", "KG", "UZ"]  # by name; Bishkek and Tashkent are on an itinerary
    partners = client.get("/countries/", {"region": "central-asia", "kind": "friendship"})
    assert listed(partners) == ["KZ"]


def test_delegation_page_formats_money_per_language_keeping_the_qualifier(client, shipped_data):
    url = "/delegations/busan-trade-delegation-almaty-2022/"
    assert "more than USD 3,850,000" in client.get(url).text
    korean = client.get("/ko" + url).text
    assert "USD 3,850,000 이상" in korean
    assert "more than" not in korean


def test_delegation_itinerary_in_order_and_on_the_map(client, shipped_data):
    text = client.get("/delegations/eurasia-citizens-campaign-2022/").text
    itinerary = text.split('class="itinerary"')[1].split("</ol>")[0]
    names = ["Almaty", "Bishkek", "Tashkent", "Brussels", "Paris"]
    assert [itinerary.index(name) for name in names] == sorted(itinerary.index(name) for name in names)
    assert 'aria-label="1. Almaty"' in text and 'aria-label="5. Paris"' in text
    assert "<polyline" in text


def test_agreement_and_event_pages_name_who_took_part(client, shipped_data):
    agreement = client.get("/agreements/busan-almaty-friendly-cooperation-city-agreement/").text
    assert "Lee Seong-kwon" in agreement and "Almaty City Hall" in agreement
    event = client.get("/events/busan-almaty-signing-ceremony-2022/").text
    assert "Ahn Seong-min" in event


# --------------------------------------------------------------------------- lists


@pytest.mark.parametrize(
    ("url", "query", "expected"),
    [
        (
            "/agreements/",
            {"country": "kz", "kind": "friendship_city"},
            ["busan-almaty-friendly-cooperation-city-agreement"],
        ),
        ("/events/", {"kind": "signing_ceremony"}, ["busan-almaty-signing-ceremony-2022"]),
        ("/delegations/", {"country": "fr"}, ["eurasia-citizens-campaign-2022"]),
        ("/cities/", {"region": "central-asia", "kind": "friendship"}, ["almaty"]),
    ],
)
def test_lists_filter_with_the_shared_filtersets(client, shipped_data, url, query, expected):
    response = client.get(url, query)
    assert response.status_code == HTTPStatus.OK
    assert listed(response) == expected
    assert "1 result" in response.text
    assert "Active filters:" in response.text


@pytest.mark.parametrize(
    ("url", "query", "field", "message"),
    [
        ("/cities/", {"country": "xx"}, "country", "“xx” is not an ISO 3166-1 alpha-2 country code"),
        ("/cities/", {"in_force_on": "2022-13-45"}, "in_force", "“2022-13-45” is written as a date but names no day"),
        ("/agreements/", {"established_after": "yesterday"}, "established_after", "Enter a date as YYYY, YYYY-MM or"),
        ("/events/", {"region": "atlantis"}, "region", "is not a UN M49 region"),
        ("/delegations/", {"ordering": "secret"}, "ordering", "“secret” is not an ordering of this list; it takes"),
    ],
)
def test_invalid_parameter_gives_the_list_with_a_message_next_to_the_filter(
    client, shipped_data, url, query, field, message
):
    response = client.get(url, {**query, "page": "1"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.text
    assert f'id="id_{field}' in response.text and 'aria-invalid="true"' in response.text
    assert 'role="alert"' in response.text
    assert response.context["object_list"] is not None


def test_invalid_filter_leaves_the_valid_ones_applied(client, shipped_data):
    response = client.get("/cities/", {"country": "kz", "in_force_on": "nope"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert listed(response) == ["almaty"]


def test_active_filter_links_remove_only_that_filter(client, shipped_data):
    response = client.get("/cities/", {"country": "kz", "kind": "friendship", "page": "1"})
    removals = {f["name"]: f["remove_url"] for f in response.context["active_filters"]}
    assert removals == {"country": "?kind=friendship", "kind": "?country=kz"}


@pytest.mark.parametrize(
    "path, shown",
    [
        ("/cities/", "digital industry"),
        ("/ko/cities/", "디지털 산업"),
        ("/agreements/", "digital industry"),
        ("/ko/agreements/", "디지털 산업"),
    ],
)
def test_an_active_cooperation_field_is_shown_by_its_name_in_the_page_language(client, shipped_data, path, shown):
    """The list of active filters names a cooperation field as the menu does, in the reader's
    language (it showed the slug: "협력 분야: digital-industry")."""
    response = client.get(path, {"field": "digital-industry"})
    assert {f["name"]: f["value"] for f in response.context["active_filters"]} == {"field": shown}
    assert shown in response.text


def test_list_is_paginated(client, shipped_data):
    first = client.get("/cities/", {"show": "all"})
    assert first.context["paginator"].count == 44  # 43 cities and Hokkaido (a letter of intent only)
    assert len(first.context["object_list"]) == 44
    second_page = client.get("/cities/", {"show": "all", "page": 2})
    assert second_page.status_code == HTTPStatus.NOT_FOUND
    PartnershipFactory.create_batch(10)  # 20 public cities (both sides of a published partnership)
    paged = client.get("/cities/", {"q": "city", "page": "1", "show": "all"})
    assert 'rel="next"' not in paged.text  # 20 matches, one page
    many = client.get("/cities/", {"show": "all"})
    assert "Page 1 of 2" in many.text and 'href="?show=all&amp;page=2"' in many.text


def test_clearing_the_filters_keeps_the_list_of_every_city(client, shipped_data):
    """Found by the probe: "Clear all filters" on /cities/?show=all&country=kz led to the home
    city's partners (38), not back to every city (44)."""
    page = client.get("/cities/", {"show": "all", "country": "kz", "q": "alm"})
    assert page.context["clear_url"] == "/cities/?show=all"
    assert '<a href="/cities/?show=all">Clear all filters</a>' in page.text
    assert client.get("/cities/", {"country": "kz"}).context["clear_url"] == "/cities/"
    assert client.get("/ko/events/", {"q": "x"}).context["clear_url"] == "/ko/events/"


def test_csv_has_the_same_rows_as_the_page(client, shipped_data):
    page = client.get("/cities/", {"region": "eastern-asia", "kind": "sister"})
    assert 'href="/cities/?region=eastern-asia&amp;kind=sister&amp;format=csv"' in page.text
    response = client.get("/cities/", {"region": "eastern-asia", "kind": "sister", "format": "csv"})
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert [row["slug"] for row in rows] == listed(page)
    assert rows[0].keys() >= {"slug", "name_en", "name_ko", "country", "subregion", "partnerships"}
    assert {row["subregion"] for row in rows} == {"eastern-asia"}  # the UN M49 slug the filters take


def test_a_page_csv_has_the_api_csv_columns_and_file_name(client, api_client, shipped_data):
    page = client.get("/agreements/", {"format": "csv"})
    api = api_client.get("/api/v1/agreements/", {"format": "csv"})
    assert page.getvalue() == api.getvalue()
    today = timezone.localdate().isoformat()
    assert page["Content-Disposition"] == f'attachment; filename="agreements_{today}.csv"'
    assert api["Content-Disposition"] == f'attachment; filename="agreements_{today}.csv"'


@pytest.mark.parametrize("url", ["/countries/", "/agreements/", "/events/", "/delegations/"])
def test_every_list_downloads_as_csv(client, shipped_data, url):
    response = client.get(url, {"format": "csv"})
    assert response.status_code == HTTPStatus.OK
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert len(rows) - 1 == client.get(url).context["paginator"].count


def test_csv_with_an_invalid_parameter_is_a_400(client, shipped_data):
    response = client.get("/events/", {"format": "csv", "established_before": "soon"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "established_before" in response.content.decode()


def test_drafts_never_appear_on_public_pages(client, shipped_data):
    draft_agreement = AgreementFactory(title_en="Secret draft agreement", publication=Publication.DRAFT)
    draft_event = EventFactory(title_en="Secret draft event", publication=Publication.DRAFT)
    PartnershipFactory(partner__slug="draftville", partner__name_en="Draftville", publication=Publication.DRAFT)
    for url in ("/", "/agreements/", "/events/", "/cities/draftville/", "/events/calendar.ics"):
        text = client.get(url).getvalue().decode()
        assert "Secret draft" not in text, url
    assert "draftville" not in sitemap_text(client)
    assert f"/agreements/{draft_agreement.slug}/" not in sitemap_text(client)
    assert "Draftville (" not in client.get("/cities/draftville/").text
    assert client.get(f"/agreements/{draft_agreement.slug}/").status_code == HTTPStatus.NOT_FOUND
    assert client.get(f"/events/{draft_event.slug}/").status_code == HTTPStatus.NOT_FOUND
    assert Agreement.objects.count() == 3 and Event.objects.count() == 6


# --------------------------------------------------------------------------- site files and errors


def sitemap_text(client) -> str:
    """Every sitemap the index at ``/sitemap.xml`` lists, every page of each, as one text."""
    index = client.get("/sitemap.xml")
    assert index.status_code == HTTPStatus.OK and "<sitemapindex" in index.text
    texts = []
    for url in re.findall(r"<loc>http://testserver(/sitemap-[^<]+)</loc>", index.text):
        response = client.get(url.replace("&amp;", "&"))
        assert response.status_code == HTTPStatus.OK, url
        texts.append(response.text)
    return "\n".join(texts)


def test_sitemap_lists_every_page_in_both_languages(client, shipped_data):
    text = sitemap_text(client)
    for path in (
        "/cities/almaty/",
        "/ko/cities/almaty/",
        "/countries/kz/",
        "/delegations/eurasia-citizens-campaign-2022/",
        f"/partnerships/{Partnership.objects.get(partner__slug='almaty').pk}/",
    ):
        assert f"http://testserver{path}</loc>" in text, path
    assert 'hreflang="ko"' in text


def test_the_sitemap_is_an_index_of_pages_within_the_protocols_limits(client, shipped_data, monkeypatch):
    """Each sitemap holds at most ``limit`` URLs a page (``?p=2``...), read a page at a time, and
    the pages of one hold each URL once, as Django's own pagination of the same items would."""
    from django.core.cache import cache

    from registry.sitemaps import RegistrySitemap

    whole = set(re.findall(r"<loc>([^<]+)</loc>", client.get("/sitemap-cities.xml").text))
    monkeypatch.setattr(RegistrySitemap, "limit", 7)  # odd: a page ends between a city's two languages
    cache.clear()  # the anonymous answers cached with the real limit
    index = client.get("/sitemap.xml").text
    pages = re.findall(r"<loc>http://testserver(/sitemap-cities\.xml(?:\?p=\d+)?)</loc>", index)
    assert len(pages) == -(-len(whole) // 7) > 1
    seen = []
    for url in pages:
        locs = re.findall(r"<loc>([^<]+)</loc>", client.get(url).text)
        assert 0 < len(locs) <= 7
        seen += locs
    assert len(seen) == len(set(seen)) and set(seen) == whole


def test_robots_txt_names_the_sitemap_and_keeps_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Disallow: /admin/" in response.text
    assert "Sitemap: http://testserver/sitemap.xml" in response.text


def test_404_page_is_in_the_site_style(client, shipped_data):
    response = client.get("/no-such-page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Page not found" in response.text and 'class="site-header"' in response.text
    korean = client.get("/ko/cities/no-such-city/")
    assert korean.status_code == HTTPStatus.NOT_FOUND
    assert '<html lang="ko">' in korean.text


def test_500_page_renders_without_a_database_or_request_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    text = response.content.decode()
    assert "Something went wrong on our side" in text and 'class="site-header"' in text


def test_urls_of_the_contract_reverse():
    assert reverse("registry:country-detail", kwargs={"code": "kz"}) == "/countries/kz/"
    assert reverse("registry:event-calendar") == "/events/calendar.ics"
    assert reverse("registry:delegation-detail", kwargs={"slug": "x"}) == "/delegations/x/"


def test_favicon_ico_redirects_to_the_site_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"].endswith("img/favicon.svg")


def test_public_pages_are_compressed_for_browsers_that_accept_gzip(client, shipped_data):
    response = client.get("/cities/", headers={"accept-encoding": "gzip, br"})
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]


def test_no_page_with_a_csrf_token_or_for_a_signed_in_user_is_compressed(staff_client, shipped_data):
    # BREACH: a secret in a compressed body leaks through the body's length.
    login = Client().get("/admin/login/", headers={"accept-encoding": "gzip"})
    assert "csrfmiddlewaretoken" in login.text
    assert not login.has_header("Content-Encoding")
    page = staff_client.get("/cities/", headers={"accept-encoding": "gzip"})
    assert page.status_code == HTTPStatus.OK
    assert not page.has_header("Content-Encoding")


def test_home_date_form_submits_to_the_home_page(client, shipped_data):
    assert '<form method="get" class="as-of" action="/">' in client.get("/").text
    assert 'action=""' not in client.get("/ko/").text


def test_sort_menu_is_in_korean_on_korean_pages(client, shipped_data):
    korean = client.get("/ko/agreements/").text
    assert '<option value="-signed_on">서명일 (내림차순)</option>' in korean
    assert "(descending)" not in korean
    assert '<option value="-signed_on">Date signed (descending)</option>' in client.get("/agreements/").text


def test_cities_list_shows_the_home_citys_partners_by_default_with_a_switch_to_all(client, shipped_data):
    partners = listed(client.get("/cities/"))
    assert "almaty" in partners
    assert not {"paris", "brussels", "busan"} & set(partners)
    everything = client.get("/cities/", {"show": "all"})
    assert everything.status_code == HTTPStatus.OK
    assert {"paris", "brussels", "busan", "almaty"} <= set(listed(everything))
    assert '<input type="hidden" name="show" value="all">' in everything.text
    rows = list(csv.DictReader(io.StringIO(client.get("/cities/", {"format": "csv"}).getvalue().decode("utf-8-sig"))))
    assert sorted(row["slug"] for row in rows) == sorted(partners)


def test_cities_switch_keeps_the_filters(client, shipped_data):
    response = client.get("/cities/", {"country": "jp"})
    assert 'href="?country=jp&amp;show=all"' in response.text
    # Every Japanese city but Hokkaido is a partner: its letter of intent was never signed.
    everything = listed(client.get("/cities/", {"country": "jp", "show": "all"}))
    assert listed(response) == [slug for slug in everything if slug != "hokkaido"]


def test_widget_is_frameable_only_from_the_listed_origins(client, shipped_data, settings):
    settings.REGISTRY_WIDGET_FRAME_ANCESTORS = ["https://www.busan.go.kr"]
    for url in ("/widget/", "/ko/widget/", "/widget/almaty/"):
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, url
        assert "frame-ancestors 'self' https://www.busan.go.kr;" in response["Content-Security-Policy"] + ";", url
        assert not response.has_header("X-Frame-Options"), url
    for url in ("/", "/cities/", "/cities/almaty/", "/counting/"):
        response = client.get(url)
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url
        assert response["X-Frame-Options"] == "DENY", url


def test_widget_shows_the_network_today_and_a_citys_partnerships(client, shipped_data):
    network = client.get("/widget/")
    assert "partner cities in" in network.text
    assert 'target="_top"' in network.text
    almaty = Partnership.objects.get(partner__slug="almaty")
    city = client.get("/widget/almaty/")
    assert almaty.get_absolute_url() in city.text
    assert client.get("/widget/no-such-city/").status_code == HTTPStatus.NOT_FOUND


def test_atom_feed_lists_published_partnerships_agreements_and_events_only(client, shipped_data):
    draft = PartnershipFactory(publication=Publication.DRAFT)
    response = client.get("/feed.atom")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/atom+xml")
    text = response.content.decode()
    assert '<feed xml:lang="en" xmlns="http://www.w3.org/2005/Atom"' in text
    almaty = Partnership.objects.get(partner__slug="almaty")
    assert f"http://testserver{almaty.get_absolute_url()}" in text
    assert "/agreements/" in text and "/events/" in text
    assert draft.get_absolute_url() not in text
    assert "<title>부산 – 알마티" in client.get("/ko/feed.atom").content.decode()


def test_every_page_says_when_the_data_last_changed_its_licence_and_how_to_cite_it(client, shipped_data, settings):
    settings.REGISTRY_CONTACT = "global@example.org"
    text = client.get("/cities/almaty/").text
    assert "Data last changed on 2022-09-21." in text
    assert 'rel="license external">CC BY 4.0</a>' in text
    assert "<cite>City Diplomacy Registry</cite>, http://testserver/cities/almaty/" in text
    assert '<a href="mailto:global@example.org" rel="external">global@example.org</a>' in text
    # The view cited is the one shown: its date and filters, less a shared link's analytics (helper-87).
    dated = client.get("/ko/", {"as_of": "2022-09-21", "utm_source": "newsletter"}).text
    assert "<cite>City Diplomacy Registry</cite>, http://testserver/ko/?as_of=2022-09-21\n" in dated


# --------------------------------------------------------------------------- a city's partnerships in a table


def test_country_page_names_the_partnerships_of_a_city_on_either_side(client, shipped_data):
    # Busan is the home side of its partnerships: the country page named only a partner side's.
    cell = client.get("/countries/kr/").context["cities"][0]
    assert cell.slug == "busan"
    assert [p.with_city.slug for p in cell.partnerships_shown] == [
        "kaohsiung",
        "los-angeles",
        "shimonoseki",
        "barcelona",
        "rio-de-janeiro",
    ]  # the first five by establishment date
    assert cell.partnership_count == Partnership.objects.public().involving(cell).count() > 5
    text = client.get("/countries/kr/").text
    assert "sister city of Kaohsiung" in text
    assert f"All {cell.partnership_count} partnerships" in text and 'href="/cities/busan/#partnerships"' in text
    almaty = client.get("/countries/kz/").text
    assert "friendship city of Busan" in almaty and "All 1 partnership" not in almaty


def test_partnerships_in_a_city_table_are_bounded_and_visible_to_the_reader(home, superuser):
    from .factories import CityFactory

    client, staff_client = Client(), Client()
    staff_client.force_login(superuser)

    def page(url: str):
        """The page rendered for an anonymous reader (the response cache is skipped), and its query count."""
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == HTTPStatus.OK
        return response, len(queries)

    partner = CityFactory(country="PE", slug="lima")
    PartnershipFactory(city=home, partner=partner)
    _, few = page("/countries/pe/")
    others = [PartnershipFactory(city=CityFactory(country="CL"), partner=partner) for _ in range(7)]
    response, many = page("/countries/pe/")
    assert many == few  # not a query per partnership or city
    cell = response.context["cities"][0]
    assert len(cell.partnerships_shown) == 5 and cell.partnership_count == 8
    assert "All 8 partnerships" in response.text
    others[0].publication = Publication.DRAFT
    others[0].save()
    assert page("/countries/pe/")[0].context["cities"][0].partnership_count == 7
    assert staff_client.get("/countries/pe/").context["cities"][0].partnership_count == 8
    listed_cell = staff_client.get("/cities/", {"show": "all", "country": "pe"}).context["object_list"][0]
    assert listed_cell.partnership_count == 8 and len(listed_cell.partnerships_shown) == 5


def test_a_citys_first_partnerships_merge_both_sides_in_order_with_undated_ones_last(home):
    from .factories import CityFactory

    lima, cusco = CityFactory(country="PE", slug="lima"), CityFactory(country="PE", slug="cusco")

    def partnership(city, partner, year, **fields):
        on = datetime.date(year, 1, 1) if year else None
        return PartnershipFactory(city=city, partner=partner, established_on=on, **fields)

    # Lima's partnerships, on both sides: the home side (city) and the partner side, dates interleaved.
    between = partnership(lima, cusco, 1995)
    earliest = partnership(CityFactory(country="CL"), lima, 1990)
    partnership(lima, CityFactory(country="AR"), 2005)
    proposed = partnership(lima, CityFactory(country="BO"), None, status="proposed")
    partnership(CityFactory(country="EC"), lima, 2000)
    partnership(CityFactory(country="UY"), lima, 2010)
    # An earlier partnership on the same day is ordered by id, as the model orders them.
    same_day = partnership(lima, CityFactory(country="PY"), 2000)
    cities = [lima, cusco]
    Partnership.objects.all().attach_to_cities(cities, limit=5)
    expected = sorted(
        Partnership.objects.involving(lima),
        key=lambda p: (p.established_on is None, p.established_on or datetime.date.min, p.pk),
    )
    assert [p.pk for p in lima.partnerships_shown] == [p.pk for p in expected[:5]]
    assert lima.partnerships_shown[0].pk == earliest.pk and same_day.pk in [p.pk for p in lima.partnerships_shown]
    assert proposed.pk not in [p.pk for p in lima.partnerships_shown]  # undated last: the seventh
    assert lima.partnership_count == 7 and cusco.partnership_count == 1
    # The partnership between two cities of the page names the other city in each row.
    assert [p.with_city for p in lima.partnerships_shown if p.pk == between.pk] == [cusco]
    assert [p.with_city for p in cusco.partnerships_shown] == [lima]
    Partnership.objects.all().attach_to_cities(cities, limit=7)
    assert lima.partnerships_shown[-1].pk == proposed.pk
    Partnership.objects.exclude(pk=between.pk).attach_to_cities(cities, limit=5)
    assert cusco.partnerships_shown == [] and cusco.partnership_count == 0
