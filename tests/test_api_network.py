"""/api/v1/network/: the home city's network on a date, computed from the rows."""

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


def test_network_on_the_day_of_the_article(shipped_data, api_client):
    body = api_client.get("/api/v1/network/?as_of=2022-09-21").json()
    assert list(body) == ["home_city", "as_of", "partner_cities", "countries", "by_kind", "by_region"]
    assert (body["partner_cities"], body["countries"]) == (38, 28)
    assert body["as_of"] == "2022-09-21"
    assert body["home_city"]["slug"] == "busan"
    assert body["by_kind"] == {
        "sister": {"partner_cities": 26, "countries": 23},
        "friendship": {"partner_cities": 12, "countries": 7},
    }
    assert body["by_region"]["asia"]["subregions"]["central-asia"] == {
        "code": "143",
        "name": "Central Asia",
        "partner_cities": 1,
        "countries": 1,
    }


def test_network_before_almaty(shipped_data, api_client):
    body = api_client.get("/api/v1/network/", {"as_of": "2022-09-13"}).json()
    assert (body["partner_cities"], body["countries"]) == (37, 27)
    assert "central-asia" not in body["by_region"]["asia"]["subregions"]


def test_bad_date_is_a_400_naming_the_parameter(shipped_data, api_client):
    response = api_client.get("/api/v1/network/?as_of=2022-02-30")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()["errors"]) == ["as_of"]
    (error,) = response.json()["errors"]["as_of"]
    # In the form asked for, so the message says the day does not exist (it repeated the form).
    assert error["code"] == "no_such_day"
    assert error["message"].startswith("“2022-02-30” is written as a date but names no day of the calendar")
    (error,) = api_client.get("/api/v1/network/?as_of=22-02-01").json()["errors"]["as_of"]
    assert (error["code"], error["message"]) == ("invalid", "Enter a date as YYYY-MM-DD, e.g. 2022-09-21.")


def test_without_a_home_city_the_network_is_a_json_404(db, api_client, settings):
    settings.REGISTRY_HOME_CITY = "nowhere"
    response = api_client.get("/api/v1/network/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "not_found"
