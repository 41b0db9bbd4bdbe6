"""Browser tests: Playwright for Python driving Debian's Chromium against the live server,
with axe-core checking WCAG 2.2 A/AA. Run by ``make test``; ``-m "not browser"`` skips them.

Never downloads a browser: Chromium is ``/usr/bin/chromium`` (``apt-get install chromium``).
"""

import re

import pytest
from django.core.management import call_command

from .conftest import SHIPPED_FIXTURES

playwright_api = pytest.importorskip("playwright.sync_api")
axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


@pytest.fixture
def site(live_server, transactional_db):
    """The live server with the shipped data (loaded before the browser starts)."""
    call_command("loaddata", *SHIPPED_FIXTURES, verbosity=0)
    return live_server.url


@pytest.fixture
def browser(site):
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    # A request the browser itself cancels because the page navigates on (net::ERR_ABORTED: the
    # favicon of a form page still loading when the form is sent) is no failure of the site.
    page.on(
        "requestfailed",
        lambda request: request.failure != "net::ERR_ABORTED" and page.errors.append(f"failed: {request.url}"),
    )
    yield page
    context.close()


def test_home_shows_map_and_timeline_without_console_errors(page, site):
    page.goto(f"{site}/?as_of=2022-09-21")
    assert page.locator("#network-map").is_visible()
    assert page.locator("#network-map a.marker").count() == 38
    assert page.locator("#timeline-chart").is_visible()
    assert page.locator("#timeline-chart rect.bar").count() > 10
    image = page.locator("#network-map image")
    assert page.evaluate("src => fetch(src).then(r => r.status)", image.get_attribute("href")) == 200
    assert page.errors == []


def test_filtering_cities_by_country_from_the_form(page, site):
    page.goto(f"{site}/cities/")
    page.get_by_label("Country", exact=True).select_option("kz")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"country=kz"))
    assert page.url.endswith("/cities/?country=kz")  # the fields left empty are not sent (js/filters.js)
    assert page.locator("table.results tbody tr").count() == 1
    assert page.get_by_role("link", name="Almaty", exact=True).is_visible()
    assert "Kazakhstan (KZ)" in page.locator(".active-filters").inner_text()
    page.get_by_label("Search").fill("   ")  # only spaces, and no country: nothing to send, no "?"
    page.get_by_label("Country", exact=True).select_option("")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"/cities/$"))
    assert page.errors == []


def test_switching_to_korean_keeps_the_page_and_filters(page, site):
    page.goto(f"{site}/cities/?country=kz")
    page.get_by_role("link", name="한국어").click()
    page.wait_for_url(re.compile(r"/ko/cities/\?country=kz"))
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.get_by_role("link", name="알마티", exact=True).is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == "도시"


def almaty_partnership_url(page, site) -> str:
    """The Busan–Almaty partnership's page, as the Almaty page links to it (no ORM call: Django
    refuses one while Playwright's event loop runs)."""
    page.goto(f"{site}/cities/almaty/")
    return page.locator('a[href^="/partnerships/"]').first.get_attribute("href")


def test_a_map_marker_opens_the_partnership_page(page, site):
    url = almaty_partnership_url(page, site)
    page.goto(f"{site}/?as_of=2022-09-21")
    page.locator(f'#network-map a.marker[href="{url}"]').click()
    page.wait_for_url(re.compile(re.escape(url) + "$"))
    assert "Almaty" in page.get_by_role("heading", level=1).inner_text()


def test_the_year_control_shows_another_year_without_reloading(page, site):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{site}/ko/?as_of=2022-09-21")
    assert "28개국 38개 도시" in page.locator(".totals").inner_text()
    page.evaluate("window.notReloaded = true")
    page.select_option("#id_year", label="2000")
    page.wait_for_url(re.compile(r"as_of=2000-12-31"))
    page.wait_for_function("!document.querySelector('.totals').textContent.includes('38')")
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#network-map a.marker").count() < 38
    # the timeline opens at its latest years: the scroll box starts at its right end
    box = page.evaluate(
        "(() => { const e = document.querySelector('.chart-scroll'); e.scrollLeft = 0;"
        " return e.scrollWidth - e.clientWidth; })()"
    )
    assert box > 0
    assert page.evaluate("getComputedStyle(document.querySelector('.chart-scroll')).direction") == "rtl"
    assert page.errors == []


@pytest.mark.parametrize("width", [375, 1280])
def test_the_timelines_labels_are_legible_on_a_phone_and_a_desktop(page, site, width):
    """The year and count labels are drawn at 9 px at least (the SVG scales with its box: on a
    375 px phone its labels were 7 px, squeezed to 36rem; found by a new user)."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{site}/ko/?as_of=2022-09-21")
    # a label's font size in SVG units times the SVG's scale on the screen: its size in CSS pixels
    sizes = page.evaluate(
        "[...document.querySelectorAll('#timeline-chart text.tick')]"
        ".map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"
    )
    assert sizes and min(sizes) >= 9, sizes
    assert page.errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_the_timelines_y_axis_labels_stay_in_view_while_the_years_scroll(page, site, width):
    """On a phone the chart opens at its latest years; its y axis's labels (the running total's 38
    and 0, the busiest year's count) were left behind at its left end, out of view (found by a
    user on a 390 px phone in Korean). They stay at the box's left edge at either end."""
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{site}/ko/?as_of=2022-09-21")
    labels = page.locator("figure.chart svg text.tick[text-anchor=end]")
    assert labels.all_text_contents() == ["38", "0", "4"]
    for scroll_left in (None, "-e.scrollWidth", "e.scrollWidth"):  # as it opens, then both ends
        if scroll_left:
            page.evaluate(
                f"(() => {{ const e = document.querySelector('.chart-scroll'); e.scrollLeft = {scroll_left}; }})()"
            )
        box = page.locator(".chart-scroll").bounding_box()
        for label in labels.all():
            x, w = label.bounding_box()["x"], label.bounding_box()["width"]
            assert box["x"] <= x and x + w <= box["x"] + box["width"], (scroll_left, label.text_content(), x, box)
            assert 0 <= x and x + w <= width
    assert page.errors == []


def test_the_city_pages_history_table_keeps_each_date_on_one_line_on_a_phone(page, site):
    """'2022년 9월 14일' took three lines of the Established column on a 390 px phone (found by a
    user); the table scrolls sideways instead, and the cooperation fields are not one a line."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site}/ko/cities/almaty/")
    row = page.locator("section[aria-labelledby=partnerships] tbody tr").first
    lines = """cell => { const r = document.createRange(); r.selectNodeContents(cell);
        return new Set([...r.getClientRects()].filter(b => b.width).map(b => Math.round(b.top))).size; }"""
    established, last_activity, fields = row.locator("td").nth(2), row.locator("td").nth(4), row.locator("td").nth(5)
    assert established.inner_text() == "2022년 9월 14일"
    assert established.evaluate(lines) == 1
    assert last_activity.locator("span").first.evaluate(lines) == 1  # the date, before "(휴면)"
    assert fields.evaluate(lines) <= 3  # seven fields
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls, not the page
    assert page.errors == []


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["", "/ko"])
@pytest.mark.parametrize("path", ["/partnerships/{almaty}/", "/counting/", "/search/?q=almaty", "/widget/"])
def test_axe_finds_no_wcag_violations_on_the_new_pages(page, site, path, language, width):
    path = path.format(almaty=almaty_partnership_url(page, site).split("/")[2])
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}{language}{path}")
    assert page.title()
    results = axe_api.Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.errors == []


@pytest.mark.parametrize(
    ("path", "width"),
    [
        ("/?as_of=2022-09-21", 1280),
        ("/ko/?as_of=2022-09-21", 375),
        ("/cities/?country=xx&in_force_on=2022-13-01", 1280),
        ("/ko/cities/?q=알마티", 375),
        ("/cities/almaty/", 1280),
        ("/countries/", 375),
        ("/countries/kz/", 1280),
        ("/agreements/busan-almaty-friendly-cooperation-city-agreement/", 1280),
        ("/events/", 375),
        ("/delegations/busan-trade-delegation-almaty-2022/", 375),
        ("/delegations/eurasia-citizens-campaign-2022/", 1280),
        ("/no-such-page/", 375),
    ],
)
def test_axe_finds_no_wcag_violations(page, site, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}{path}")
    results = axe_api.Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    if width == 375:  # usable on a phone: nothing wider than the screen but the scrolling tables and chart
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width


def test_axe_reports_a_violation_when_there_is_one(page, site):
    page.goto(f"{site}/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/static/img/favicon.svg\">')"
    )
    assert axe_api.Axe().run(page, options=AXE_OPTIONS).violations_count == 1


# --------------------------------------------------------------------------- staff


STAFF_PASSWORD = "a-long-browser-test-password-1"


@pytest.fixture
def staff_member(site):
    """An editor (add and change on every registry model) with a password, made before the
    browser starts (Django refuses the ORM while Playwright's event loop runs)."""
    from .conftest import user_with_role

    user = user_with_role("editor", username="editor")
    user.set_password(STAFF_PASSWORD)
    user.save()
    return user.username


def sign_in(page, site, username: str, next_path: str = "/admin/") -> None:
    """Sign in on the admin's login page (in whatever language it shows) and land on ``next_path``."""
    page.goto(f"{site}/admin/login/?next={next_path}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(STAFF_PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def partner_cities_today(page, site) -> int:
    page.goto(f"{site}/")
    return int(page.locator(".totals strong").first.inner_text())


def test_staff_record_a_new_partner_on_one_page_and_the_public_sees_it(staff_member, page, site):
    before = partner_cities_today(page, site)
    sign_in(page, site, staff_member, "/admin/registry/partnership/record-new/")
    page.get_by_label("New city: name (English)").fill("Samarkand")
    page.get_by_label("New city: name (Korean)").fill("사마르칸트")
    page.get_by_label("New city: country").select_option("UZ")
    page.get_by_label("New city: latitude").fill("39.65420")
    page.get_by_label("New city: longitude").fill("66.95970")
    page.get_by_label("Kind:", exact=True).select_option("friendship")
    page.get_by_label("Established (signed) on").fill("2024-05-20")
    page.get_by_label("Agreement: title (English)").fill("Friendly cooperation city agreement, Busan and Samarkand")
    page.get_by_label("Agreement: kind").select_option("friendship_city")
    page.get_by_label("Venue:", exact=True).fill("Samarkand City Hall")
    page.get_by_label("Signatory 1: new person's name (English)").fill("Hong Gil-dong")
    page.get_by_label("Signatory 1: new person's name (Korean)").fill("홍길동")
    page.get_by_label("Signatory 1: title or role (English)").fill("Mayor of Busan")
    page.get_by_label("Signatory 2: title or role (English)").fill("Khokim of Samarkand")
    assert page.get_by_label("Record the signing ceremony as an event").is_checked()
    page.get_by_label("New source: title").fill("Busan signs with Samarkand")
    page.get_by_label("New source: URL").fill("https://example.org/busan-samarkand")
    page.get_by_label("Publication:", exact=True).select_option("published")
    page.get_by_role("button", name="Record the partnership").click()
    page.wait_for_url(re.compile(r"/admin/registry/partnership/\d+/change/$"))
    assert "Recorded Busan – Samarkand (friendship city)." in page.locator(".messagelist").inner_text()
    assert page.errors == []

    page.goto(f"{site}/cities/samarkand/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Samarkand")
    page.get_by_role("link", name="friendship city").first.click()
    page.wait_for_url(re.compile(r"/partnerships/\d+/$"))
    title = "Friendly cooperation city agreement, Busan and Samarkand"
    assert page.get_by_role("link", name=f"Signing: {title}").is_visible()  # the signing ceremony
    page.get_by_role("link", name=title, exact=True).click()
    page.wait_for_url(re.compile(r"/agreements/[\w-]+/$"))
    signatories = page.locator("main").inner_text()
    assert "Hong Gil-dong, Mayor of Busan" in signatories and "Khokim of Samarkand" in signatories
    assert partner_cities_today(page, site) == before + 1


@pytest.mark.parametrize("locale", ["en-GB", "ko-KR"])
@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/registry/partnership/", "/admin/registry/partnership/record-new/", "{partnership}"],
)
def test_the_staff_screens_fit_1280_pixels(staff_member, browser, site, path, locale):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    page = context.new_page()
    sign_in(page, site, staff_member)
    if path == "{partnership}":  # the change form of the first partnership in the list
        page.goto(f"{site}/admin/registry/partnership/")
        path = page.locator("#result_list tbody th a").first.get_attribute("href")
    page.goto(f"{site}{path}")
    assert page.locator("html").get_attribute("lang") == locale[:2]
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280, path
    if path.endswith("/partnership/"):  # the list's five buttons covered its heading (static/css/admin_lists.css)
        heading = page.locator("#content h1").bounding_box()
        tools = page.locator(".object-tools").bounding_box()
        assert heading["y"] + heading["height"] <= tools["y"], (heading, tools)
    context.close()


CHANGE_LISTS = ["city", "partnership", "agreement", "event", "delegation", "source"]


@pytest.mark.parametrize("locale", ["en-GB", "ko-KR"])
def test_the_change_lists_fit_1280_pixels_without_scrolling_sideways(staff_member, browser, site, locale):
    """Beside the menu and the filters a change list's table had about 630 px, and the city
    list's columns took about 850 (the partnerships' 930, the sources' 1,900): staff scrolled the
    table sideways to reach its last columns, though the page itself was no wider than the
    window (new user). Each list of the registry's main records, in English and in Korean; on a
    390 px phone the table may scroll in its box, as Django's does, but not the page."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale)
    page = context.new_page()
    sign_in(page, site, staff_member)
    widths = """() => { const box = document.querySelector('#changelist-form .results');
        return {page: document.documentElement.scrollWidth, box: box.clientWidth, table: box.scrollWidth}; }"""
    for name in CHANGE_LISTS:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(f"{site}/admin/registry/{name}/")
        assert page.locator("html").get_attribute("lang") == locale[:2]
        assert page.locator("#result_list tbody tr").count() > 0, name
        measured = page.evaluate(widths)
        assert measured["page"] <= 1280 and measured["table"] <= measured["box"], (name, measured)
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate(widths)["page"] <= 390, name
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_partnership_actions_sources_label_comes_before_its_picker(staff_member, browser, site, width):
    """The Sources picker (SelectFilter2.js) put its two boxes first in the label's row, so on a
    390 px phone in Korean the label '출처:' came after them (found by a user)."""
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="ko-KR")
    page = context.new_page()
    sign_in(page, site, staff_member, "/admin/registry/partnership/")
    page.locator("#result_list tbody input.action-select").first.check()
    page.select_option("select[name=action]", "suspend_partnerships")
    page.locator("button[name=index]").click()
    page.wait_for_selector(".selector")
    label = page.locator("label[for=id_sources]").bounding_box()
    picker = page.locator(".selector:has(#id_sources_from)").bounding_box()
    if width < 768:  # stacked: the label above the boxes
        assert label["y"] + label["height"] <= picker["y"], (label, picker)
    else:  # in a row: the label at their left
        assert label["x"] + label["width"] <= picker["x"] and abs(label["y"] - picker["y"]) < 20, (label, picker)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


@pytest.mark.parametrize(("path", "column"), [("/ko/agreements/", 2), ("/ko/events/", 2)])
def test_the_lists_keep_each_date_on_one_line_on_a_phone(page, site, path, column):
    """helper-96: the agreements list's Signed cell wrapped as "2022년 / 9월 14일" on a 390 px
    phone, as the city page's history did (fixed there with its ``date`` class)."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site}{path}")
    lines = """node => { const r = document.createRange(); r.selectNodeContents(node);
        return new Set([...r.getClientRects()].filter(b => b.width).map(b => Math.round(b.top))).size; }"""
    cells = page.locator(f"main tbody tr td:nth-of-type({column})")
    dates = cells.locator(".date") if cells.locator(".date").count() else cells  # a range: each of its dates
    assert dates.count() > 0
    for index in range(dates.count()):
        assert dates.nth(index).evaluate(lines) == 1, dates.nth(index).inner_text()
    assert page.errors == []


@pytest.fixture
def manager_with_deletions(site):
    """A manager (who may restore) with a password, and the former names of two cities deleted
    with them, made before the browser starts."""
    from registry import services
    from registry.models import CityName

    from .conftest import user_with_role
    from .factories import CityFactory

    for slug, name, former in (("verny-town", "Verny Town", "Litzmannstadt"), ("fusan-town", "Fusan Town", "Alma-Ata")):
        city = CityFactory(slug=slug, name_en=name)
        CityName.objects.create(city=city, name=former)
        services.delete_record(instance=city)
    from django.contrib.auth.models import Permission

    user = user_with_role("manager", username="manager")
    user.user_permissions.add(Permission.objects.get(codename="restore_records"))
    user.set_password(STAFF_PASSWORD)
    user.save()
    return user.username


@pytest.mark.parametrize("locale", ["en-GB", "ko-KR"])
def test_the_deleted_records_fit_a_phone_without_the_page_scrolling_sideways(
    manager_with_deletions, browser, site, locale
):
    """The deleted former names (record, city, date, user, Restore) were 436 px wide in a 390 px
    window in English, and the page scrolled sideways (helper-110): the table scrolls in its box,
    as a change list's does, and the Restore buttons stay reachable."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale=locale)
    page = context.new_page()
    sign_in(page, site, manager_with_deletions)
    for name in ("cityname", "city"):
        page.goto(f"{site}/admin/registry/{name}/deleted/")
        assert page.locator("html").get_attribute("lang") == locale[:2]
        assert page.locator('button[type="submit"].button').count() >= 2, name
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    context.close()
