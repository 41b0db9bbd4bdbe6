"""The network endpoints take exactly their documented query parameters (issue 13): any other is a
400 under its own name, code ``unknown_parameter``, as on every list."""

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "unknown"),
    [
        ("/api/v1/network/?as_of=2022-09-21&asof=2022-09-21", "asof"),
        ("/api/v1/network/?bogus=1", "bogus"),
        ("/api/v1/network/national/?city=busan", "city"),
    ],
)
def test_a_network_endpoint_refuses_an_unknown_query_parameter_naming_it(api_client, home, url, unknown):
    response = api_client.get(url)
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert list(errors) == [unknown] and errors[unknown][0]["code"] == "unknown_parameter"
    assert "it takes as_of" in errors[unknown][0]["message"]


@pytest.mark.parametrize("url", ["/api/v1/network/?as_of=2022-09-21&format=json", "/api/v1/network/national/"])
def test_a_network_endpoint_takes_its_documented_parameters(api_client, home, url):
    assert api_client.get(url).status_code == HTTPStatus.OK
