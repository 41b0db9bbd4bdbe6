"""No page loads anything from another host: every ``src`` and every ``href`` that is not a
plain link (stylesheets, icons, SVG images) points at this site. Links out to sources are
``<a>`` elements marked ``rel="external"``."""

from html.parser import HTMLParser
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/?as_of=2022-09-13",
    "/cities/",
    "/cities/?country=kz&q=alma",
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
    "/ko/cities/almaty/",
    "/no-such-page/",
]


class Resources(HTMLParser):
    """Collects (tag, attribute, value, rel) of every src/href/srcset/action/xlink:href."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href", "xlink:href", "srcset", "action", "poster", "data"):
            if attrs.get(name):
                self.found.append((tag, name, attrs[name], attrs.get("rel") or ""))

    handle_startendtag = handle_starttag


def is_external(url: str) -> bool:
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme not in ("", "mailto")


@pytest.mark.parametrize("url", PAGES)
def test_page_loads_nothing_from_another_host(client, shipped_data, url):
    response = client.get(url)
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.NOT_FOUND)
    parser = Resources()
    parser.feed(response.content.decode())
    assert parser.found, "the parser found no attribute at all"
    # <link rel="canonical"> and <link rel="alternate" hreflang> name this site's own pages by
    # absolute URL (as they must); they load nothing.
    own_pages = [
        (tag, value)
        for tag, name, value, rel in parser.found
        if tag == "link" and rel in ("canonical", "alternate") and urlsplit(value).netloc == "testserver"
    ]
    assert own_pages, "every page names its canonical URL"
    loaded = [
        (tag, name, value)
        for tag, name, value, rel in parser.found
        if not (tag == "a" and name == "href") and (tag, value) not in own_pages
    ]
    assert loaded
    assert [item for item in loaded if is_external(item[2])] == []
    outbound = [(value, rel) for tag, name, value, rel in parser.found if tag == "a" and is_external(value)]
    assert all("external" in rel.split() for _, rel in outbound), outbound


def test_the_checker_catches_a_third_party_resource():
    parser = Resources()
    parser.feed('<link rel="stylesheet" href="https://cdn.example.com/x.css"><img src="//tiles.example/1.png">')
    assert [is_external(value) for _, _, value, _ in parser.found] == [True, True]


def test_stylesheet_and_base_map_load_nothing_from_another_host(settings):
    from pathlib import Path

    for path in (
        Path(settings.BASE_DIR) / "static" / "css" / "site.css",
        Path(settings.BASE_DIR) / "static" / "img" / "world-110m.svg",
    ):
        text = path.read_text(encoding="utf-8")
        assert "url(http" not in text and "@import" not in text and 'href="http' not in text
