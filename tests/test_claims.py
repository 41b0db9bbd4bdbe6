"""Claims: the sources of each fact of a partnership, an agreement or an event, and where sources
differ, each claimed value with its sources (one preferred)."""

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from registry.models import Agreement, Claim, Event, Partnership

from .factories import PartnershipFactory, SourceFactory

D = datetime.date


@pytest.fixture
def agreement(db):
    return Agreement.objects.create(slug="mou", title_en="MoU", kind="mou", publication="published")


@pytest.fixture
def event(db):
    return Event.objects.create(
        slug="signing", title_en="Signing", kind="signing_ceremony", start_on=D(2022, 9, 14), publication="published"
    )


def test_a_claim_is_about_exactly_one_record(agreement, event):
    for targets in ({}, {"agreement": agreement, "event": event}):
        claim = Claim(fact="venue", value="City Hall", **targets)
        with pytest.raises(ValidationError) as error:
            claim.full_clean()
        assert error.value.message_dict["fact"] == ["A claim is about exactly one partnership, agreement or event."]
        with pytest.raises(IntegrityError), transaction.atomic():
            claim.save()


def test_one_value_per_fact_and_one_preferred_per_fact_of_each_record(agreement, event):
    Claim.objects.create(event=event, fact="venue", value="City Hall", preferred=True)
    Claim.objects.create(agreement=agreement, fact="venue", value="City Hall", preferred=True)  # another record
    same = Claim(event=event, fact="venue", value="City Hall")
    with pytest.raises(ValidationError) as error:
        same.full_clean()
    assert error.value.message_dict == {"value": ["This value of this fact is already claimed; add the source to it."]}
    second = Claim(event=event, fact="venue", value="University", preferred=True)
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert error.value.message_dict == {"preferred": ["Only one claimed value of a fact can be preferred."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_a_claim_names_a_fact_its_record_has_in_that_facts_form(event):
    partnership = PartnershipFactory()
    with pytest.raises(ValidationError) as error:
        Claim(partnership=partnership, fact="venue", value="City Hall").full_clean()
    assert error.value.error_dict["fact"][0].code == "claim_fact_of_target"
    with pytest.raises(ValidationError) as error:
        Claim(partnership=partnership, fact="established_on", value="14 Sept 2022").full_clean()
    assert error.value.message_dict == {"value": ["Give the claimed date as YYYY-MM-DD."]}
    with pytest.raises(ValidationError) as error:
        Claim(partnership=partnership, fact="kind", value="twin").full_clean()
    assert error.value.message_dict == {"value": ["Give one of: sister, friendship."]}
    claim = Claim(partnership=partnership, fact="kind", value="sister")
    claim.full_clean()
    assert claim.value_display == "sister city"
    assert Claim(event=event, fact="start_on", value="2022-09-14").value_display == "14 September 2022"


def test_natural_keys_of_claims_on_each_kind_of_record(agreement, event):
    partnership = PartnershipFactory()
    claims = [
        Claim.objects.create(partnership=partnership, fact="kind", value="sister"),
        Claim.objects.create(agreement=agreement, fact="venue", value="City Hall"),
        Claim.objects.create(event=event, fact="venue", value="City Hall"),
    ]
    assert claims[1].natural_key() == ("agreement", "mou", "venue", "City Hall")
    for claim in claims:
        assert Claim.objects.get_by_natural_key(*claim.natural_key()) == claim


def test_agreement_claims_in_the_api_and_on_the_page(client, api_client, agreement):
    source = SourceFactory(title="The council minutes")
    claim = Claim.objects.create(agreement=agreement, fact="signed_on", value="2022-09-14", preferred=True)
    claim.sources.set([source])
    Claim.objects.create(agreement=agreement, fact="signed_on", value="2022-09-15")
    body = api_client.get(f"/api/v1/agreements/{agreement.slug}/").json()
    assert [(c["fact"], c["value"], c["preferred"]) for c in body["claims"]] == [
        ("signed_on", "2022-09-14", True),
        ("signed_on", "2022-09-15", False),
    ]
    assert body["claims"][0]["sources"][0]["title"] == "The council minutes"
    page = client.get(f"/agreements/{agreement.slug}/").content.decode()
    assert "Sources differ:" in page and "14 September 2022" in page and "The council minutes" in page


def test_shipped_almaty_venue_differs_on_the_event_page(client, shipped_data):
    page = client.get("/events/busan-almaty-signing-ceremony-2022/").content.decode()
    assert "Sources of each fact" in page and "Sources differ:" in page
    for venue in ("Almaty City Hall", "Caspian University", "Temporary city hall of Almaty"):
        assert venue in page
    assert "http://bfic.kr/new/contents/d2.asp?num=17980" in page


def test_shipped_established_date_is_shown_with_its_sources(client, api_client, shipped_data):
    almaty = Partnership.objects.get(partner__slug="almaty")
    page = client.get(almaty.get_absolute_url()).content.decode()
    assert "Sources differ:" not in page  # one value per fact: a citation, not a conflict
    claims = page[page.index('<dl class="claims">') :]
    assert "Established on" in claims and "14 September 2022" in claims
    assert "https://www.newsis.com/view/?id=NISX20220921_0002020412" in claims
    bangkok = Partnership.objects.get(partner__slug="bangkok")
    assert [(c.fact, c.value, c.preferred) for c in bangkok.claims.all()] == [
        ("kind", "friendship", True),
        ("kind", "sister", False),
    ]


def test_event_and_agreement_admin_have_the_claims_inline(staff_client, agreement, event):
    for url in (f"/admin/registry/event/{event.pk}/change/", f"/admin/registry/agreement/{agreement.pk}/change/"):
        response = staff_client.get(url)
        assert response.status_code == HTTPStatus.OK
        assert 'name="claims-TOTAL_FORMS"' in response.content.decode()
