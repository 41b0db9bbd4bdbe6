"""Public free text in English and Korean: roles, venues and units of counts have a Korean column
that Korean pages show, with the English one (marked ``lang="en"``) where it is empty."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from registry.models import DelegationMember, EventParticipant, Outcome, Signatory
from registry.text import localized

from .factories import AgreementFactory, DelegationFactory, EventFactory

pytestmark = pytest.mark.django_db


def _text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def test_localized_falls_back_to_the_english_column_named_without_suffix():
    signatory = Signatory(role="Deputy Mayor of Almaty", role_ko="알마티 부시장")
    assert localized(signatory, "role", "ko") == "알마티 부시장"
    assert localized(signatory, "role", "en") == "Deputy Mayor of Almaty"
    signatory.role_ko = ""
    assert localized(signatory, "role", "ko") == "Deputy Mayor of Almaty"
    assert signatory.role_language == "en"


def test_agreement_page_shows_korean_role_and_venue_and_marks_the_english_fallback(client):
    agreement = AgreementFactory(venue="Almaty City Hall", venue_ko="알마티 시청")
    Signatory.objects.create(agreement=agreement, order=1, role="Deputy Mayor of Busan", role_ko="부산 부시장")
    Signatory.objects.create(agreement=agreement, order=2, role="Deputy Mayor of Almaty")

    korean = _text(client, f"/ko/agreements/{agreement.slug}/")
    assert '<span lang="ko">알마티 시청</span>,' in korean
    assert '<span lang="ko">부산 부시장</span>' in korean
    assert '<span lang="en">Deputy Mayor of Almaty</span>' in korean

    english = _text(client, f"/agreements/{agreement.slug}/")
    assert '<span lang="en">Almaty City Hall</span>,' in english
    assert '<span lang="en">Deputy Mayor of Busan</span>' in english
    assert "부산 부시장" not in english


def test_event_page_shows_korean_venue_and_participant_role(client):
    event = EventFactory(venue="Almaty City Hall", venue_ko="")
    EventParticipant.objects.create(event=event, order=1, role="Other officials", role_ko="기타 관계자")

    korean = _text(client, f"/ko/events/{event.slug}/")
    assert '<span lang="en">Almaty City Hall</span>,' in korean
    assert '<span lang="ko">기타 관계자</span>' in korean


def test_delegation_page_shows_korean_member_role_and_unit_of_the_count(client):
    delegation = DelegationFactory()
    DelegationMember.objects.create(delegation=delegation, order=1, role="Busan businesses", role_ko="부산 기업")
    Outcome.objects.create(
        delegation=delegation,
        order=1,
        kind=Outcome.Kind.OTHER,
        description_en="Export consultations.",
        count=65,
        count_unit="local buyers",
        count_unit_ko="현지 바이어",
    )
    Outcome.objects.create(
        delegation=delegation, order=2, kind=Outcome.Kind.OTHER, description_en="Visits.", count=3, count_unit="firms"
    )

    korean = _text(client, f"/ko/delegations/{delegation.slug}/")
    assert '<span lang="ko">부산 기업</span>' in korean
    assert '65 <span lang="ko">현지 바이어</span>' in korean
    assert '3 <span lang="en">firms</span>' in korean
    english = _text(client, f"/delegations/{delegation.slug}/")
    assert '65 <span lang="en">local buyers</span>' in english


def test_api_reads_both_columns_under_stable_names(client):
    agreement = AgreementFactory(venue="Almaty City Hall", venue_ko="알마티 시청")
    Signatory.objects.create(agreement=agreement, order=1, role="Deputy Mayor of Busan", role_ko="부산 부시장")

    body = client.get(f"/api/v1/agreements/{agreement.slug}/").json()
    assert (body["venue"], body["venue_ko"]) == ("Almaty City Hall", "알마티 시청")
    assert body["signatories"][0]["role"] == "Deputy Mayor of Busan"
    assert body["signatories"][0]["role_ko"] == "부산 부시장"


def test_admin_edits_the_korean_columns(staff_client):
    agreement = AgreementFactory()
    event = EventFactory()
    delegation = DelegationFactory()
    pages = {
        reverse("admin:registry_agreement_change", args=[agreement.pk]): ('name="venue_ko"', "-0-role_ko"),
        reverse("admin:registry_event_change", args=[event.pk]): ('name="venue_ko"', "-0-role_ko"),
        reverse("admin:registry_delegation_change", args=[delegation.pk]): ("-0-count_unit_ko", "-0-role_ko"),
    }
    for url, needles in pages.items():
        text = staff_client.get(url).content.decode()
        for needle in needles:
            assert needle in text or needle.replace("-0-", "-__prefix__-") in text, (url, needle)


def test_search_finds_an_event_by_its_korean_venue():
    from registry.models import Event

    event = EventFactory(venue="Almaty City Hall", venue_ko="알마티 시청")
    EventFactory(venue="Busan City Hall")
    assert list(Event.objects.search("알마티 시청")) == [event]
