"""The base map and the server-side map and chart geometry."""

import json
from decimal import Decimal

from django.core.management import call_command

from registry import charts, maps
from registry.models import City


def test_projection_is_equirectangular_in_degrees():
    assert maps.project(0, 0) == (180, 90)
    assert maps.project(Decimal("76.94561"), Decimal("43.23800")) == (256.94561, 46.762)


def test_marker_links_to_the_city_and_skips_cities_without_position():
    almaty = City(slug="almaty", name_en="Almaty", latitude=Decimal("43.238"), longitude=Decimal("76.9456"))
    nowhere = City(slug="nowhere", name_en="Nowhere")
    assert maps.markers_for([almaty, nowhere]) == [maps.Marker(256.95, 46.76, "Almaty", "/cities/almaty/")]


def test_area_map_stays_inside_the_world_and_holds_its_markers():
    markers = [maps.Marker(350, 20, "North-east", "/a/"), maps.Marker(300, 40, "Other", "/b/")]
    x, y, width, height = maps.area_map(markers).viewbox
    wx, wy, ww, wh = maps.WORLD_VIEWBOX
    assert wx <= x and x + width <= wx + ww and wy <= y and y + height <= wy + wh
    assert all(x <= m.x <= x + width and y <= m.y <= y + height for m in markers)


def test_build_world_map_converts_topojson_and_wraps_the_antimeridian(tmp_path):
    topology = {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0]], "id": "398"},
                    {"type": "Polygon", "arcs": [[1]], "id": "242"},
                    {"type": "Polygon", "arcs": [[0]], "id": "010"},
                    {"type": "Polygon", "arcs": [[2]], "properties": {"name": "Kosovo"}},
                ],
            }
        },
        "arcs": [
            [[50, 40], [10, 0], [0, 10], [-10, 0], [0, -10]],
            [[178, -17], [4, 0], [-360, 1], [358, 0]],
            [[20, 42], [1, 0], [0, 1], [-1, 0], [0, -1]],
        ],
    }
    source = tmp_path / "countries.json"
    source.write_text(json.dumps(topology))
    out = tmp_path / "world.svg"
    call_command("build_world_map", str(source), out=out, stdout=open(tmp_path / "log", "w"))
    svg = out.read_text()
    assert svg.count("<path ") == 3  # Antarctica (010) is left out
    # Each country's path is named by its ISO alpha-2 code (for <use href="…#KZ">); no code, no id.
    assert '<path id="KZ" d="M230 50L240 50L240 40L230 40L230 50Z"/>' in svg
    assert '<path d="M200 48L201 48L201 47L200 47L200 48Z"/>' in svg
    fiji = svg.split("<path ")[2]
    assert fiji.startswith('id="FJ" ')
    assert fiji.count("M") == 2  # drawn on both edges of the map, not across it


def test_timeline_fills_years_and_keeps_the_running_total():
    rows = [
        {"year": 1966, "established": 1, "sister": 1, "friendship": 0, "ended": 0, "in_force": 1},
        {"year": 1969, "established": 2, "sister": 1, "friendship": 1, "ended": 1, "in_force": 2},
    ]
    chart = charts.timeline_chart(rows, until=1970)
    assert [(r["year"], r["in_force"]) for r in chart.rows] == [(1966, 1), (1967, 1), (1968, 1), (1969, 2), (1970, 2)]
    assert [bar.count for bar in chart.bars] == [1, 0, 0, 2, 0]
    assert chart.max_in_force == 2 and chart.max_established == 2
    assert charts.timeline_chart([]).rows == []


def test_home_map_shows_both_kinds_with_a_legend_and_changes_with_the_year(client, shipped_data):
    from registry.models import Partnership

    page = client.get("/", {"as_of": "2022-09-21"})
    kinds = {m.kind for m in page.context["map"].markers}
    assert kinds == {"sister", "friendship"}
    assert 'class="legend"' in page.text
    for text in ("Sister city", "Friendship city", "Home city", 'class="marker marker-friendship"'):
        assert text in page.text, text
    almaty = Partnership.objects.get(partner__slug="almaty").get_absolute_url()
    assert f'<a href="{almaty}" class="marker marker-friendship"' in page.text
    earlier = client.get("/", {"as_of": "2000-12-31"})
    assert len(earlier.context["map"].markers) < len(page.context["map"].markers)
    assert almaty not in earlier.text
    assert 'href="/?as_of=1999-12-31" rel="prev"' in earlier.text
    assert 'href="/?as_of=2001-12-31" rel="next"' in earlier.text


def test_the_inset_names_the_overlapping_east_asian_partners_apart(client, shipped_data):
    inset = client.get("/", {"as_of": "2022-09-21"}).context["inset"]
    labels = {m.label: m.label_y for m in inset.markers}
    assert {"Fukuoka", "Shimonoseki", "Nagasaki Prefecture", "Osaka"} <= set(labels)
    ys = sorted(labels.values())
    assert all(b - a >= inset.label_size - 0.01 for a, b in zip(ys, ys[1:], strict=False))


def _partner(country, name, x=10.0, y=10.0, kind="sister"):
    return maps.Marker(x, y, name, f"/partnerships/{name}/", kind=kind, country=country)


def test_countries_are_shaded_by_their_number_of_distinct_partner_cities():
    markers = [
        _partner("CN", "Shanghai", 1, 1),
        _partner("JP", "Fukuoka", 2, 2),
        _partner("JP", "Osaka", 3, 3),
        _partner("JP", "Osaka", 3, 3, kind="friendship"),  # one city, two relations: counted once
        *[_partner("US", name, i, i) for i, name in enumerate(["Chicago", "LA", "Tijuana?", "Seattle"])],
        _partner("SG", "Singapore"),  # not drawn separately on the 1:110m base map
        maps.Marker(5, 5, "A stop", "/cities/stop/", country="FR"),  # not a partnership
    ]
    assert maps.country_shades(markers) == {"CN": 1, "JP": 2, "US": 3}
    view = maps.world_map(markers, home=maps.Marker(0, 0, "Home", "/"))
    assert view.shaded == [(1, ["CN"]), (2, ["JP"]), (3, ["US"])]
    assert view.shade_classes == [1, 2, 3]


def test_the_base_map_names_every_country_path_that_can_be_shaded():
    codes = maps.base_map_countries()
    assert {"KR", "JP", "CN", "TW", "US", "RU", "KZ", "UZ", "AU", "NZ", "ZA", "CL", "BR"} <= codes
    assert len(codes) == 173  # 176 countries; Kosovo, Northern Cyprus and Somaliland have no ISO code
    svg = maps.BASE_MAP.read_text()
    assert svg.count('<path id="JP"') == 1


def test_lines_run_from_the_home_city_to_each_partner_only():
    home = maps.Marker(309.07, 54.82, "Busan", "/")
    partners = [_partner("JP", "Fukuoka", 310.4, 56.4), _partner("US", "Chicago", 92.37, 48.12)]
    assert maps.world_map(partners, home=home).links_path == "M309.07 54.82L310.4 56.4M309.07 54.82L92.37 48.12"
    assert maps.world_map(partners).links_path == ""  # no home, no lines
    stops = [maps.Marker(1, 1, "Paris", "/a/"), maps.Marker(2, 2, "Brussels", "/b/")]
    assert maps.world_map(stops, home=home).links_path == ""  # an itinerary's stops are not partners


def test_home_map_draws_lines_to_partners_and_shades_countries(client, shipped_data):
    page = client.get("/", {"as_of": "2022-09-21"})
    world = page.context["map"]
    assert world.links_path.count("M") == len(world.markers)
    assert f'<path d="{world.links_path}" class="links"' in page.text
    # Lines lie below the markers and are hidden from assistive technology.
    svg = page.text.split('id="network-map"', 1)[1].split("</svg>", 1)[0]
    assert svg.index('class="links"') < svg.index('class="home-marker"') < svg.index('class="marker ')
    assert 'class="links" stroke-width="0.267"\n            aria-hidden="true"' in svg
    assert world.shades["JP"] == 3 and world.shades["KZ"] == 1
    assert 'fill="url(#network-map-shade-3)"' in svg and 'href="/static/img/world-110m.svg#JP"/>' in svg
    assert '<pattern id="network-map-shade-3"' in svg
    for text in ("Country with 1 partner city", "Countries with 4 or more partner cities", "swatch-shade-3"):
        assert text in page.text, text
    # The inset shades only the countries of its own markers, in the world map's classes.
    assert page.context["inset"].shades == {"JP": 3}
    earlier = client.get("/", {"as_of": "1990-12-31"}).context["map"]
    assert set(earlier.shades) < set(world.shades)
    korean = client.get("/ko/", {"as_of": "2022-09-21"})
    assert "Countries with 4 or more partner cities" not in korean.text


def test_an_itinerary_map_has_neither_lines_from_home_nor_shading(client, shipped_data):
    from registry.models import Partnership

    page = client.get(Partnership.objects.get(partner__slug="almaty").get_absolute_url())
    assert page.status_code == 200
    assert 'class="links"' not in page.text and "<use " not in page.text


def test_a_city_widget_draws_lines_from_that_city_and_shades_its_partners_countries(client, shipped_data):
    page = client.get("/widget/almaty/")
    world = page.context["map"]
    assert world.home.label == "Almaty"
    assert world.links_path.startswith(f"M{world.home.x:g} {world.home.y:g}L")
    assert world.shades == {"KR": 1}
    assert 'href="/static/img/world-110m.svg#KR"/>' in page.text


def test_a_short_timeline_is_spread_wide_with_every_year_labelled():
    """One year of partnerships (a city with a single partner) must not render as a narrow SVG
    that the page scales up to a chart taller than the screen."""
    rows = [{"year": 2022, "established": 1, "sister": 0, "friendship": 1, "ended": 0, "in_force": 1}]
    chart = charts.timeline_chart(rows, until=2026)
    assert chart.width >= 2.5 * chart.height
    assert [year for _, year in chart.year_ticks] == [2022, 2023, 2024, 2025, 2026]
    assert all(bar.x + chart.bar_width <= chart.width for bar in chart.bars)
    long = charts.timeline_chart([{**rows[0], "year": 1966}], until=2026)
    assert long.step == charts.STEP and [year for _, year in long.year_ticks][:3] == [1966, 1970, 1980]
