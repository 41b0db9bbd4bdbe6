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
                ],
            }
        },
        "arcs": [
            [[50, 40], [10, 0], [0, 10], [-10, 0], [0, -10]],
            [[178, -17], [4, 0], [-360, 1], [358, 0]],
        ],
    }
    source = tmp_path / "countries.json"
    source.write_text(json.dumps(topology))
    out = tmp_path / "world.svg"
    call_command("build_world_map", str(source), out=out, stdout=open(tmp_path / "log", "w"))
    svg = out.read_text()
    assert svg.count("<path ") == 2  # Antarctica (010) is left out
    assert 'd="M230 50L240 50L240 40L230 40L230 50Z"' in svg
    fiji = svg.split("<path ")[2]
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
