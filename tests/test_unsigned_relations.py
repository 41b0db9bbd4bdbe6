"""Relations that never reached signature (status ``proposed``, no established date): stored,
shown as "letter of intent, not signed", counted nowhere; the Sign action establishes them."""

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from registry import anniversaries, network, services, wikidata
from registry.models import Partnership, PartnershipStage

from .conftest import token_client
from .factories import CityFactory, PartnershipFactory, SourceFactory

D = datetime.date


@pytest.fixture
def proposal(home):
    """Home and a prefecture: a letter of intent of 2005-12-14, never signed."""
    partnership = PartnershipFactory(
        city=home,
        partner=CityFactory(slug="prefecture", country="JP"),
        kind=Partnership.Kind.FRIENDSHIP,
        established_on=None,
        status=Partnership.Status.PROPOSED,
    )
    services.add_stage(partnership=partnership, kind=PartnershipStage.Kind.LETTER_OF_INTENT, on=D(2005, 12, 14))
    return partnership


@pytest.mark.parametrize(
    ("status", "established_on"),
    [("proposed", D(2005, 12, 14)), ("active", None), ("ended", None)],
)
def test_only_a_proposed_relation_has_no_established_date(home, status, established_on):
    partnership = Partnership(
        city=home, partner=CityFactory(), kind="friendship", status=status, established_on=established_on
    )
    if status == "ended":
        partnership.ended_on = D(2010, 1, 1)
    with pytest.raises(ValidationError) as error:
        partnership.full_clean()
    assert "established_on" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        partnership.save()


def test_a_letter_of_intent_never_counts(home, proposal):
    signed = PartnershipFactory(city=home, partner=CityFactory(country="MN"), established_on=D(2000, 1, 1))
    for day in (D(2005, 12, 14), D(2022, 9, 21)):
        assert list(Partnership.objects.in_force_on(day)) == [signed]
        summary = network.network_summary(home, day)
        assert (summary.partner_cities, summary.countries) == (1, 1)
    assert [row["year"] for row in network.timeline(home)] == [2000]
    assert [p.pk for p in network.first_partners(home).values()] == [signed.pk]
    assert [a.partnership for a in anniversaries.upcoming(user=None, start=D(2025, 1, 1))] == [signed]
    assert list(Partnership.objects.signed()) == [signed]


def test_the_natural_key_of_a_relation_never_signed(proposal):
    key = proposal.natural_key()
    assert key == (proposal.city.slug, "prefecture", "friendship", None)
    assert Partnership.objects.get_by_natural_key(*key) == proposal
    stage = proposal.stages.get()
    assert PartnershipStage.objects.get_by_natural_key(*stage.natural_key()) == stage


def test_sign_establishes_the_relation_from_its_date(home, proposal):
    source = SourceFactory()
    services.sign_partnership(partnership=proposal, on=D(2024, 5, 1), reason="Signed in Sapporo", sources=[source])
    proposal.refresh_from_db()
    assert (proposal.status, proposal.established_on) == ("active", D(2024, 5, 1))
    assert list(proposal.stages.values_list("kind", "on")) == [
        ("letter_of_intent", D(2005, 12, 14)),
        ("signed", D(2024, 5, 1)),
    ]
    assert list(proposal.stages.get(kind="signed").sources.all()) == [source]
    assert proposal.history.first().history_change_reason == "Signed: Signed in Sapporo"
    assert network.network_summary(home, D(2024, 4, 30)).partner_cities == 0
    assert network.network_summary(home, D(2024, 5, 1)).partner_cities == 1


def test_sign_refuses_a_signed_relation_and_a_date_before_the_letter_of_intent(proposal):
    with pytest.raises(ValidationError) as error:
        services.sign_partnership(partnership=proposal, on=D(2005, 1, 1), reason="x")
    assert error.value.error_dict["on"][0].code == "stage_before_start"
    services.sign_partnership(partnership=proposal, on=D(2006, 1, 1), reason="x")
    with pytest.raises(ValidationError) as error:
        services.sign_partnership(partnership=proposal, on=D(2007, 1, 1), reason="again")
    assert error.value.error_dict["status"][0].code == "partnership_signed"


@pytest.mark.parametrize("action", ["renew", "upgrade", "end"])
def test_the_other_actions_refuse_a_relation_never_signed(proposal, action):
    function = getattr(services, f"{action}_partnership")
    with pytest.raises(ValidationError) as error:
        function(partnership=proposal, on=D(2022, 1, 1), reason="x")
    assert error.value.error_dict["status"][0].code == "partnership_not_signed"
    proposal.refresh_from_db()
    assert (proposal.status, proposal.established_on, proposal.ended_on) == ("proposed", None, None)


def test_a_direct_date_on_a_published_proposal_names_the_sign_action(proposal):
    proposal.established_on = D(2024, 1, 1)
    with pytest.raises(ValidationError) as error:
        proposal.full_clean()
    assert "“Sign”" in error.value.message_dict["established_on"][0]


def test_api_creates_a_proposal_and_signs_it(home, superuser):
    CityFactory(slug="prefecture", country="JP")
    api = token_client(superuser)
    response = api.post(
        "/api/v1/partnerships/",
        {
            "city": home.slug,
            "partner": "prefecture",
            "kind": "friendship",
            "status": "proposed",
            "established_on": None,
            "fields": [],
            "sources": [],
        },
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED, response.content
    body = response.json()
    assert (body["status"], body["established_on"]) == ("proposed", None)
    response = api.post(
        f"/api/v1/partnerships/{body['id']}/sign/", {"on": "2024-05", "reason": "Signed"}, format="json"
    )
    assert response.status_code == HTTPStatus.OK, response.content
    assert (response.json()["status"], response.json()["established_on"]) == ("active", "2024-05")
    again = api.post(f"/api/v1/partnerships/{body['id']}/sign/", {"on": "2024-06", "reason": "x"}, format="json")
    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert again.json()["errors"]["status"][0]["code"] == "partnership_signed"


def test_admin_sign_action(staff_client, proposal):
    staff_client.post(
        "/admin/registry/partnership/",
        {
            "action": "sign_partnerships",
            "_selected_action": [proposal.pk],
            "apply": "1",
            "on": "2024-05-01",
            "precision": "day",
            "reason": "Signed in Sapporo",
        },
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.established_on) == ("active", D(2024, 5, 1))


def test_shipped_hokkaido_shows_as_not_signed_and_counts_nowhere(client, shipped_data):
    hokkaido = Partnership.objects.get(partner__slug="hokkaido")
    text = client.get(hokkaido.get_absolute_url()).content.decode()
    assert "Letter of intent, not signed." in text
    assert "14 December 2005" in text
    busan = client.get("/cities/busan/").content.decode()
    assert "Letter of intent, not signed." in busan
    assert "hokkaido" not in client.get("/cities/").content.decode()
    home = hokkaido.city
    assert network.network_summary(home, D(2022, 9, 21)).partner_cities == 38
    assert network.network_summary(home, D(2026, 1, 1)).partner_cities == 38
    assert all(row["year"] for row in network.timeline(home))
    text, skipped = wikidata.quickstatements(home, base_url="https://example.org")
    assert hokkaido not in skipped
    assert client.get("/events/calendar.ics").status_code == HTTPStatus.OK
    assert client.get("/anniversaries/").status_code == HTTPStatus.OK
    response = client.get("/api/v1/partnerships/?format=csv")
    exported = b"".join(response.streaming_content).decode()
    assert ",hokkaido,Hokkaido,홋카이도,JP,friendship,,day,proposed," in exported
    listed = client.get("/api/v1/partnerships/?ordering=established_on&page_size=200").json()["results"]
    assert listed[-1]["partner"]["slug"] == "hokkaido"  # never-signed last, on every database
    assert client.get("/api/v1/partnerships/?in_force_on=2022-09-21").json()["count"] == 38


def test_a_country_page_lists_a_relation_never_signed_without_a_date(client, proposal):
    text = client.get("/countries/jp/").content.decode()
    entry = " ".join(text.split())  # the cell's text, whitespace collapsed
    assert "</a> (letter of intent, not signed)" in entry
    assert "</a>, (" not in entry
